"""SPEC §2: what /o/token/, /o/revoke_token/ and /o/introspect/ share (users/views/base.py): POST with a UTF-8
form body only, each parameter at most once, every error RFC 6749 §5.2 JSON (an unexpected one a 500 with a
request id and no trace), and ``Basic realm="oauth2"`` on every 401 ``invalid_client``."""

import base64
import logging
import warnings

import pytest
from django.core.cache.backends.base import CacheKeyWarning
from django.test import Client

from tests.users.client_side import PASSWORD, basic_auth
from users.models import Application
from users.oauth2 import Validator

ENDPOINTS = ["/o/token/", "/o/revoke_token/", "/o/introspect/"]
FORM = "application/x-www-form-urlencoded"
BASIC_CHALLENGE = 'Basic realm="oauth2"'


@pytest.fixture
def introspector(make_application):
    return make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes="read introspection")


def post(path, body: bytes, content_type=FORM, application=None, **headers):
    if application is not None:
        headers["HTTP_AUTHORIZATION"] = basic_auth(application.client_id, application.raw_secret)
    # generic(): post() would re-encode the bytes into the content type's charset.
    return Client().generic("POST", path, body, content_type=content_type, **headers)


def assert_invalid_request(response, description=None):
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert sorted(body) == ["error", "error_description"]
    assert body["error"] == "invalid_request"
    if description is not None:
        assert body["error_description"] == description


