"""Structured logs (SPEC §6): one JSON object per line, the request id on every line, no secrets.

One configuration, used by Django (``settings.LOGGING``) and by gunicorn (``gunicorn.conf.py``), so
every line of the process, the server's included, goes through the same two filters:

- ``RequestContext`` stamps the current request id on each record;
- ``RedactSecrets`` removes tokens, codes, client secrets and passwords. It is applied by the one
  handler rather than at call sites because most of these lines are written by libraries: with
  ``LOG_LEVEL=DEBUG`` oauthlib logs issued tokens (``Issuing token {'access_token': ...}``), refresh
  tokens (``Validating refresh token ...``) and authorization codes.
"""

import logging
import re

from pythonjsonlogger.json import JsonFormatter

from project import request_context
from users.secret_parameters import SECRET_PARAMETERS

REDACTED = "[REDACTED]"
STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_NAMES = "|".join([*SECRET_PARAMETERS, "secret", "authorization"])
# key=value, 'key': 'value', "key": "value" (url-encoded bodies, dict reprs, JSON).
KEY_VALUE = re.compile(rf"""(?i)((?<![A-Za-z0-9_])["']?(?:{_NAMES})["']?\s*[=:]\s*(?:b?["'])?)([^"'&\s,;)}}\]]+)""")
# The credential of an Authorization header, in whatever message it appears.
CREDENTIAL = re.compile(r"(?i)\b(Basic|Bearer)\s+[A-Za-z0-9\-._~+/]+=*")
# Prose such as oauthlib's "Validating refresh token <token> for client": a long word after the noun.
PROSE = re.compile(r"(?i)\b(token|code|secret|password|verifier)([\s,:(]+['\"]?)([A-Za-z0-9\-._~+/]{16,}=*)")


def redact(text: str, known: tuple[str, ...] = ()) -> str:
    """``text`` without the secrets this request carried (``known``) or that look like one."""
    for value in known:
        text = text.replace(value, REDACTED)
    text = CREDENTIAL.sub(rf"\1 {REDACTED}", text)
    text = KEY_VALUE.sub(rf"\1{REDACTED}", text)
    return PROSE.sub(rf"\1\2{REDACTED}", text)


class RedactSecrets(logging.Filter):
    """Rewrites the message and the traceback of every record, before any formatter sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        known = request_context.secrets()
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string: log it as it came, then redact that
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message, known), None
        if record.exc_info and not record.exc_text:
            # Formatters print the cached exc_text (JsonLines too); exc_info stays for other handlers.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, known)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, known)
        for name, value in list(vars(record).items()):  # extra fields, e.g. django.request's `request`
            if name not in STANDARD_ATTRIBUTES and not isinstance(value, int | float | bool | type(None)):
                setattr(record, name, redact(value if isinstance(value, str) else repr(value), known))
        return True


class RequestContext(logging.Filter):
    """Adds ``request_id`` (when the line is written during a request) unless the caller gave one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_context.request_id()
        return True


class JsonLines(JsonFormatter):
    """python-json-logger's formatter, printing the traceback the redaction filter left in ``exc_text``
    (the library would format ``exc_info`` again, unredacted; logging's own formatters use the text)."""

    def format(self, record: logging.LogRecord) -> str:
        exc_info = record.exc_info
        if record.exc_text:
            record.exc_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info = exc_info


def logging_config(level: str) -> dict:
    """The ``dictConfig`` for Django and gunicorn: JSON lines on stderr with a ``level`` key."""
    quiet = "INFO" if level == "DEBUG" else level
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request": {"()": "project.logs.RequestContext"},
            "redact": {"()": "project.logs.RedactSecrets"},
        },
        "formatters": {
            "json": {
                "()": "project.logs.JsonLines",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger", "asctime": "time"},
            }
        },
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
                "filters": ["request", "redact"],
            }
        },
        "root": {"handlers": ["json"], "level": level},
        "loggers": {
            # Named so that Django's default handlers (plain text, unfiltered) are replaced by ours.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            # SQL with its parameters (DEBUG on): INSERTs of new codes cannot be recognised as secrets.
            "django.db.backends": {"handlers": [], "level": quiet, "propagate": True},
            "gunicorn.error": {"handlers": [], "level": level, "propagate": True},
            "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": True},
        },
    }
