"""What /graphql accepts on the wire (SPEC §3, §5): GET with query parameters, or POST with a JSON
object in UTF-8, from a client that accepts an answer we can give (``schema.media_types``).
Everything else is refused here, before any GraphQL work, with its own code."""

import json
from dataclasses import dataclass

from django.core.exceptions import BadRequest as DjangoBadRequest
from django.http.multipartparser import MultiPartParserError

from schema import media_types
from schema.errors import BadRequest, Code, GraphQLRequestError, NotAcceptable, UnsupportedMediaType, invalid_request
from schema.trusted_documents import requested_id
from users.text import is_unicode

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
TOKEN_IN_BODY = "Send the access token in the Authorization header, not in the body."


@dataclass(frozen=True)
class GraphQLParams:
    query: str | None  # None: the request names a trusted document instead (SPEC §8)
    variables: dict | None
    operation_name: str | None
    document_id: str | None = None  # the hex digest a request names, with its text or alone
    size: int = 0  # characters the request carried (body, or query string): what parsing it cost


def read_params(request) -> GraphQLParams:
    if media_types.negotiated(request) is None:
        raise NotAcceptable(f"Accept {media_types.GRAPHQL_RESPONSE} or {media_types.JSON}.")
    data = _get_params(request) if request.method == "GET" else _post_params(request)
    query, variables, operation_name = data.get("query"), data.get("variables"), data.get("operationName")
    if data.get("extensions") is not None and not isinstance(data["extensions"], dict):
        raise BadRequest("`extensions` must be a JSON object.")  # GraphQL over HTTP: a map, or absent
    document_id = requested_id(data)
    if document_id is not None and query in (None, ""):
        query = None  # by id alone
    elif not isinstance(query, str) or not query.strip():
        raise BadRequest("`query` must be a non-empty string.")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest("`variables` must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("`operationName` must be a string.")
    size = len(request.body) if request.method != "GET" else len(request.META.get("QUERY_STRING", ""))
    return GraphQLParams(query, variables, operation_name or None, document_id, size)


def _get_params(request) -> dict:
    variables, extensions = (_json_param(request, name) for name in ("variables", "extensions"))
    return {
        "query": request.GET.get("query"),
        "variables": variables or None,
        "operationName": request.GET.get("operationName"),
        "documentId": request.GET.get("documentId"),
        "extensions": extensions or None,
    }


def _json_param(request, name: str):
    value = request.GET.get(name)
    if value:
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            raise BadRequest(f"`{name}` is not valid JSON.") from None
    return value


def _post_params(request) -> dict:
    content_type = request.content_type or ""
    if content_type in FORM_TYPES and _form_has_token(request):
        raise invalid_request(TOKEN_IN_BODY)
    if content_type != "application/json":
        raise UnsupportedMediaType("Send the request body as application/json.")
    try:
        data = json.loads(request.body.decode("utf-8"))  # bytes alone would let json guess UTF-16 or 32
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BadRequest("The request body is not valid JSON in UTF-8.") from None
    if isinstance(data, list):
        raise BadRequest("Batched requests are not supported: send one operation.")
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    if "access_token" in data:
        raise invalid_request(TOKEN_IN_BODY)
    return data


def _form_has_token(request) -> bool:
    """A form body is refused either way (415); one carrying a token says so (400, SPEC §3). Django
    parses it in the charset the request names, and refuses some (Django 5.1+ allows only UTF-8 for
    form-encoded bodies; an unknown charset; a multipart body without a boundary): such a body holds
    no token we could read."""
    try:
        return "access_token" in request.POST
    except (DjangoBadRequest, MultiPartParserError, LookupError, ValueError):
        return False


MAX_VARIABLE_DEPTH = 64  # no input type of the schema nests nearly as deep


def invalid_text(value) -> bool:
    """A lone surrogate anywhere in a JSON value (SPEC §5: invalid Unicode is bad input, never a 500).
    Iterative, and refused past ``MAX_VARIABLE_DEPTH`` levels: 900 nested lists (1.8 KB) were a
    RecursionError, a 500."""
    pending = [(value, 0)]
    while pending:
        current, depth = pending.pop()
        if depth > MAX_VARIABLE_DEPTH:
            raise GraphQLRequestError(f"`variables` nest deeper than {MAX_VARIABLE_DEPTH} levels.")
        if isinstance(current, str):
            if not is_unicode(current):
                return True
        elif isinstance(current, dict):
            pending.extend((item, depth + 1) for pair in current.items() for item in pair)
        elif isinstance(current, list):
            pending.extend((item, depth + 1) for item in current)
    return False


def check_text(variables: dict | None) -> None:
    if invalid_text(variables):
        raise GraphQLRequestError(
            "A variable holds text that is not valid Unicode (a lone surrogate).", Code.BAD_USER_INPUT
        )
