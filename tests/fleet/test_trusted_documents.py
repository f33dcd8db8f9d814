"""SPEC §8: a change to a client's documents or policy takes effect on the next request, in every process
(two servers of two workers each, changed by `manage.py trusted_documents` from a third process), and
with Redis unreachable too (SPEC §6: nothing of it is cached there, so nothing can be served stale)."""

import hashlib
import json

import pytest
import requests

from tests.conftest import RECOMMENDED_ACCEPT
from tests.fleet.conftest import on_postgres
from tests.fleet.flows import Flows
from tests.fleet.servers import free_port, manage, production_env, seed

pytestmark = [pytest.mark.fleet, pytest.mark.slow]
ME = "query Me { me { username } }"
OTHER = "query Other { me { firstName } }"
ROUNDS = 4  # requests per server and check: each server's two workers answer some


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def post(server, token: str, body: dict) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Accept": RECOMMENDED_ACCEPT}
    return requests.post(f"{server.url}/graphql", json=body, headers=headers, timeout=30)


def answers(servers, token: str, body: dict) -> set:
    """(status, code) of every answer, ROUNDS requests to each server."""
    seen = set()
    for server in servers:
        for _ in range(ROUNDS):
            response = post(server, token, body)
            errors = response.json().get("errors") or [{}]
            seen.add((response.status_code, errors[0].get("extensions", {}).get("code")))
    return seen


def every_process_sees_each_change(env: dict, servers, tmp_path) -> None:
    seeded = seed(env)
    fleet = [servers(env, "a"), servers(env, "b")]
    token = Flows(fleet[0].url, seeded).password()["access_token"]
    client_id = seeded["password"]["client_id"]
    by_id = {"documentId": f"sha256:{digest(ME)}"}
    manifest = tmp_path / "persisted-query-manifest.json"
    operation = {"id": digest(ME), "name": "Me", "type": "query", "body": ME}
    manifest.write_text(
        json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": [operation]})
    )

    assert answers(fleet, token, by_id) == {(400, "PERSISTED_QUERY_NOT_FOUND")}
    manage(env, "trusted_documents", "import", client_id, str(manifest))
    assert answers(fleet, token, by_id) == {(200, None)}
    assert answers(fleet, token, {"query": OTHER}) == {(200, None)}

    manage(env, "trusted_documents", "policy", client_id, "only")
    assert answers(fleet, token, {"query": OTHER}) == {(403, "PERSISTED_QUERY_NOT_ALLOWED")}
    assert answers(fleet, token, {"query": ME}) == {(200, None)}

    manage(env, "trusted_documents", "remove", client_id, "--all")
    assert answers(fleet, token, by_id) == {(400, "PERSISTED_QUERY_NOT_FOUND")}
    assert answers(fleet, token, {"query": ME}) == {(403, "PERSISTED_QUERY_NOT_ALLOWED")}

    manage(env, "trusted_documents", "policy", client_id, "any")
    assert answers(fleet, token, {"query": OTHER}) == {(200, None)}

    for server in fleet:
        server.stop()
    ran = [
        r for server in fleet for r in server.log_records() if r.get("path") == "/graphql" and r.get("status") == 200
    ]
    assert {r.get("document_id") for r in ran} == {f"sha256:{digest(ME)}", None}


@pytest.mark.postgres
def test_documents_and_policy_changes_reach_every_process(request, servers, tmp_path):
    if not on_postgres():
        pytest.skip("runs in .ci/run's PostgreSQL pass (DATABASE_URL=postgres://...)")
    env = production_env(request.getfixturevalue("database_url"), request.getfixturevalue("redis_url"))
    every_process_sees_each_change(env, servers, tmp_path)


def test_documents_and_policy_changes_reach_every_process_with_redis_down(database_url, servers, tmp_path):
    env = production_env(database_url, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    every_process_sees_each_change(env, servers, tmp_path)
