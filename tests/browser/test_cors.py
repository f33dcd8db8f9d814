"""SPEC §7.2: a frontend on another loopback origin, listed in its client's allowed_origins, signs in
with PKCE and queries /graphql with fetch; an origin nobody listed is blocked by the browser."""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.steps import consent_to, sign_in
from users.models import Application

FETCH_GRAPHQL = """async ([api, token]) => {
  try {
    const response = await fetch(`${api}/graphql`, {method: "POST",
      headers: {Authorization: `Bearer ${token}`, "Content-Type": "application/json"},
      body: JSON.stringify({query: "{ me { username } }"})});
    return `${response.status} ${response.headers.get("X-OAuth-Scopes")}`;
  } catch (error) { return `blocked: ${error.message}`; }
}"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def spa_port():
    """tests/browser/spa/ served on 127.0.0.1 (the listed origin) and, as localhost, an unlisted one."""
    handler = functools.partial(QuietHandler, directory=str(Path(__file__).parent / "spa"))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()


@pytest.fixture
def spa_client(make_application, spa_port):
    origin = f"http://127.0.0.1:{spa_port}"
    return make_application(
        name="Demo SPA",
        grant=Application.GRANT_AUTHORIZATION_CODE,
        client_type="public",
        allowed_scopes="read",
        redirect_uris=f"{origin}/index.html",
        allowed_origins=origin,
    )


def test_listed_origin_completes_pkce_and_queries_graphql_with_fetch(page, server, alice, spa_client, spa_port):
    page.goto(f"http://127.0.0.1:{spa_port}/index.html?api={server}&client_id={spa_client.client_id}")
    page.get_by_role("button", name="Sign in with the API").click()
    sign_in(page, "alice")
    consent_to(page, "Demo SPA")
    expect(page.get_by_role("status")).to_have_text("alice (scopes: read)")  # exposed header read too


def test_unlisted_origin_is_blocked_until_a_client_lists_it(page, server, alice, spa_client, spa_port, make_token):
    token = make_token(user=alice, scopes="read", application=spa_client)
    unlisted = f"http://localhost:{spa_port}"
    page.goto(f"{unlisted}/index.html")
    assert page.evaluate(FETCH_GRAPHQL, [server, token]).startswith("blocked:")

    spa_client.allowed_origins += f" {unlisted}"
    spa_client.save()  # effective on the next request, no restart
    assert page.evaluate(FETCH_GRAPHQL, [server, token]) == "200 read"  # and an exposed header is readable
