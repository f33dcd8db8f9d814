"""One list of secret parameter names (users/secret_parameters.py), and every log path keeps each out
(issue 16, item 12: project/logs.py and project/request_context.py had two lists that differed)."""

import pytest
from django.test import RequestFactory

from project import request_context
from project.logs import REDACTED, redact
from users.secret_parameters import SECRET_PARAMETERS

VALUE = "s3cr3t-value-of-some-length"


@pytest.mark.parametrize("name", SECRET_PARAMETERS)
def test_a_secret_parameter_of_the_request_is_known_to_the_log_filter(name):
    request = RequestFactory().post("/o/token/", {name: VALUE})
    request.POST  # noqa: B018 - parsed, as the view would have
    marker = request_context.set_current(request)
    try:
        assert VALUE in request_context.secrets()
    finally:
        request_context.reset(marker)


@pytest.mark.parametrize("name", SECRET_PARAMETERS)
def test_a_secret_parameter_is_redacted_wherever_it_is_named(name):
    assert redact(f"body: {name}={VALUE}&x=1") == f"body: {name}={REDACTED}&x=1"