# Each is a body Django would read wrongly or not at all: SPEC §2 "wrong encoding, a multipart body
# without a boundary" is invalid_request, and RFC 6749 §3.2 names the one format, UTF-8 forms (Appendix B).
UNREADABLE_BODIES = [
    pytest.param(f"{FORM}; charset=latin-1", b"grant_type=password&token=t%E9", id="latin-1"),
    pytest.param(f"{FORM}; charset=iso-8859-1", b"grant_type=password&token=t", id="iso-8859-1-even-if-ascii"),
    pytest.param(f"{FORM}; charset=utf-16", "grant_type=password&token=t".encode("utf-16"), id="utf-16"),
    pytest.param(f"{FORM}; charset=utf8", b"grant_type=password&token=t", id="utf8-alias-django-refuses"),
    pytest.param(f"{FORM}; charset=no-such-charset", b"grant_type=password&token=t", id="unknown-charset"),
    pytest.param(FORM, b"grant_type=password&token=t\xff\xfe", id="raw-bytes-not-utf8"),
    pytest.param(FORM, b"grant_type=password&token=t%FF%FE", id="escaped-bytes-not-utf8"),
    pytest.param("multipart/form-data", b"grant_type=password&token=t", id="multipart-without-boundary"),
    pytest.param("multipart/form-data; boundary=", b"--\r\n", id="multipart-empty-boundary"),
    pytest.param("multipart/form-data; boundary=x; charset=utf-16", b"--x--\r\n", id="multipart-utf-16"),
    pytest.param("multipart/form-data; boundary=" + "x" * 250, b"--x--\r\n", id="multipart-invalid-boundary"),
    pytest.param("application/json", b'{"grant_type": "password", "token": "t"}', id="json"),
    pytest.param("text/plain", b"grant_type=password&token=t", id="text-plain"),
]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(("content_type", "body"), UNREADABLE_BODIES)
def test_a_body_that_is_not_a_utf8_form_is_400_invalid_request(introspector, path, content_type, body):
    assert_invalid_request(post(path, body, content_type, application=introspector))


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("charset", ["", "; charset=utf-8", "; charset=UTF-8"])
def test_a_utf8_form_in_any_spelling_of_utf8_is_read(introspector, path, charset):
    body = b"grant_type=client_credentials&token=no-such-token"
    response = post(path, body, FORM + charset, application=introspector)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "parameter", ["grant_type", "scope", "client_id", "client_secret", "token", "token_type_hint", "username"]
)
def test_a_repeated_parameter_is_400_invalid_request(introspector, path, parameter):
    """RFC 6749 §3.1: parameters MUST NOT be included more than once (DOT keeps the last)."""
    body = f"grant_type=client_credentials&token=t&{parameter}=a&{parameter}=b"
    response = post(path, body.encode(), application=introspector)
    assert_invalid_request(response, f"Each parameter may appear once; repeated: {parameter} (RFC 6749 §3.1).")


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"grant_type=client_credentials&token=t%00", id="token"),
        pytest.param(b"grant_type=client_credentials%00&token=t", id="grant-type"),
        pytest.param(b"grant_type=client_credentials&token=t&scope=read%00", id="scope"),
        pytest.param(b"grant_type=client_credentials&token=t&client_id=%00", id="client-id"),
    ],
)
def test_nul_characters_are_400_invalid_request(introspector, path, body):
    assert_invalid_request(post(path, body, application=introspector), "Null characters are not allowed.")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_nul_character_in_the_basic_client_id_is_400_invalid_request(introspector, path):
    header = "Basic " + base64.b64encode(b"\x00client:" + introspector.raw_secret.encode()).decode()
    response = post(path, b"grant_type=client_credentials&token=t", HTTP_AUTHORIZATION=header)
    assert_invalid_request(response, "Null characters are not allowed.")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_two_client_authentication_methods_are_400_invalid_request(introspector, path):
    """RFC 6749 §2.3: a client MUST NOT use more than one authentication method in a request."""
    body = f"grant_type=client_credentials&token=t&client_secret={introspector.raw_secret}"
    response = post(path, body.encode(), application=introspector)
    assert_invalid_request(response, "Authenticate the client once: HTTP Basic or the body (RFC 6749 §2.3).")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_body_client_id_naming_another_client_than_basic_is_400_invalid_request(introspector, path):
    body = b"grant_type=client_credentials&token=t&client_id=someone-else"
    response = post(path, body, application=introspector)
    assert_invalid_request(response, "client_id names another client than the HTTP Basic credentials.")


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "head"])
def test_other_methods_than_post_are_405_json(introspector, path, method):
    auth = basic_auth(introspector.client_id, introspector.raw_secret)
    response = getattr(Client(), method)(path, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    if method != "head":
        assert response.json() == {"error": "invalid_request", "error_description": "Use POST."}


def test_introspection_with_the_token_in_the_url_is_405_and_says_nothing(introspector, make_token, alice):
    """SPEC §2: POST only. DOT's IntrospectTokenView answers GET ?token=... with the token's details."""
    token = make_token(alice)
    auth = basic_auth(introspector.client_id, introspector.raw_secret)
    response = Client().get("/o/introspect/", {"token": token}, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert b"alice" not in response.content


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param("basic-wrong-secret", id="basic-wrong-secret"),
        pytest.param("basic-unknown-client", id="basic-unknown-client"),
        pytest.param("basic-garbage", id="basic-garbage"),
        pytest.param("body-wrong-secret", id="body-wrong-secret"),
    ],
)
def test_invalid_client_challenges_with_basic(introspector, path, credentials):
    """RFC 6749 §5.2: a 401 invalid_client names the scheme the client authenticates with, HTTP Basic."""
    headers, body = {}, "grant_type=client_credentials&token=t"
    if credentials == "basic-wrong-secret":
        headers["HTTP_AUTHORIZATION"] = basic_auth(introspector.client_id, "w" * 64)
    elif credentials == "basic-unknown-client":
        headers["HTTP_AUTHORIZATION"] = basic_auth("no-such-client", introspector.raw_secret)
    elif credentials == "basic-garbage":
        headers["HTTP_AUTHORIZATION"] = "Basic !!!"
    else:
        body += f"&client_id={introspector.client_id}&client_secret={'w' * 64}"
    response = post(path, body.encode(), **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == BASIC_CHALLENGE
    assert response.json()["error"] == "invalid_client"


@pytest.fixture
def broken_validator(monkeypatch):
    """An unexpected error where all three endpoints pass: authenticating the client."""

    def boom(self, request, *args, **kwargs):
        raise RuntimeError("secret detail: SELECT * FROM oauth2_provider_application")

    monkeypatch.setattr(Validator, "authenticate_client", boom)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_is_a_json_500_with_a_request_id_and_no_trace(
    introspector, broken_validator, settings, caplog, path, debug
):
    settings.DEBUG = debug
    body = f"grant_type=password&username=alice&password={PASSWORD}&token=t".encode()
    with caplog.at_level(logging.ERROR, logger="users.oauth2"):
        response = post(path, body, application=introspector)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert sorted(body) == ["error", "error_description", "request_id"]
    assert body["error"] == "server_error"
    assert b"secret detail" not in response.content and b"Traceback" not in response.content
    [record] = [r for r in caplog.records if r.name == "users.oauth2"]
    assert body["request_id"] in record.getMessage()
    assert "RuntimeError: secret detail" in caplog.text  # the traceback goes to the log


@pytest.mark.parametrize("path", ENDPOINTS)
def test_the_request_id_is_the_one_the_request_carries(introspector, broken_validator, path):
    response = post(path, b"grant_type=client_credentials&token=t", application=introspector, HTTP_X_REQUEST_ID="r-1")
    assert response.status_code == 500
    assert response.json()["request_id"] == response["X-Request-ID"] == "r-1"  # set by project.middleware


@pytest.mark.parametrize("path", ENDPOINTS)
def test_the_endpoints_take_no_csrf_token(introspector, path):
    """Machine endpoints: clients authenticate with credentials, never with a cookie (RFC 6749 §3.2)."""
    auth = basic_auth(introspector.client_id, introspector.raw_secret)
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"grant_type": "client_credentials", "token": "t"}, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("query", ["token=t", "grant_type=client_credentials", "x"])
def test_parameters_in_the_url_are_400_invalid_request(introspector, path, query):
    """A token in a URL ends up in logs and histories: the body is the one place (RFC 6749 §3.2, RFC 7662 §2.1)."""
    response = post(f"{path}?{query}", b"grant_type=client_credentials&token=t", application=introspector)
    assert_invalid_request(response, "Send the parameters in the body, not in the URL (RFC 6749 §3.2).")


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("client_id", "secret"),
    [
        pytest.param("x" * 10_000, "s" * 64, id="huge-client-id"),
        pytest.param("ünïcødé-🔑", "s" * 64, id="non-ascii-client-id"),
        pytest.param("%zz%", "s" * 64, id="bad-percent-escapes"),
        pytest.param("", "s" * 64, id="empty-client-id"),
        pytest.param("client", "", id="empty-secret"),
        pytest.param("client", "s" * 100_000, id="huge-secret"),
    ],
)
def test_odd_credentials_are_401_invalid_client_on_every_database(db, path, client_id, secret):
    raw = f"{client_id}:{secret}".encode()
    header = "Basic " + base64.b64encode(raw).decode()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)  # the failure counter's key stays a valid one
        response = post(path, b"grant_type=client_credentials&token=t", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == BASIC_CHALLENGE
    assert response.json()["error"] == "invalid_client"
