"""SPEC §7.1: GraphiQL from this server only, signing in with its Authorize button."""

import hashlib
import os
import re
from pathlib import Path

import requests
from jwcrypto.jwk import JWK
from oauth2_provider.models import get_access_token_model, get_refresh_token_model
from playwright.sync_api import expect

from tests.browser.steps import authorize_graphiql, consent, expect_signed_in, run_query, session_token, sign_in
from users.models import DPoPBinding

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()

DOCS = Path(__file__).parents[2] / "docs"
GROUPS = "{ groups(first: 5) { edges { node { name } } } }"


def save_docs_screenshot(page, name: str) -> None:
    """The README's screenshots: refreshed with SAVE_DOCS_SCREENSHOTS=1 (CI leaves docs/ alone)."""
    if os.environ.get("SAVE_DOCS_SCREENSHOTS") == "1":
        page.screenshot(path=str(DOCS / name))


def show_docs(page):
    page.get_by_role("button", name="Show Documentation Explorer").click()
    return page.get_by_text("query: Query")


def test_graphiql_loads_with_no_request_to_another_origin(page, server):
    response = page.goto(f"{server}/graphql")
    assert response.headers["content-security-policy"].startswith("default-src 'self';")
    expect(show_docs(page)).to_be_visible()  # the schema loaded (public introspection in development)
    page.get_by_role("button", name="Open settings dialog").click()  # the dialog injects a <style>
    expect(page.get_by_role("dialog")).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
    assert page.requested and all(url.startswith(f"{server}/") for url in page.requested), page.requested


def test_authorize_sign_in_consent_then_me_returns_the_signed_in_user(page, server, alice):
    authorize_graphiql(page, server, ["read"])
    token = session_token(page)
    sent = []
    page.on(
        "request",
        lambda r: r.method == "POST" and r.url.endswith("/graphql") and sent.append(r.headers.get("authorization")),
    )
    page.reload()  # the token stays in this tab's sessionStorage; the schema is fetched again with it
    expect(page.get_by_role("status")).to_contain_text("Signed in as alice")
    expect(page.get_by_role("status")).to_contain_text("scopes: read")
    expect(page.get_by_role("status")).to_contain_text("token expires at")
    assert run_query(page, "{ me { username } }")["data"] == {"me": {"username": "alice"}}
    # Every request GraphiQL sent, the schema's introspection included, carried the token (DPoP-bound).
    assert len(sent) >= 2 and set(sent) == {f"DPoP {token['accessToken']}"}
    assert page.evaluate("Object.keys(localStorage).filter((k) => localStorage[k].includes('DPoP'))") == []
    save_docs_screenshot(page, "graphiql-signed-in.png")


def refused(server: str, token: dict) -> bool:
    """The access token is gone and the refresh token revoked. (Asking /graphql and /o/token/ would prove
    nothing: the tokens are bound to a key only the browser tab holds, so any request from here is refused.)"""
    access = hashlib.sha256(token["accessToken"].encode()).hexdigest()
    refresh = hashlib.sha256(token["refreshToken"].encode()).hexdigest()
    return (
        not AccessToken.objects.filter(token_checksum=access).exists()
        and RefreshToken.objects.filter(token_checksum=refresh, revoked__isnull=False).exists()
    )


def test_out_of_scope_query_names_the_scope_and_one_click_reauthorizes(page, server, alice):
    authorize_graphiql(page, server, ["read"])
    denied = run_query(page, GROUPS)
    assert denied["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    expect(page.get_by_role("alert")).to_contain_text("needs the 'groups' scope")
    page.get_by_role("button", name="Authorize again with groups").click()
    consent(page)  # still signed in to the server: straight to the consent page
    expect_signed_in(page)
    expect(page.get_by_role("status")).to_contain_text("scopes: read groups")
    assert "errors" not in run_query(page, GROUPS)


def test_authorizing_again_revokes_the_token_it_replaces(page, server, alice):
    authorize_graphiql(page, server, ["read"])
    first = session_token(page)
    run_query(page, GROUPS)
    page.get_by_role("button", name="Authorize again with groups").click()
    consent(page)
    expect_signed_in(page)
    assert session_token(page)["accessToken"] != first["accessToken"]
    assert refused(server, first)
    assert AccessToken.objects.filter(application__client_id="graphiql").count() == 1


def test_sign_out_revokes_the_token_and_ends_the_session(page, server, alice):
    authorize_graphiql(page, server, ["read"])
    token = session_token(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("Not signed in")
    expect(page.get_by_role("alert")).to_contain_text("the token was revoked and your session on this server ended")
    assert session_token(page) is None
    assert refused(server, token)
    # The next Authorize asks for the password again: the server's session ended too.
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_title(re.compile("^Sign in"))
    expect(page.get_by_label("Password")).to_be_visible()


def test_cancel_on_the_consent_page_returns_to_graphiql_which_says_so(page, server, alice):
    page.goto(f"{server}/graphql")
    page.get_by_role("button", name="Authorize").click()
    sign_in(page, "alice")
    expect(page).to_have_title(re.compile("Authorize GraphiQL"))
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(re.compile(r"/graphql$"))
    expect(page.get_by_role("alert")).to_have_text("Authorization cancelled: no token was issued.")
    expect(page.get_by_role("status")).to_contain_text("Not signed in")
    page.reload()  # said once
    expect(page.get_by_role("alert")).to_be_hidden()
    assert not AccessToken.objects.exists()


def test_partial_consent_grants_only_the_checked_scopes(page, server, alice):
    page.goto(f"{server}/graphql")
    for scope in ("read", "groups"):
        page.get_by_role("checkbox", name=scope).check()
    page.get_by_role("button", name="Authorize").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Read groups and memberships")).to_be_checked()
    page.get_by_label("Read groups and memberships").uncheck()
    save_docs_screenshot(page, "consent.png")
    page.get_by_role("button", name="Authorize").click()
    expect_signed_in(page)
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"scopes: read ·"))
    assert AccessToken.objects.get(application__client_id="graphiql").scope == "read"


def test_a_callback_with_a_foreign_state_is_refused_visibly(page, server, alice):
    page.goto(f"{server}/graphql/callback?code=stolen-code&state=forged&iss={server}")
    expect(page.get_by_role("alert")).to_contain_text("State mismatch")
    assert session_token(page) is None


def test_a_foreign_error_response_is_refused_and_the_sign_in_in_progress_still_finishes(page, server, alice):
    page.goto(f"{server}/graphql")
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_title(re.compile("^Sign in"))  # a sign-in in progress, its state in this tab
    page.goto(
        f"{server}/graphql/callback?error=access_denied&error_description=Call+0800+now&state=forged&iss={server}"
    )
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("State mismatch")
    expect(alert).to_contain_text("The sign-in in progress can still finish.")
    expect(alert).not_to_contain_text("0800")  # nothing of an unchecked response is shown
    page.go_back()
    sign_in(page, "alice")
    consent(page)
    expect_signed_in(page)


def test_a_callback_from_another_issuer_is_refused_visibly(page, server, alice):
    page.goto(f"{server}/graphql")
    page.evaluate("sessionStorage.setItem('graphiql.pending', JSON.stringify({state: 's', verifier: 'v'}))")
    page.goto(f"{server}/graphql/callback?code=c&state=s&iss=https://attacker.example")
    expect(page.get_by_role("alert")).to_contain_text("names the issuer https://attacker.example")
    assert session_token(page) is None


def test_without_public_introspection_the_schema_appears_after_sign_in(page, server, alice, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = False
    page.goto(f"{server}/graphql")
    expect(page.get_by_role("status")).to_contain_text("authorize to load the schema")
    page.get_by_role("button", name="Show Documentation Explorer").click()
    expect(page.get_by_text("query: Query")).to_have_count(0)
    authorize_graphiql(page, server, ["read"])
    expect(show_docs(page)).to_be_visible()


def test_the_token_is_refreshed_before_it_expires(page, server, alice):
    authorize_graphiql(page, server, ["read"])
    first = session_token(page)
    # As if the tab had been open for 19.5 of the token's 20 minutes: GraphiQL refreshes a minute before
    # expiry, so at once (after its 5 s floor), and carries on with the new pair.
    page.evaluate(
        "() => { const t = JSON.parse(sessionStorage.getItem('graphiql.token'));"
        " t.expiresAt = Date.now() + 30000; sessionStorage.setItem('graphiql.token', JSON.stringify(t)); }"
    )
    page.reload()
    page.wait_for_function(
        "(old) => JSON.parse(sessionStorage.getItem('graphiql.token')).accessToken !== old",
        arg=first["accessToken"],
        timeout=15000,
    )
    refreshed = session_token(page)
    assert refreshed["refreshToken"] != first["refreshToken"]
    assert refreshed["expiresAt"] > first["expiresAt"]
    assert run_query(page, "{ me { username } }")["data"] == {"me": {"username": "alice"}}
    assert refused(server, first)  # the refresh rotated the pair


def test_graphiql_signs_its_requests_with_a_key_it_cannot_export(page, server, alice):
    authorize_graphiql(page, server, ["read"])
    token = session_token(page)
    proofs = []
    page.on("request", lambda r: r.url.endswith("/graphql") and r.method == "POST" and proofs.append(r.headers))
    assert run_query(page, "{ me { username } }")["data"] == {"me": {"username": "alice"}}
    headers = proofs[-1]
    assert headers["authorization"] == f"DPoP {token['accessToken']}"
    assert headers["dpop"].count(".") == 2  # a compact JWS, a new one for each request
    # The token is bound to the tab's key (SPEC §2.6) ...
    binding = DPoPBinding.objects.get(
        access_token__token_checksum=hashlib.sha256(token["accessToken"].encode()).hexdigest()
    )
    # ... a P-256 key made with extractable: false: exporting the private key fails, in this page too.
    exported = page.evaluate(
        """async () => {
            const { privateKey, publicKey } = await window.GraphiQLDPoP.keyPair();
            let error = null;
            try { await crypto.subtle.exportKey("jwk", privateKey); } catch (e) { error = e.name; }
            const jwk = await crypto.subtle.exportKey("jwk", publicKey);
            return { error, extractable: privateKey.extractable, curve: privateKey.algorithm.namedCurve, jwk };
        }"""
    )
    assert exported["error"] == "InvalidAccessError"
    assert (exported["extractable"], exported["curve"]) == (False, "P-256")
    assert JWK(**exported["jwk"]).thumbprint() == binding.jkt
    # The token alone, copied out of the page, is refused.
    stolen = requests.post(
        f"{server}/graphql",
        json={"query": "{ me { username } }"},
        headers={"Authorization": f"Bearer {token['accessToken']}"},
    )
    assert stolen.status_code == 401
