"""A strict relying party (panva's oauth4webapi, pinned in package-lock.json) against a live server:
discovery and userinfo pass its checks unrelaxed (only loopback http allowed), and a live token without
`openid` meets RFC 6750 §3.1's 403 insufficient_scope with a challenge it parses (issue 17 item 3)."""

import pytest

from tests.clients.node import run_node
from users.models import Application

pytestmark = pytest.mark.slow


def test_oauth4webapi_discovers_and_reads_userinfo(
    node, loopback_server, transactional_db, alice, make_application, make_token
):
    client = make_application(grant=Application.GRANT_AUTHORIZATION_CODE, allowed_scopes="openid profile read")
    with_openid = make_token(user=alice, scopes="openid profile", application=client)
    without_openid = make_token(user=alice, scopes="profile read", application=client)
    steps = run_node(
        node,
        "oauth4webapi_userinfo.mjs",
        loopback_server.url,
        client.client_id,
        str(alice.pk),
        with_openid,
        without_openid,
    )
    by_step = {step.pop("step"): step for step in steps}
    assert by_step["discovery"] == {
        "issuer": loopback_server.url,
        "userinfo_endpoint": f"{loopback_server.url}/o/userinfo/",
    }
    assert by_step["userinfo"]["claims"]["sub"] == str(alice.pk)
    assert by_step["userinfo"]["claims"]["preferred_username"] == "alice"
    assert by_step["userinfo without openid"] == {
        "status": 403,
        "challenges": [
            {
                "scheme": "bearer",
                "parameters": {
                    "error": "insufficient_scope",
                    "error_description": "The access token does not hold the openid scope.",
                    "scope": "openid",
                },
            }
        ],
    }
