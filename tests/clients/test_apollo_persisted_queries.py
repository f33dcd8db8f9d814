"""SPEC §8 with a real client: an app built with Apollo Client (pinned in package-lock.json) ships its
operations as a persisted query manifest made by `@apollo/generate-persisted-query-manifest`; the manifest
is imported with `manage.py trusted_documents`, the client is switched to `only`, and the app's
persisted-queries link then runs every operation by id alone while any other document is refused."""

import hashlib
import json
import subprocess

import pytest
import requests
from django.core.management import call_command

from tests.clients.node import HERE, run_node
from tests.conftest import RECOMMENDED_ACCEPT

pytestmark = pytest.mark.slow


@pytest.fixture
def manifest(node, tmp_path):
    """The manifest the generator makes from tests/clients/apollo_app/, as an app's build would."""
    path, config = tmp_path / "persisted-query-manifest.json", tmp_path / "persisted-query-manifest.config.json"
    config.write_text(json.dumps({"documents": ["apollo_app/**/*.mjs"], "output": str(path)}))
    generator = HERE / "node_modules" / ".bin" / "generate-persisted-query-manifest"
    subprocess.run([node, str(generator), "--config", str(config)], cwd=HERE, check=True, timeout=120)
    return path


def test_apollo_manifest_imported_runs_by_id_under_only(
    node, loopback_server, transactional_db, manifest, alice, bob, make_application, make_token
):
    app = make_application(name="apollo-app", allowed_scopes="read write")
    call_command("trusted_documents", "import", app.client_id, str(manifest))
    call_command("trusted_documents", "policy", app.client_id, "only")
    token = make_token(alice, "read write", application=app)
    url = f"{loopback_server.url}/graphql"

    results = {r["name"]: r for r in run_node(node, "apollo_persisted.mjs", url, token, str(manifest))}

    assert results["Me"] == {
        "name": "Me",
        "data": {"me": {"username": "alice", "firstName": "Alice", "__typename": "User"}},
        "error": None,
    }
    users = results["Users"]["data"]["users"]
    assert users["totalCount"] == 2 and [e["node"]["username"] for e in users["edges"]] == ["alice", "bob"]
    assert results["Rename"]["data"]["updateMe"]["user"]["firstName"] == "Alicia"
    ids = {operation["id"] for operation in json.loads(manifest.read_text())["operations"]}
    sent = results["sent"]["requests"]
    assert [request["query"] for request in sent] == [False, False, False]  # ids alone, never the text
    assert {request["id"] for request in sent} == ids

    arbitrary = requests.post(
        url,
        json={"query": "{ users(first: 100) { edges { node { username } } } }"},
        headers={"Authorization": f"Bearer {token}", "Accept": RECOMMENDED_ACCEPT},
        timeout=30,
    )
    assert arbitrary.status_code == 403
    assert arbitrary.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    me = next(o for o in json.loads(manifest.read_text())["operations"] if o["name"] == "Me")
    assert hashlib.sha256(me["body"].encode()).hexdigest() == me["id"]
