"""The device flow (SPEC §2.7) with an independent client: panva's oauth4webapi (pinned in package-lock.json)
asks for a code and polls with a DPoP key, while a person signs in at /o/device/ and approves it."""

import json
import subprocess

import pytest

from tests.clients.node import HERE
from tests.users.test_device_flow_live import signed_in, type_code
from users.models import Application

pytestmark = pytest.mark.slow


def test_oauth4webapi_signs_in_with_the_device_flow(node, loopback_server, transactional_db, alice, make_application):
    client = make_application(grant=Application.GRANT_DEVICE_CODE, client_type="public", allowed_scopes="read")
    script = subprocess.Popen(
        [node, str(HERE / "oauth4webapi_device.mjs"), loopback_server.url, client.client_id],
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        device = json.loads(script.stdout.readline() or "{}")
        assert device.get("step") == "device", script.stderr.read() if script.poll() is not None else device
        assert device["verification_uri"] == f"{loopback_server.url}/o/device/"
        assert (device["expires_in"], device["interval"]) == (600, 5)
        browser = signed_in(loopback_server.url, "alice")
        assert type_code(browser, loopback_server.url, device["user_code"].lower()).status_code == 200
        # a poll or more meets authorization_pending before the approval
        approved = type_code(browser, loopback_server.url, device["user_code"], granted_scopes="read", decide="allow")
        assert "Device connected" in approved.text
        out, err = script.communicate(timeout=120)
    finally:
        script.kill()
    assert script.returncode == 0, err
    by_step = {step.pop("step"): step for step in map(json.loads, out.splitlines())}
    assert by_step["token"]["token_type"].lower() == "dpop"
    assert by_step["token"]["has_refresh_token"]
    assert by_step["graphql"] == {"status": 200, "data": {"me": {"username": "alice"}}}
