"""The request being served, for log lines written deep inside libraries (a context variable, so
threads and async tasks each see their own)."""

import base64
import binascii
from contextvars import ContextVar
from urllib.parse import unquote_plus

from users.secret_parameters import SECRET_PARAMETERS

_current = ContextVar("current_request", default=None)


def set_current(request):
    return _current.set(request)


def reset(marker) -> None:
    _current.reset(marker)


def current():
    """The request being served in this thread or task, or None."""
    return _current.get()


def request_id() -> str | None:
    return getattr(_current.get(), "request_id", None)


def secrets() -> tuple[str, ...]:
    """The secrets the current request carries, longest first (so a value inside another goes too).

    Reads only what the view already parsed (``_post``): parsing the body here could fail, or
    consume a stream the view has not read yet.
    """
    request = _current.get()
    if request is None:
        return ()
    found = set()
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, credential = header.partition(" ")
    if credential:
        found.add(credential.strip())
        if scheme.lower() == "basic":
            found.update(_basic_secret(credential.strip()))
    form = getattr(request, "_post", None)
    if form is not None:
        for name in SECRET_PARAMETERS:
            found.update(value for value in form.getlist(name) if value)
    return tuple(sorted((value for value in found if len(value) >= 4), key=len, reverse=True))


def _basic_secret(credential: str) -> list[str]:
    """The secret half of HTTP Basic, raw and form-decoded (RFC 6749 §2.3.1 encodes it)."""
    try:
        decoded = base64.b64decode(credential, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return []
    _, _, secret = decoded.partition(":")
    return [secret, unquote_plus(secret)]
