"""Bearer-token authentication for /graphql (SPEC §3, RFC 6750).

The middleware turns the ``Authorization`` header into a ``Principal`` (user, client, scopes) with
one SQL query, or answers the precise RFC 6750 error itself. Unlike DOT's ``OAuth2TokenMiddleware``
it never treats a bad token as anonymous, and it drops any session user: on /graphql only a bearer
token authenticates, so cross-site requests carry no authority.
"""

import hashlib
import logging
import re
import uuid
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from schema.errors import Code, error_body, internal_error, json_response, scope_list
from users.models import User

log = logging.getLogger("graphql")
GRAPHQL_PATHS = {"/graphql", "/graphql/"}
MAX_HEADER_BYTES = 1024
# RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
BEARER = re.compile(r"Bearer ([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)
AccessToken = get_access_token_model()


@dataclass(frozen=True)
class Principal:
    user: User | None  # None for client-credentials tokens and anonymous callers
    application_id: int | None
    scopes: frozenset[str]
    token_id: int | None  # None when anonymous

    @property
    def is_anonymous(self) -> bool:
        return self.token_id is None


ANONYMOUS = Principal(None, None, frozenset(), None)


class AuthenticationFailed(Exception):
    def __init__(self, status: int, code: Code, message: str, challenge: str):
        super().__init__(message)
        self.status, self.code, self.message, self.challenge = status, code, message, challenge


def invalid_request(message: str) -> AuthenticationFailed:
    return AuthenticationFailed(400, Code.INVALID_REQUEST, message, 'Bearer error="invalid_request"')


def invalid_token() -> AuthenticationFailed:
    message = "The access token is unknown, expired or revoked."
    return AuthenticationFailed(
        401, Code.INVALID_TOKEN, message, f'Bearer error="invalid_token", error_description="{message}"'
    )


UNAUTHENTICATED = AuthenticationFailed(
    401, Code.UNAUTHENTICATED, "Send an access token: Authorization: Bearer <token>.", 'Bearer realm="graphql"'
)


def authenticate(request) -> Principal:
    """The principal of a request, ANONYMOUS without a header; raises AuthenticationFailed."""
    if "access_token" in request.GET:
        raise invalid_request("Send the access token in the Authorization header, not in the URL.")
    header = request.META.get("HTTP_AUTHORIZATION")
    if header is None:
        return ANONYMOUS
    if len(header) > MAX_HEADER_BYTES or not header.isascii():
        raise invalid_request("The Authorization header is too long or not ASCII.")
    match = BEARER.fullmatch(header.strip())
    if match is None:
        raise invalid_request("The Authorization header must be exactly 'Bearer <token>'.")
    return principal_for_token(match.group(1))


def principal_for_token(raw_token: str) -> Principal:
    """One SQL query: the unexpired token with that checksum, and its user (none for client credentials).

    Written as raw SQL because compiling the equivalent ORM query (select_related) cost about
    five times the query itself; ``User.objects.raw`` still applies the fields' converters.
    """
    checksum = hashlib.sha256(raw_token.encode()).hexdigest()
    row = next(iter(User.objects.raw(token_lookup_sql(), [checksum, timezone.now()])), None)
    if row is None:
        raise invalid_token()
    user = row if row.pk is not None else None
    if user is not None and not user.is_active:
        raise invalid_token()
    return Principal(user, row.token_application_id, frozenset(row.token_scope.split()), row.token_id)


@cache
def token_lookup_sql() -> str:
    quote = connection.ops.quote_name
    token, user = AccessToken._meta, User._meta
    columns = ", ".join(f"u.{quote(field.column)}" for field in user.concrete_fields)
    return (
        f"SELECT {columns}, t.{quote('id')} AS token_id, t.{quote('scope')} AS token_scope,"
        f" t.{quote('application_id')} AS token_application_id"
        f" FROM {quote(token.db_table)} t LEFT OUTER JOIN {quote(user.db_table)} u"
        f" ON u.{quote(user.pk.column)} = t.{quote('user_id')}"
        f" WHERE t.{quote('token_checksum')} = %s AND t.{quote('expires')} > %s"
    )


def error_response(failure: AuthenticationFailed) -> HttpResponse:
    response = json_response(error_body(failure.code, failure.message), failure.status)
    response["WWW-Authenticate"] = failure.challenge
    return response


class BearerTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in GRAPHQL_PATHS:
            return self.get_response(request)
        try:
            principal = authenticate(request)
        except AuthenticationFailed as failure:
            response = error_response(failure)
        except SuspiciousOperation as refused:  # Django's request limits, e.g. too many query parameters
            response = json_response(error_body(Code.BAD_REQUEST, f"The request is too large: {refused}"), 400)
        except Exception:  # e.g. the database is down: a JSON 500 without any trace, logged with an id
            request_id = uuid.uuid4().hex
            log.exception("Authentication failed unexpectedly [request %s]", request_id)
            response = json_response({"errors": [internal_error(request_id)]}, 500)
        else:
            request.principal = principal
            request.user = principal.user or AnonymousUser()
            response = self.get_response(request)
            if not principal.is_anonymous:
                response["X-OAuth-Scopes"] = scope_list(principal.scopes) if principal.scopes else ""
                response["X-Accepted-OAuth-Scopes"] = ", ".join(sorted(getattr(request, "accepted_scopes", ())))
        response["Vary"] = "Authorization"
        response["Cache-Control"] = "no-store"
        return response
