"""Failed logins at /o/token/ are limited per client and per address (429 with Retry-After), and client
secrets use the fast hasher only because the server makes them long and random."""

import base64

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from project import settings as project_settings
from users.models import Application


def token_request(client_id, secret, address="10.0.0.1", **data):
    auth = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return Client(REMOTE_ADDR=address).post(
        "/o/token/", {"grant_type": "client_credentials", **data}, HTTP_AUTHORIZATION=auth
    )


@pytest.fixture
def server(make_application):
    return make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes="read")


def test_failed_client_authentications_are_limited_per_client_and_address(server, settings):
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 3
    for _ in range(3):
        assert token_request(server.client_id, "x" * 64, address="10.0.0.1").status_code == 401
    refused = token_request(server.client_id, server.raw_secret, address="10.0.0.1")
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    assert 1 <= int(refused["Retry-After"]) <= settings.TOKEN_FAILURE_WINDOW_SECONDS


def test_failures_from_other_addresses_cannot_lock_a_client_out(server, settings):
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 3
    for n in range(10):
        assert token_request(server.client_id, "x" * 64, address=f"10.0.1.{n}").status_code == 401
    assert token_request(server.client_id, server.raw_secret, address="10.0.0.99").status_code == 200


def test_the_address_comes_from_the_trusted_proxy_header(server, settings):
    settings.TOKEN_FAILURES_PER_ADDRESS = 1
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    behind = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert behind.post("/o/token/", {"grant_type": "client_credentials"}).status_code == 401
    other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.8")
    auth = "Basic " + base64.b64encode(f"{server.client_id}:{server.raw_secret}".encode()).decode()
    assert other.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=auth).status_code == 200


def test_failed_logins_are_limited_per_address(make_application, settings):
    settings.TOKEN_FAILURES_PER_ADDRESS = 2
    clients = [make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, name=f"c{n}") for n in range(3)]
    assert token_request(clients[0].client_id, "y" * 64).status_code == 401
    assert token_request(clients[1].client_id, "y" * 64).status_code == 401
    assert token_request(clients[2].client_id, clients[2].raw_secret).status_code == 429
    assert token_request(clients[2].client_id, clients[2].raw_secret, address="10.9.9.9").status_code == 200


def test_wrong_user_passwords_count_as_failures(make_application, alice, settings):
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 2
    client = make_application(grant=Application.GRANT_PASSWORD)
    for _ in range(2):
        response = token_request(
            client.client_id, client.raw_secret, grant_type="password", username="alice", password="nope"
        )
        assert response.status_code == 400
    blocked = token_request(
        client.client_id, client.raw_secret, grant_type="password", username="alice", password="correct-horse-battery"
    )
    assert blocked.status_code == 429


def test_successes_do_not_count(server, settings):
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 1
    for _ in range(3):
        assert token_request(server.client_id, server.raw_secret).status_code == 200


def test_client_secrets_are_stored_with_the_client_secret_hasher(server):
    assert identify_hasher(server.client_secret).algorithm == "client_secret_sha256"
    assert server.raw_secret not in server.client_secret


def test_user_passwords_keep_djangos_default_hasher(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert identify_hasher(make_password("a user's password")).algorithm == "pbkdf2_sha256"


def test_a_short_secret_is_refused_without_hashing(make_application):
    weak = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS)
    Application.objects.filter(pk=weak.pk).update(client_secret=make_password("short", hasher="client_secret_sha256"))
    assert token_request(weak.client_id, "short").status_code == 401


def test_an_admin_cannot_set_a_short_secret(server):
    server.client_secret = "hunter2"
    with pytest.raises(ValidationError) as raised:
        server.full_clean()
    assert "client_secret" in raised.value.message_dict


def test_device_code_grant_without_device_code_is_a_json_400_not_a_500(server):
    response = token_request(
        server.client_id, server.raw_secret, grant_type="urn:ietf:params:oauth:grant-type:device_code"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "unsupported_grant_type"


def test_client_credentials_token_costs_two_queries(server):
    with CaptureQueriesContext(connection) as captured:
        assert token_request(server.client_id, server.raw_secret).status_code == 200
    statements = [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == 2, statements  # the client, the new token


def test_a_public_client_cannot_use_the_password_grant(make_application, alice):
    public = make_application(grant=Application.GRANT_PASSWORD, client_type="public")
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "password",
            "username": "alice",
            "password": "correct-horse-battery",
            "client_id": public.client_id,
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize("grant", [Application.GRANT_PASSWORD, Application.GRANT_CLIENT_CREDENTIALS])
def test_public_clients_cannot_be_registered_for_secret_grants(make_application, grant):
    application = make_application(grant=grant, client_type="public")
    with pytest.raises(ValidationError) as raised:
        application.full_clean()
    assert "client_type" in raised.value.message_dict


@pytest.mark.parametrize("path", ["/o/device-authorization/", "/o/device/"])
def test_device_flow_routes_are_not_mounted(db, path):
    assert Client().post(path, {"client_id": "x"}).status_code == 404


def test_too_many_form_fields_is_a_json_400(server):
    data = {f"f{i}": "1" for i in range(1200)}
    response = token_request(server.client_id, server.raw_secret, **data)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
