"""SPEC §2: the password and client-credentials grants at /o/token/, and how the token endpoint answers errors."""

import base64
import json

import pytest
from django.test import Client
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from tests.users.client_side import PASSWORD, basic_auth
from users.forms import ApplicationForm
from users.grants import offered_grant_types, registrable_grants
from users.models import Application

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
ME = "{ me { username } }"


def test_password_grant_with_basic_client_credentials_issues_bearer_and_refresh_token(password_client, password_grant):
    response = password_grant(password_client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"  # RFC 6749 §5.1
    body = response.json()
    assert sorted(body) == ["access_token", "expires_in", "refresh_token", "scope", "token_type"]
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 1200
    assert body["scope"] == "read"
    assert body["refresh_token"] != body["access_token"]


def test_password_grant_token_belongs_to_the_user_and_client(alice, password_client, password_grant):
    password_grant(password_client)
    token = AccessToken.objects.get()
    assert (token.user, token.application) == (alice, password_client)
    assert RefreshToken.objects.filter(user=alice, application=password_client, access_token=token).count() == 1


def test_password_grant_token_authenticates_on_graphql(password_client, password_grant, graphql):
    token = password_grant(password_client).json()["access_token"]
    response = graphql(ME, token=token)
    assert response.status == 200
    assert response.data == {"me": {"username": "alice"}}


@pytest.mark.parametrize(
    ("username", "password"),
    [
        pytest.param("alice", "wrong-password", id="wrong-password"),
        pytest.param("nobody", PASSWORD, id="unknown-user"),
        pytest.param("inactive", PASSWORD, id="inactive-user"),
    ],
)
def test_password_grant_with_bad_user_credentials_is_400_invalid_grant(
    make_user, password_client, password_grant, username, password
):
    make_user("inactive", is_active=False)
    response = password_grant(password_client, username=username, password=password)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "invalid_grant", "error_description": "Invalid credentials given."}
    assert AccessToken.objects.count() == 0


@pytest.mark.parametrize(
    ("case", "data"),
    [
        ("username", {"username": "ali\x00ce", "password": PASSWORD}),
        ("password", {"username": "alice", "password": "pass\x00word"}),
        ("scope", {"username": "alice", "password": PASSWORD, "scope": "read\x00"}),
        ("client id in body", {"username": "alice", "password": PASSWORD, "client_id": "\x00"}),
    ],
)
def test_nul_characters_are_400_invalid_request_on_every_database(password_client, token_endpoint, case, data):
    response = token_endpoint(password_client, grant_type="password", **data)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert AccessToken.objects.count() == 0


def encoded(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(lambda app: basic_auth(app.client_id, "not-the-secret"), id="wrong-secret"),
        pytest.param(lambda app: basic_auth("no-such-client", app.raw_secret), id="unknown-client-id"),
        pytest.param(lambda app: "", id="no-client-credentials"),
        pytest.param(lambda app: "Basic", id="basic-without-credentials"),
        pytest.param(lambda app: "Basic !!!not-base64!!!", id="garbage-basic"),
        pytest.param(lambda app: "Basic " + encoded(b"\xff\xfe:\x00"), id="basic-not-utf8"),
        pytest.param(lambda app: "Basic " + encoded(app.client_id.encode()), id="basic-without-colon"),
        pytest.param(lambda app: "Bearer " + app.raw_secret, id="bearer-instead-of-basic"),
    ],
)
def test_bad_client_credentials_are_401_invalid_client(alice, password_client, token_endpoint, authorization):
    header = authorization(password_client)
    response = token_endpoint(authorization=header, grant_type="password", username="alice", password=PASSWORD)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == 'Basic realm="oauth2"'  # RFC 6749 §5.2: the scheme clients use
    assert response.json() == {"error": "invalid_client"}
    assert AccessToken.objects.count() == 0


def test_client_secret_in_the_body_also_authenticates(alice, password_client):
    data = {
        "grant_type": "password",
        "username": "alice",
        "password": PASSWORD,
        "client_id": password_client.client_id,
        "client_secret": password_client.raw_secret,
    }
    response = Client().post("/o/token/", data)
    assert response.status_code == 200
    assert AccessToken.objects.count() == 1


OFFERED = (
    "Use one of: authorization_code, password, client_credentials, refresh_token,"
    " urn:ietf:params:oauth:grant-type:device_code"
)


