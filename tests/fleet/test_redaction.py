"""The one redaction filter (project/logs.py) on the shapes libraries log secrets in; the end-to-end
proof is tests/fleet/test_logs.py, these pin each shape and what must stay readable."""

import logging
import sys

import pytest

from project.logs import REDACTED, JsonLines, RedactSecrets, redact

SECRET = "Zx9vQm2LpR7tK4wN8yB3cF6hJ1sD5gA0"


@pytest.mark.parametrize(
    "line",
    [
        f"Issuing token {{'access_token': '{SECRET}', 'expires_in': 1200}} to client id 'abc'",
        f"Saving grant {{'code': '{SECRET}', 'state': 'xyz'}} for <Request>",
        f"body: grant_type=refresh_token&refresh_token={SECRET}&scope=read",
        f'{{"client_secret": "{SECRET}"}}',
        f"password={SECRET}",
        f"Validating refresh token {SECRET} for client 'abc'.",
        f"Invalid refresh token, {SECRET}, for client 'abc'.",
        f"Authorization: Bearer {SECRET}",
        f"HTTP_AUTHORIZATION: 'Basic {SECRET}=='",
        f"code_verifier={SECRET}",
        f'"GET /graphql?code={SECRET}&state=s HTTP/1.1" 200 512',  # runserver's line for a redirect back
    ],
)
def test_each_shape_is_redacted(line):
    assert SECRET not in redact(line)
    assert REDACTED in redact(line)


def test_what_is_not_secret_stays_readable():
    line = "Client id 'p5YXJEU7lmKfqKdVdyRONgqyA9PZgS1kiUh3weZj' asked grant_type=password scope=read"
    assert redact(line) == line


def test_values_the_request_carried_are_redacted_wherever_they_appear():
    assert redact(f"Validating username alice with {SECRET[:12]}", known=(SECRET[:12],)) == (
        f"Validating username alice with {REDACTED}"
    )


def test_the_filter_rewrites_message_arguments_and_traceback():
    try:
        raise ValueError(f"refresh_token={SECRET}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, "", 0, "got %s", (f"code={SECRET}",), exc_info=True)
        record.exc_info = sys.exc_info()
    record.request = f"<WSGIRequest: POST '/o/token/?token={SECRET}'>"
    assert RedactSecrets().filter(record) is True
    assert SECRET not in record.getMessage() and SECRET not in record.exc_text and SECRET not in record.request
    line = JsonLines("%(levelname)s %(message)s").format(record)
    assert "Traceback (most recent call last)" in line and SECRET not in line
    assert record.exc_info is not None  # left for other handlers (pytest's caplog, an error tracker)
