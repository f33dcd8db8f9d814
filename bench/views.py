"""Hand-written Django views of the same data as /graphql's workloads, for the benchmark only.

No DRF here (bench/drf.py), so that the tests can hold the prefetch view to /graphql's answers in CI.
"""

import json

from django.contrib.auth.models import Group
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from graphql_relay import to_global_id

from bench.seed import BENCH_USERNAME
from schema.authentication import authenticate
from schema.errors import APIError, error_response, unauthenticated
from users.models import User
from users.selectors import can_view_email, users_visible_to

PAGE, GROUPS_PAGE = 50, 10  # the page sizes of workloads.USERS
NEEDED_SCOPES = frozenset({"read", "groups"})  # `users` needs read, `User.groups` needs groups (SPEC §4)


def bare_me(request: HttpRequest) -> JsonResponse:
    """A bare Django JSON view: no authentication, one query for a fixed user."""
    return JsonResponse(User.objects.values("id", "username", "email").get(username=BENCH_USERNAME))


def prefetch_users(request: HttpRequest) -> HttpResponse:
    """The JSON of workloads.USERS written by hand: the users page and its groups in 2 queries (prefetch_related).

    To be a fair yardstick it does the product's per-request work that is not GraphQL: the same bearer
    authentication (``schema.authentication.authenticate``: one token query, the same refusals), the same
    scope requirements, the same visibility rules (``users_visible_to``, ``can_view_email``, which asks the
    permission with ``has_perm`` as hand-written Django does: ModelBackend's two queries, where /graphql asks
    one), the same orders and global ids, and the middleware's no-store headers.
    run.py checks before measuring that its ``data`` equals /graphql's. The per-token rate budget (and the
    ``extensions.cost`` report of it) is GraphQL's own cost accounting: it prices documents, so it stays on
    the GraphQL side.
    """
    try:
        principal = authenticate(request)
    except APIError as failure:
        return error_response(failure, request)
    if principal.is_anonymous:
        return error_response(unauthenticated(), request)
    if not NEEDED_SCOPES <= principal.scopes:
        return JsonResponse({"errors": [{"message": "The token lacks the read or groups scope."}]}, status=403)
    viewer = principal.user
    groups = Prefetch("groups", queryset=Group.objects.order_by("pk"), to_attr="loaded_groups")
    users = users_visible_to(viewer).order_by("pk").prefetch_related(groups)[:PAGE]
    edges = [
        {
            "node": {
                "id": to_global_id("User", user.pk),
                "username": user.username,
                "email": user.email if can_view_email(viewer, user) else None,
                "groups": {"edges": [{"node": {"name": g.name}} for g in user.loaded_groups[:GROUPS_PAGE]]},
            }
        }
        for user in users
    ]
    # Compact separators, as the product writes its bodies: the same bytes on the wire.
    body = json.dumps({"data": {"users": {"edges": edges}}}, separators=(",", ":"))
    response = HttpResponse(body, content_type="application/json")
    response["Vary"] = "Authorization"
    response["Cache-Control"] = "no-store"
    return response
