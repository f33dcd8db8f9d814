"""README "Call it from your single-page app": examples/spa, served by its one command, signs in with PKCE,
queries, refreshes and signs out, from the origin its client lists; another origin says why it cannot."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.steps import consent_to, sign_in
from tests.fleet.servers import free_port, port_open
from users.models import Application

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "spa"


@pytest.fixture(scope="module")
def example_port():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE / "serve.py"), "--port", str(port)], stdout=subprocess.DEVNULL
    )
    for _ in range(100):
        if port_open(port):
            break
        subprocess.run(["sleep", "0.05"])
    yield port
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def example_client(make_application, example_port):
    origin = f"http://127.0.0.1:{example_port}"
    return make_application(
        name="Example SPA",
        grant=Application.GRANT_AUTHORIZATION_CODE,
        client_type="public",
        allowed_scopes="read",
        redirect_uris=f"{origin}/callback",
        allowed_origins=origin,
    )


def test_the_example_signs_in_queries_refreshes_and_signs_out(page, server, alice, example_client, example_port):
    page.goto(f"http://127.0.0.1:{example_port}/")
    page.get_by_label("API origin").fill(server)
    page.get_by_label("Client id").fill(example_client.client_id)
    page.get_by_role("button", name="Sign in").click()
    sign_in(page, "alice")
    consent_to(page, "Example SPA")
    status = page.get_by_role("status")
    expect(status).to_have_text("Signed in as alice (scopes: read)")
    first = page.evaluate("JSON.parse(sessionStorage.getItem('session'))")

    page.get_by_role("button", name="Refresh the token").click()
    expect(status).to_contain_text("The token was refreshed")
    page.get_by_role("button", name=re.compile("^Run")).click()
    expect(status).to_have_text("Signed in as alice (scopes: read)")
    second = page.evaluate("JSON.parse(sessionStorage.getItem('session'))")
    assert second["accessToken"] != first["accessToken"]

    page.get_by_role("button", name="Sign out").click()
    expect(status).to_have_text("Signed out: the tokens were revoked.")
    answer = requests.post(
        f"{server}/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": f"Bearer {second['accessToken']}"},
    )
    assert answer.status_code == 401


def test_a_refused_token_request_is_shown(page, server, alice, example_client, example_port):
    page.goto(f"http://127.0.0.1:{example_port}/")
    page.get_by_label("API origin").fill(server)
    page.get_by_label("Client id").fill(example_client.client_id)
    page.get_by_role("button", name="Sign in").click()
    sign_in(page, "alice")

    def wrong_verifier(route):  # the real server answers a real request that carries the wrong verifier
        body = re.sub(r"code_verifier=[^&]+", "code_verifier=" + "x" * 43, route.request.post_data)
        route.continue_(post_data=body)

    page.route(f"{server}/o/token/", wrong_verifier)
    consent_to(page, "Example SPA")
    expect(page.get_by_role("status")).to_contain_text("Failed: invalid_grant")


def test_opened_on_localhost_the_example_says_why_it_cannot_work(page, server, example_port):
    page.goto(f"http://localhost:{example_port}/")
    expect(page.get_by_role("alert")).to_contain_text("Another host name is another origin")
