"""SPEC §5 "Media types": the npm package graphql-http's server audits (the GraphQL-over-HTTP
specification's reference suite, pinned in package-lock.json) all pass against a live server, with a
token and without one (public introspection), none as a warning or a notice."""

import pytest

from tests.clients.node import run_node

AUDITS = 61  # in graphql-http 1.23.1; a new version's audits must be read before its count changes here

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("with_token", [True, False], ids=["token", "no token"])
def test_every_graphql_over_http_audit_is_ok(
    node, loopback_server, transactional_db, settings, alice, make_token, with_token
):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = True  # the development default: anonymous introspection
    token = [make_token(alice, "read")] if with_token else []
    results = run_node(node, "graphql_http_audit.mjs", f"{loopback_server.url}/graphql", *token)
    failed = [f"{r['id']} {r['status']}: {r['name']} ({r.get('reason')})" for r in results if r["status"] != "ok"]
    assert failed == []
    assert len(results) == AUDITS
