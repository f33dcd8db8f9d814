"""SPEC §2, §6: JSON log lines with request ids, and no token, code, secret or password at any level,
tested the hard way: every OAuth2 flow against a real server at LOG_LEVEL=DEBUG, then a search of
everything the process wrote for every secret the test used or was given."""

import json
from urllib.parse import quote, quote_plus

import pytest
import requests

from tests.fleet.flows import Flows
from tests.fleet.servers import production_env, seed

pytestmark = pytest.mark.slow


@pytest.fixture
def debug_server(database_url, servers):
    # DEBUG on as well: the most verbose the service can be made (Django's own loggers included).
    env = production_env(database_url, "", DEBUG="1", LOG_LEVEL="DEBUG")
    env.pop("REDIS_URL")
    seeded = seed(env, names=("alice",))
    return servers(env, "debug"), seeded


def test_every_flow_at_debug_level_logs_no_secret(debug_server):
    server, seeded = debug_server
    flows = Flows(server.url, seeded)

    pair = flows.password()
    assert flows.graphql(pair["access_token"]).json()["data"] == {"me": {"username": "alice"}}
    refreshed = flows.refresh("password", pair["refresh_token"])
    flows.refresh("password", pair["refresh_token"], expect=400)  # a replay: refused, family revoked
    assert flows.introspect(refreshed["access_token"])["active"] is False
    machine = flows.client_credentials()
    assert flows.introspect(machine["access_token"])["active"] is True
    flows.revoke("client-credentials", machine["access_token"])
    coded = flows.authorization_code()
    flows.revoke("authorization-code", coded["refresh_token"])
    # Failures log too: a wrong client secret, a wrong password, a bad bearer token.
    wrong = {"grant_type": "client_credentials"}
    assert requests.post(f"{server.url}/o/token/", data=wrong, auth=(flows.auth("password")[0], "x" * 40)).ok is False
    wrong_password = "not-" + seeded["user_password"]
    flows.secrets.add(wrong_password)
    bad = {"grant_type": "password", "username": "alice", "password": wrong_password}
    assert requests.post(f"{server.url}/o/token/", data=bad, auth=flows.auth("password")).status_code == 400
    assert flows.graphql(pair["access_token"]).status_code == 401

    server.stop()  # flush everything the workers wrote
    text = server.logs()
    records = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
    assert all("level" in record for record in records)
    # The test means something only if the libraries did log at DEBUG about these requests.
    assert any(r["level"] == "DEBUG" and r["logger"].startswith("oauthlib") for r in records)
    leaked = sorted(
        secret for secret in flows.secrets for form in {secret, quote(secret), quote_plus(secret)} if form in text
    )
    assert leaked == [], f"{len(leaked)} secrets in the logs"
    assert len(flows.secrets) >= 15


def test_a_request_logs_its_fields_under_its_request_id(debug_server):
    server, seeded = debug_server
    flows = Flows(server.url, seeded)
    token = flows.password()["access_token"]
    response = requests.post(
        f"{server.url}/graphql",
        json={"query": "{ me { username } }"},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "fleet-example-1"},
    )
    assert response.headers["X-Request-ID"] == "fleet-example-1"
    server.stop()
    lines = [r for r in server.log_records() if r.get("request_id") == "fleet-example-1"]
    app_line = next(r for r in lines if r["logger"] == "request")
    assert {k: app_line[k] for k in ("method", "path", "status")} == {
        "method": "POST",
        "path": "/graphql",
        "status": 200,
    }
    assert app_line["duration_ms"] > 0
    assert app_line["user_id"] is not None and app_line["application_id"] is not None
    access = next(r for r in lines if r["logger"] == "gunicorn.access")
    assert access["status"] == 200 and access["path"] == "/graphql"
    print("\n".join(json.dumps(r) for r in lines))  # the README's example lines
