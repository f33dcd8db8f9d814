"""The request id (SPEC §6): every response carries ``X-Request-ID``, every log line and every 500 body
names it. This function is the one that decides it, for the first middleware and for any code that runs
without it (a test, an error answered before it)."""

import re
import uuid

# An id a load balancer or caller already gave the request is kept, if it is safe to echo and log.
INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def request_id_of(request) -> str:
    """The request's id, decided once: a well-formed incoming ``X-Request-ID``, else a new one."""
    request_id = getattr(request, "request_id", None)
    if request_id is None:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = request.request_id = incoming if INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
    return request_id
