"""Bearer-token authentication for /graphql (SPEC §3, RFC 6750).

The middleware turns the ``Authorization`` header into a ``Principal`` (user, client, scopes) with
one SQL query, or answers the precise RFC 6750 error itself. Unlike DOT's ``OAuth2TokenMiddleware``
it never treats a bad token as anonymous, and no session user exists here (sessions skip /graphql:
project/browser_middleware.py): on /graphql only a bearer token authenticates, so cross-site requests
carry no authority.
"""

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import SuspiciousOperation
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from oauth2_provider.models import get_access_token_model, get_application_model

from project.raw_sql import fetch_one
from schema.errors import (
    APIError,
    DPoPProofRefused,
    error_response,
    internal_error,
    invalid_request,
    invalid_token,
    json_response,
    request_too_large,
)
from users import dpop
from users.issuer import protected_resource_url
from users.models import DPoPBinding, User
from users.request_ids import request_id_of  # also schema/view.py's
from users.scopes import effective as effective_scopes

log = logging.getLogger("graphql")
GRAPHQL_PATHS = {"/graphql", "/graphql/"}
MAX_HEADER_BYTES = 1024
# RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="; RFC 9449 §7.1
# uses the same token68 syntax for the DPoP scheme.
BEARER = re.compile(r"(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)
AccessToken = get_access_token_model()
Application = get_application_model()


@dataclass(frozen=True)
class Principal:
    user: User | None  # None for client-credentials tokens and anonymous callers
    application_id: int | None
    client_id: str | None  # the OAuth2 client's public id
    scopes: frozenset[str]  # effective: granted, cut down to what the client is allowed now
    token_id: int | None  # None when anonymous
    audiences: tuple[str, ...] = ()  # RFC 8707 resources the token was requested for; () is unrestricted
    # The client's trusted-documents policy and the version of its documents (SPEC §8), read by the
    # same query: fresh on every request, in every process, whatever happened to a shared cache.
    document_policy: str = "any"
    documents_version: int = 0
    jkt: str | None = None  # the key the token is bound to (DPoP, SPEC §2.6); None for a bearer token

    @property
    def is_anonymous(self) -> bool:
        return self.token_id is None


ANONYMOUS = Principal(None, None, None, frozenset(), None)


def authenticate(request) -> Principal:
    """The principal of a request, ANONYMOUS without a header; raises AuthenticationFailed."""
    if request.META.get("QUERY_STRING") and "access_token" in request.GET:  # no query string: nothing to parse
        raise invalid_request("Send the access token in the Authorization header, not in the URL.")
    header = request.META.get("HTTP_AUTHORIZATION")
    if header is None:
        return ANONYMOUS
    if len(header) > MAX_HEADER_BYTES or not header.isascii():
        raise invalid_request("The Authorization header is too long or not ASCII.")
    match = BEARER.fullmatch(header.strip())
    if match is None:
        raise invalid_request("The Authorization header must be exactly 'Bearer <token>' or 'DPoP <token>'.")
    scheme, token = match.groups()
    principal = principal_for_token(token)
    check_sender(request, scheme, token, principal.jkt)
    # SPEC §2, RFC 8707: a token requested for another resource is not for us, although the server issued it.
    if principal.audiences and protected_resource_url(request) not in principal.audiences:
        raise invalid_token()
    return principal


def principal_for_token(raw_token: str) -> Principal:
    """One SQL query: the unexpired token with that checksum, its client's allowed scopes, and its
    user (none for client credentials). An admin who narrows a client narrows its live tokens from
    their next use (SPEC §2); a deactivated user's tokens are refused like unknown ones.

    Written as raw SQL because compiling the equivalent ORM query (select_related) cost about
    five times the query itself, and read with a cursor because ``User.objects.raw`` worked out
    its columns and converters again on every request (``user_from_row`` keeps them); read by
    ``project.raw_sql.fetch_one``, past Django's cursor wrappers (which cost as much as the query on
    SQLite), prepared once per connection on PostgreSQL (planning the join cost more than running it).
    """
    checksum = hashlib.sha256(raw_token.encode()).hexdigest()
    row = fetch_one(token_lookup_sql(), [checksum, timezone.now()], name="graphql_token_lookup")
    if row is None:
        raise invalid_token()
    user_columns = len(User._meta.concrete_fields)
    token_id, token_scope, application_id, allowed_scopes, client_id, resource, policy, version, jkt = row[
        user_columns:
    ]
    user = user_from_row(row[:user_columns])
    if user is not None and not user.is_active:
        raise invalid_token()
    scopes = frozenset(effective_scopes(token_scope, allowed_scopes.split()))
    return Principal(user, application_id, client_id, scopes, token_id, audiences_of(resource), policy, version, jkt)


def check_sender(request, scheme: str, token: str, jkt: str | None) -> None:
    """SPEC §2.6: a DPoP-bound token only with a proof of its key (users/dpop.py), a bearer one only as Bearer."""
    try:
        dpop.check_presentation(request, scheme, token, jkt)
    except dpop.WrongScheme:
        raise invalid_token() from None
    except dpop.InvalidProof as refused:
        nonce = dpop.current_nonce() if isinstance(refused, dpop.NonceRequired) else None
        raise DPoPProofRefused(refused.error, str(refused), nonce) from None


def audiences_of(resource) -> tuple[str, ...]:
    """DOT's JSON list of resources, as the driver returns it (PostgreSQL's jsonb parsed, SQLite's text not)."""
    if isinstance(resource, (str, bytes)):  # a tuple: `str | bytes` builds a union on every call
        resource = json.loads(resource or "[]")
    return tuple(resource or ())


def user_from_row(values: tuple) -> User | None:
    """The user of the lookup's row (None: a client-credentials token), its values converted by the
    fields' converters as the ORM converts them (SQLite's datetimes and booleans)."""
    pk_index, attnames = _user_columns()
    if values[pk_index] is None:
        return None
    db = connections[DEFAULT_DB_ALIAS]  # looked up once: each `connection.x` looks it up again
    converters = getattr(db, "_user_row_converters", None)  # per connection: they are bound to it
    if converters is None:
        converters = db._user_row_converters = _converters_of(db)
    values = list(values)
    for index, functions, expression in converters:
        for convert in functions:
            values[index] = convert(values[index], expression, db)
    return User.from_db(db.alias, attnames, values)


@cache
def _user_columns() -> tuple[int, tuple[str, ...]]:
    fields = User._meta.concrete_fields
    return fields.index(User._meta.pk), tuple(field.attname for field in fields)


def _converters_of(db) -> list:
    found = []
    for index, field in enumerate(User._meta.concrete_fields):
        expression = field.get_col(User._meta.db_table)
        functions = db.ops.get_db_converters(expression) + field.get_db_converters(db)
        if functions:
            found.append((index, functions, expression))
    return found


@cache
def token_lookup_sql() -> str:
    quote = connection.ops.quote_name
    token, user, client = AccessToken._meta, User._meta, Application._meta
    columns = ", ".join(f"u.{quote(field.column)}" for field in user.concrete_fields)
    return (
        f"SELECT {columns}, t.{quote('id')} AS token_id, t.{quote('scope')} AS token_scope,"
        f" t.{quote('application_id')} AS token_application_id,"
        f" c.{quote('allowed_scopes')} AS client_allowed_scopes, c.{quote('client_id')} AS client_id,"
        f" t.{quote('resource')} AS token_resource,"
        f" c.{quote('trusted_documents')} AS client_documents, c.{quote('documents_version')} AS documents_version,"
        f" b.{quote('jkt')} AS token_jkt"
        f" FROM {quote(token.db_table)} t"
        f" INNER JOIN {quote(client.db_table)} c ON c.{quote(client.pk.column)} = t.{quote('application_id')}"
        f" LEFT OUTER JOIN {quote(DPoPBinding._meta.db_table)} b ON b.{quote('access_token_id')} = t.{quote('id')}"
        f" LEFT OUTER JOIN {quote(user.db_table)} u ON u.{quote(user.pk.column)} = t.{quote('user_id')}"
        f" WHERE t.{quote('token_checksum')} = %s AND t.{quote('expires')} > %s"
    )


class BearerTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in GRAPHQL_PATHS:
            return self.get_response(request)
        try:
            principal = authenticate(request)
        except APIError as refused:
            response = error_response(refused, request)
        except SuspiciousOperation as refused:  # Django's request limits, e.g. too many query parameters
            response = error_response(request_too_large(refused), request)
        except Exception:  # e.g. the database is down: a JSON 500 without any trace, logged with an id
            request_id = request_id_of(request)
            log.exception("Authentication failed unexpectedly [request %s]", request_id)
            response = json_response({"errors": [internal_error(request_id)]}, 500)
        else:
            request.principal = principal
            request.user = principal.user or AnonymousUser()
            response = self.get_response(request)
        patch_vary_headers(response, ("Authorization",))  # after Accept (schema.media_types)
        response["Cache-Control"] = "no-store"
        return response
