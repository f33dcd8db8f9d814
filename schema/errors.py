"""The one place where /graphql's error codes are named and error objects are built (SPEC §3, §5).

Two kinds of error, one shape (``{"message", "extensions": {"code", ...}}``):

- ``APIError`` refuses a whole request before execution. Each subclass carries its HTTP status,
  code and headers (as DRF's exceptions do, with ``authenticate_header()`` as the model for
  ``WWW-Authenticate``); the view and the middleware only render them with ``error_response``, in
  the media type the client accepts (``schema.media_types``: a ``GraphQLRequestError`` is a 200 for
  legacy ``application/json`` clients).
- ``api_error`` builds a ``GraphQLError`` that a resolver raises on purpose: a field's error in a
  response that executed. Anything else raised during execution is masked by ``masked``.
"""

import json
from enum import StrEnum

import orjson
from django.http import HttpResponse
from graphql import GraphQLError

from schema import media_types
from users.dpop import ALGORITHMS as DPOP_ALGORITHMS
from users.issuer import protected_resource_metadata_url


class Code(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    INVALID_REQUEST = "INVALID_REQUEST"
    INVALID_TOKEN = "INVALID_TOKEN"
    INVALID_DPOP_PROOF = "INVALID_DPOP_PROOF"
    USE_DPOP_NONCE = "USE_DPOP_NONCE"
    INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_REQUEST = "BAD_REQUEST"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
    QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
    TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    THROTTLED = "THROTTLED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"  # Apollo's code: its links fall back to the text
    PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


# --- Whole-request refusals ---------------------------------------------------------------------


class APIError(Exception):
    """A request refused before execution: status, code, message and headers reach the client."""

    status = 400
    code = Code.BAD_REQUEST
    graphql_request_error = False  # see GraphQLRequestError

    def __init__(self, message: str, code: Code | None = None, **extensions):
        super().__init__(message)
        self.message, self.extensions = message, extensions
        if code is not None:
            self.code = code

    def headers(self, request) -> dict[str, str]:
        return {}

    def as_error(self) -> dict:
        return {"message": self.message, "extensions": {"code": self.code.value, **self.extensions}}

    def as_errors(self) -> list[dict]:
        return [self.as_error()]


class BadRequest(APIError):
    """400: the request cannot be run as sent (its code says why)."""


class GraphQLRequestError(BadRequest):
    """400: a well-formed HTTP request whose GraphQL request cannot run: its document does not parse or
    validate, exceeds a limit or has no such operation, or its variables do not coerce. GraphQL over
    HTTP answers it 200 to legacy ``application/json`` clients (SPEC §5 "Media types")."""

    graphql_request_error = True


class MethodNotAllowed(APIError):
    status, code = 405, Code.METHOD_NOT_ALLOWED

    def __init__(self, message: str, allow: str):
        super().__init__(message)
        self.allow = allow

    def headers(self, request) -> dict[str, str]:
        return {"Allow": self.allow}


class NotAcceptable(APIError):
    status, code = 406, Code.NOT_ACCEPTABLE


class UnsupportedMediaType(APIError):
    status, code = 415, Code.UNSUPPORTED_MEDIA_TYPE


class Throttled(APIError):
    status, code = 429, Code.THROTTLED

    def __init__(self, message: str, retry_after: int, **extensions):
        super().__init__(message, retryAfter=retry_after, **extensions)
        self.retry_after = retry_after

    def headers(self, request) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class AuthenticationFailed(APIError):
    """RFC 6750 §3: every refusal of the credentials carries its challenge."""

    def __init__(self, status: int, code: Code, message: str, challenge: str):
        super().__init__(message, code)
        self.status, self.challenge = status, challenge

    def headers(self, request) -> dict[str, str]:
        challenge = self.challenge if self.status == 400 else with_resource_metadata(self.challenge, request)
        return {"WWW-Authenticate": challenge}


def with_resource_metadata(challenge: str, request) -> str:
    """RFC 9728 §5.1: a 401 or 403 challenge names where to learn how to get a token (SPEC §2.5)."""
    return f'{challenge}, resource_metadata="{protected_resource_metadata_url(request)}"'


def invalid_request(message: str) -> AuthenticationFailed:
    return AuthenticationFailed(400, Code.INVALID_REQUEST, message, 'Bearer error="invalid_request"')


def invalid_token() -> AuthenticationFailed:
    message = "The access token is unknown, expired or revoked."
    return AuthenticationFailed(
        401, Code.INVALID_TOKEN, message, f'Bearer error="invalid_token", error_description="{message}"'
    )


class DPoPProofRefused(AuthenticationFailed):
    """SPEC §2.6, RFC 9449 §7.1: the DPoP challenge, with the server's nonce when the proof lacked it (§9)."""

    def __init__(self, error: str, message: str, nonce: str | None = None):
        code = Code.USE_DPOP_NONCE if error == "use_dpop_nonce" else Code.INVALID_DPOP_PROOF
        super().__init__(401, code, message, f'DPoP error="{error}", algs="{" ".join(DPOP_ALGORITHMS)}"')
        self.nonce = nonce

    def headers(self, request) -> dict[str, str]:
        headers = super().headers(request)
        if self.nonce is not None:
            headers["DPoP-Nonce"] = self.nonce
        return headers


def unauthenticated() -> AuthenticationFailed:
    return AuthenticationFailed(
        401, Code.UNAUTHENTICATED, "Send an access token: Authorization: Bearer <token>.", 'Bearer realm="graphql"'
    )


def request_too_large(reason) -> BadRequest:
    """Django's own request limits (body size, number of fields) refuse with SuspiciousOperation."""
    return BadRequest(f"The request is too large: {reason}")


def error_response(error: APIError, request) -> HttpResponse:
    """``errors`` and never ``data``, in the media type the client accepts, with the status it implies."""
    media_type = media_types.response_type(request)
    response = json_response({"errors": error.as_errors()}, media_types.status_of(error, media_type), media_type)
    for name, value in error.headers(request).items():
        response[name] = value
    return response


class OperationDenied(APIError):
    """403 (SPEC §3): every root field of the operation is denied by scope, decided before execution
    from the gate (which depends on the token and the arguments only). Each denied field's error, as
    execution would have given it (message, location, path, scopes); no ``data``."""

    status, code = 403, Code.INSUFFICIENT_SCOPE

    def __init__(self, errors: list[GraphQLError], needed: set[str]):
        super().__init__(errors[0].message)
        self.errors, self.needed = errors, needed

    def as_errors(self) -> list[dict]:
        return [error.formatted for error in self.errors]

    def headers(self, request) -> dict[str, str]:
        return {"WWW-Authenticate": insufficient_scope_challenge(self.needed, request)}


def insufficient_scope_challenge(scopes, request) -> str:
    return with_resource_metadata(f'Bearer error="insufficient_scope", scope="{" ".join(sorted(scopes))}"', request)


# --- Errors of fields, in a response that executed ----------------------------------------------


def api_error(code: Code, message: str, **extensions) -> GraphQLError:
    """An error a resolver raises on purpose: its message and code reach the client as they are."""
    return GraphQLError(message, extensions={"code": code.value, **extensions})


def scope_list(scopes) -> str:
    return ", ".join(sorted(scopes)) or "none"


def insufficient_scope(required: frozenset[str], granted: frozenset[str]) -> GraphQLError:
    missing = sorted(required - granted)
    noun = "scope" if len(missing) == 1 else "scopes"
    wanted = ", ".join(f"'{scope}'" for scope in missing)
    return api_error(
        Code.INSUFFICIENT_SCOPE,
        f"This field requires the {wanted} {noun}; the token has: {scope_list(granted)}.",
        requiredScopes=sorted(required),
        grantedScopes=sorted(granted),
    )


def not_found(global_id: str) -> GraphQLError:
    return api_error(Code.NOT_FOUND, f"Nothing has the id {global_id!r}, or you may not see it.")


def internal_error(request_id: str) -> dict:
    """What a client sees of an unexpected failure: no text, SQL or trace; the id finds the log line."""
    return {
        "message": "Internal server error",
        "extensions": {"code": Code.INTERNAL_SERVER_ERROR.value, "requestId": request_id},
    }


def is_deliberate(error: GraphQLError) -> bool:
    """Raised on purpose through ``api_error`` (it has a code); anything else is a defect to mask."""
    return "code" in (error.extensions or {}) and (
        error.original_error is None or isinstance(error.original_error, GraphQLError)
    )


def json_response(body: dict, status: int, media_type: str = media_types.JSON) -> HttpResponse:
    response = HttpResponse(json_bytes(body), status=status, content_type=media_type)
    response["Vary"] = "Accept"  # the media type, and with it the status, follows Accept (SPEC §5)
    return response


def json_bytes(body: dict) -> bytes:
    """orjson writes a list's body in a tenth of the time; what it refuses (a lone surrogate echoed
    from input, an integer past 64 bits) the standard library writes, so no body is ever a 500."""
    try:
        return orjson.dumps(body)
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(body, separators=(",", ":")).encode()
