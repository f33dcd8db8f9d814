"""Which media type /graphql answers in, and a request error's status under it (SPEC §5 "Media types").

The GraphQL over HTTP specification (draft, §Accept, §Body, §Status codes) defines two response types:

- ``application/graphql-response+json``: the status says what happened. A request error (the JSON
  body was fine but the document does not parse or validate, exceeds a limit, or its variables do not
  coerce) is a 4xx with ``errors`` and no ``data``.
- ``application/json``, for legacy clients: such a request error is 200 with ``errors`` and no ``data``,
  as GitHub answers it; a malformed HTTP request keeps its 4xx.

``Accept`` chooses (RFC 9110 §12.5.1, q-values included): ``application/graphql-response+json`` when
the client names it (wildcards stand for ``application/json``, so ``*/*`` and no ``Accept`` stay
legacy) at a q no lower than ``application/json``'s; else ``application/json``; an ``Accept`` that
allows neither is 406. Authentication, authorization, method, content-type and throttling keep their
codes under both.
"""

from functools import lru_cache
from typing import Protocol

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
OFFERED = (GRAPHQL_RESPONSE, JSON)
# Legacy clients get a GraphQL request error as a 200: the HTTP request itself was well formed.
LEGACY_REQUEST_ERROR_STATUS = 200


class RequestError(Protocol):
    status: int
    graphql_request_error: bool  # the HTTP request was well formed; the GraphQL request was not


def accepted_ranges(accept: str) -> list[tuple[str, str, float]]:
    """(type, subtype, q) of each media range in an ``Accept`` value; unreadable ranges are skipped."""
    ranges = []
    for item in accept.split(","):
        media_range, *parameters = (part.strip() for part in item.split(";"))
        kind, slash, subtype = media_range.lower().partition("/")
        if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
            continue
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0  # RFC 9110 §12.4.2: a weight that is not a number accepts nothing
        ranges.append((kind, subtype, q))
    return ranges


def quality(media_type: str, ranges: list[tuple[str, str, float]], wildcards: bool) -> float:
    """The q of ``media_type``: that of the most specific range matching it (RFC 9110 §12.5.1)."""
    kind, subtype = media_type.split("/")
    best_specificity, q = -1, 0.0
    for range_kind, range_subtype, range_q in ranges:
        if (range_kind, range_subtype) == (kind, subtype):
            specificity = 2
        elif wildcards and range_kind == kind and range_subtype == "*":
            specificity = 1
        elif wildcards and range_kind == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, q = specificity, range_q
    return q


@lru_cache(maxsize=256)
def choose(accept: str | None) -> str | None:
    """The media type to answer an ``Accept`` value with, or None when it allows neither (406)."""
    ranges = accepted_ranges(accept or "")
    if not ranges:  # absent, empty or unreadable: the draft says assume application/json
        return JSON
    graphql_response = quality(GRAPHQL_RESPONSE, ranges, wildcards=False)
    json = quality(JSON, ranges, wildcards=True)
    if graphql_response > 0 and graphql_response >= json:
        return GRAPHQL_RESPONSE
    return JSON if json > 0 else None


def negotiated(request) -> str | None:
    return choose(request.headers.get("Accept"))


def response_type(request) -> str:
    """The media type of this request's answer; an error answered before the 406 (or the 406 itself) is JSON."""
    return negotiated(request) or JSON


def status_of(error: RequestError, media_type: str) -> int:
    """A request error's status under the response's media type (SPEC §5)."""
    if media_type == JSON and error.graphql_request_error:
        return LEGACY_REQUEST_ERROR_STATUS
    return error.status