@pytest.mark.parametrize(
    ("data", "error", "description"),
    [
        pytest.param({}, "unsupported_grant_type", OFFERED, id="missing-grant-type"),
        pytest.param({"grant_type": "magic"}, "unsupported_grant_type", OFFERED, id="unknown-grant-type"),
        pytest.param({"grant_type": "implicit"}, "unsupported_grant_type", OFFERED, id="implicit-grant-type"),
        pytest.param(
            {"grant_type": "password", "username": "alice"},
            "invalid_request",
            "Request is missing password parameter.",
            id="missing-password",
        ),
        pytest.param(
            {"grant_type": "password", "password": PASSWORD},
            "invalid_request",
            "Request is missing username parameter.",
            id="missing-username",
        ),
        pytest.param(
            {"grant_type": "refresh_token"}, "invalid_request", "Missing refresh token parameter.", id="missing-refresh"
        ),
        pytest.param(
            {"grant_type": "authorization_code"}, "invalid_request", "Missing code parameter.", id="missing-code"
        ),
    ],
)
def test_malformed_token_request_is_400_json(alice, password_client, token_endpoint, data, error, description):
    response = token_endpoint(password_client, **data)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": error, "error_description": description}


def test_json_body_is_400_invalid_request_json_not_html(password_client):
    """RFC 6749 §3.2: the parameters come as a form (DOT read none and said unsupported_grant_type)."""
    body = json.dumps({"grant_type": "password", "username": "alice", "password": PASSWORD})
    auth = basic_auth(password_client.client_id, password_client.raw_secret)
    response = Client().post("/o/token/", body, content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Send the parameters as application/x-www-form-urlencoded (RFC 6749 §3.2).",
    }


def test_get_on_token_endpoint_is_405_json(db):
    response = Client().get("/o/token/", {"grant_type": "password"})
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"error": "invalid_request", "error_description": "Use POST."}


def test_client_registered_for_another_grant_is_400_unauthorized_client(alice, make_application, token_endpoint):
    server = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS)
    response = token_endpoint(server, grant_type="password", username="alice", password=PASSWORD)
    assert response.status_code == 400
    assert response.json() == {"error": "unauthorized_client"}
    assert AccessToken.objects.count() == 0


def test_client_credentials_token_has_no_user_and_no_refresh_token(make_application, token_endpoint):
    server = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes="read groups")
    response = token_endpoint(server, grant_type="client_credentials", scope="read groups")
    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["access_token", "expires_in", "scope", "token_type"]
    assert (body["scope"], body["expires_in"]) == ("read groups", 1200)
    token = AccessToken.objects.get()
    assert (token.user, token.application) == (None, server)
    assert RefreshToken.objects.count() == 0


@pytest.mark.parametrize(
    ("scope", "status", "granted"),
    [
        pytest.param("groups", 200, "groups", id="allowed-scope"),
        pytest.param("read groups", 200, "read groups", id="all-allowed-scopes"),
        pytest.param("write", 400, None, id="scope-not-allowed"),
        pytest.param("read write", 400, None, id="one-scope-not-allowed"),
        pytest.param("introspection", 400, None, id="introspection-not-allowed"),
    ],
)
def test_client_credentials_scopes_are_limited_to_the_clients_allowed_scopes(
    make_application, token_endpoint, scope, status, granted
):
    server = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes="read groups")
    response = token_endpoint(server, grant_type="client_credentials", scope=scope)
    assert response.status_code == status
    if granted is None:
        assert response.json() == {"error": "invalid_scope"}
        assert AccessToken.objects.count() == 0
    else:
        assert response.json()["scope"] == granted
        assert AccessToken.objects.get().scope == granted


def test_client_credentials_token_gets_no_user_on_graphql(make_application, token_endpoint, graphql):
    server = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes="read")
    token = token_endpoint(server, grant_type="client_credentials").json()["access_token"]
    response = graphql(ME, token=token)
    assert response.data == {"me": None}
    assert response.codes == ["FORBIDDEN"]


@pytest.mark.parametrize("removed", ["authorization_code", "password", "client_credentials", "refresh_token"])
def test_the_offered_grants_are_one_setting(settings, removed):
    """Issue 8 item 3: OAUTH2_GRANT_TYPES_SUPPORTED decides what /o/token/ answers, what an admin may
    register and what the metadata lists; nothing else lists the grants."""
    offered = settings.OAUTH2_PROVIDER["OAUTH2_GRANT_TYPES_SUPPORTED"]
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OAUTH2_GRANT_TYPES_SUPPORTED": [grant for grant in offered if grant != removed],
    }
    response = Client().post("/o/token/", {"grant_type": removed})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    registrable = {value for value, _ in ApplicationForm().fields["authorization_grant_type"].choices}
    expected = {"authorization-code", "password", "client-credentials", Application.GRANT_DEVICE_CODE} - {
        removed.replace("_", "-")
    }
    assert registrable == expected
    metadata = Client().get("/.well-known/oauth-authorization-server").json()
    assert removed not in metadata["grant_types_supported"]


def test_the_offered_grants_are_what_spec_2_lists(db):
    assert offered_grant_types() == (
        "authorization_code",
        "password",
        "client_credentials",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
    )
    assert registrable_grants() == (
        Application.GRANT_AUTHORIZATION_CODE,
        Application.GRANT_PASSWORD,
        Application.GRANT_CLIENT_CREDENTIALS,
        Application.GRANT_DEVICE_CODE,
    )
