"""The benchmark's data: who asks, who is listed, and in how many groups.

Users are listed by primary key, so the first page of 50 (the bench user and 49 members) are in 3 groups
each, the issue 12 list case, and the next 100 ("wide" users) are in 50 groups each, the scale case, read as
the page after the first.
"""

import secrets
from datetime import timedelta

BENCH_USERNAME = "bench"
LIST_USERS, LIST_GROUPS = 50, 3
WIDE_USERS, WIDE_GROUPS = 100, 50


def groups_of(index: int, count: int, total: int) -> list[int]:
    """``count`` distinct group numbers for user ``index``, spread so that name order is not insertion order."""
    step = max(1, total // count)
    return sorted({(index * 7 + n * step) % total for n in range(count)})


def seed() -> dict[str, str]:
    """The viewer with a long-lived "read groups" token, the listed users, and a client-credentials client."""
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from users.models import Application, User

    call_command("migrate", verbosity=0)
    viewer = User.objects.create(username=BENCH_USERNAME, email="bench@example.com")
    # Let the viewer see other users' emails, so the list workloads return the data they ask for.
    viewer.user_permissions.add(Permission.objects.get(codename="view_user", content_type__app_label="users"))
    application = Application.objects.create(
        name="bench-password",
        client_type="confidential",
        authorization_grant_type=Application.GRANT_PASSWORD,
        allowed_scopes="read groups",
        client_secret=secrets.token_urlsafe(48),
    )
    trust_bench_documents(application)
    token = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        user=viewer,
        application=application,
        token=token,
        scope="read groups",
        expires=timezone.now() + timedelta(days=30),
    )
    total = max(WIDE_GROUPS, LIST_GROUPS)
    groups = Group.objects.bulk_create(Group(name=f"group-{n:02}") for n in range(total))
    members = User.objects.bulk_create(
        User(username=f"member-{n:03}", email=f"member-{n:03}@example.com") for n in range(LIST_USERS - 1)
    )
    wide = User.objects.bulk_create(
        User(username=f"wide-{n:03}", email=f"wide-{n:03}@example.com") for n in range(WIDE_USERS)
    )
    Membership = User.groups.through
    rows = [
        Membership(user=user, group=groups[g])
        for index, user in enumerate([viewer, *members])
        for g in groups_of(index, LIST_GROUPS, total)
    ]
    rows += [Membership(user=user, group=groups[g]) for user in wide for g in range(WIDE_GROUPS)]
    Membership.objects.bulk_create(rows)
    secret = secrets.token_urlsafe(48)
    server = Application.objects.create(
        name="bench-server",
        client_type="confidential",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        allowed_scopes="read",
        client_secret=secret,  # hashed on save
    )
    return {"token": token, "client_id": server.client_id, "client_secret": secret}


def trust_bench_documents(application) -> None:
    """The documents the by-id workloads name (issue 19), trusted for the bench client as an import would."""
    import hashlib

    from bench.workloads import TRUSTED
    from schema.trusted_documents import vet
    from users.trusted_documents import Candidate, add_documents

    candidates = [Candidate(hashlib.sha256(t.encode()).hexdigest(), t, t[:40]) for t in TRUSTED]
    vetted, problems = vet(candidates, application.allowed_scope_set)
    if problems:
        raise SystemExit("; ".join(problems))
    add_documents(application, vetted)
