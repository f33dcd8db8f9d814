"""The one place where API error codes are named and error objects are built (SPEC §3, §5)."""

import json
from enum import StrEnum

from django.http import HttpResponse
from graphql import GraphQLError


class Code(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    INVALID_REQUEST = "INVALID_REQUEST"
    INVALID_TOKEN = "INVALID_TOKEN"
    INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_REQUEST = "BAD_REQUEST"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
    QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
    TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    THROTTLED = "THROTTLED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


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


def error_body(code: Code, message: str, **extensions) -> dict:
    """The body of a response that did not execute: one error, with its code."""
    return {"errors": [{"message": message, "extensions": {"code": code.value, **extensions}}]}


def json_response(body: dict, status: int) -> HttpResponse:
    return HttpResponse(json.dumps(body, separators=(",", ":")), status=status, content_type="application/json")


class BadRequest(Exception):
    """A request refused before execution: its HTTP status, code and message reach the client."""

    def __init__(self, status: int, code: Code, message: str, **extensions):
        super().__init__(message)
        self.status, self.code, self.message, self.extensions = status, code, message, extensions
