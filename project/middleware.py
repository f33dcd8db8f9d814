"""The first middleware (SPEC §6): a request id on every request and response, one log line each."""

import logging
import time

from django.utils.functional import SimpleLazyObject, empty

from project import request_context
from users.request_ids import request_id_of

log = logging.getLogger("request")
# Endpoints where a 200 means the client authenticated, so the client id it named is its own.
CLIENT_AUTHENTICATED_PATHS = ("/o/token/", "/o/revoke_token/", "/o/introspect/")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id_of(request)
        marker = request_context.set_current(request)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            log_request(request, response.status_code, started)
            return response
        finally:
            request_context.reset(marker)


def log_request(request, status: int, started: float) -> None:
    level = logging.ERROR if status >= 500 else logging.INFO
    fields = {
        "method": request.method,
        "path": request.path,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "client_id": client_id(request, status),
        "application_id": getattr(getattr(request, "principal", None), "application_id", None),
        "user_id": user_id(request),
        "document_id": getattr(request, "document_id", None),  # a trusted document's, when one ran (SPEC §8)
    }
    log.log(level, "%s %s %s", request.method, request.path, status, extra=fields)


def client_id(request, status: int) -> str | None:
    """The OAuth2 client's id where the request proved it, without a query of its own.

    On /graphql the one-query token lookup knows only the client's primary key (logged as
    ``application_id``); a ``client_id`` on the principal is used once it carries one.
    """
    principal = getattr(request, "principal", None)
    if principal is not None:
        return getattr(principal, "client_id", None)
    if status == 200 and request.path in CLIENT_AUTHENTICATED_PATHS:
        from users.views.token import client_id_of  # the token endpoint's own reading of the credentials

        return client_id_of(request)
    return None


def user_id(request) -> int | None:
    """The user, if something during the request already looked them up (never a query of our own)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk
