"""SPEC §6: /healthz, /readyz, X-Request-ID on every response, errors logged with their request id."""

import re

import pytest
import requests
from django.test import Client

from tests.fleet.servers import free_port, production_env

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def client(db):
    return Client()


def test_healthz_and_readyz(client):
    assert (client.get("/healthz").status_code, client.get("/healthz").json()) == (200, {"status": "ok"})
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"database": "ok", "cache": "ok"})
    assert "no-store" in ready["Cache-Control"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/healthz"),
        ("get", "/no-such-page"),  # 404
        ("get", "/o/applications/"),  # a redirect to sign in
        ("post", "/graphql"),  # 401 without a token
        ("post", "/o/token/"),  # 400
    ],
)
def test_every_response_has_a_request_id(client, method, path):
    response = getattr(client, method)(path)
    assert HEX_ID.fullmatch(response["X-Request-ID"]), response.status_code


@pytest.mark.parametrize("incoming", ["a", "lb-1.2_3", "x" * 128])
def test_a_safe_incoming_id_is_kept(client, incoming):
    assert client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == incoming


@pytest.mark.parametrize("incoming", ["", "x" * 129, "a b", "id\r\nSet-Cookie: x", "ünïcode", "a/b", "<script>"])
def test_an_unsafe_incoming_id_is_replaced(client, incoming):
    assert HEX_ID.fullmatch(client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"])


@pytest.mark.slow
def test_database_down_readyz_503_and_errors_logged_with_request_id_and_traceback(servers):
    closed = f"postgres://postgres@127.0.0.1:{free_port()}/nowhere"
    env = production_env(closed, f"redis://127.0.0.1:{free_port()}/0", DEBUG="0")
    server = servers(env, "database-down", workers=1)
    assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200  # the process still serves
    ready = requests.get(f"{server.url}/readyz", timeout=30)
    assert (ready.status_code, ready.json()) == (503, {"database": "error", "cache": "error"})
    failed = requests.post(f"{server.url}/o/token/", data={"grant_type": "client_credentials"}, auth=("a", "b"))
    assert failed.status_code == 500
    request_id = failed.headers["X-Request-ID"]
    server.stop()
    errors = [r for r in server.log_records() if r["level"] == "ERROR" and r.get("request_id") == request_id]
    assert any("Traceback (most recent call last)" in r.get("exc_info", "") for r in errors), errors
    access = [r for r in errors if r["logger"] == "request"]
    assert access and access[0]["status"] == 500
