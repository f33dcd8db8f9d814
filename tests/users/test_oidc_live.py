"""SPEC §2.5 end to end: an OpenID Connect sign-in as a relying party runs it with Authlib, over real HTTP
against a live server: discovery, PKCE, a person signing in and consenting, the id token verified
against the published keys, then userinfo."""

import secrets
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from tests.users.client_side import PASSWORD, REDIRECT_URI, query_of
from tests.users.id_tokens import verified_claims
from users.models import Application


class FormReader(HTMLParser):
    """Each form of a page: its action and the fields a browser would submit (hidden inputs, ticked boxes)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", []))
        elif tag == "input" and attrs.get("name") and self.forms:
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.forms[-1][1].append((attrs["name"], attrs.get("value") or ""))


def submit_form(browser: requests.Session, page: requests.Response, having: str, **extra) -> requests.Response:
    """Submit the page's form that has a field named ``having``, as a browser would, with ``extra`` filled in."""
    reader = FormReader()
    reader.feed(page.text)
    action, fields = next((a, f) for a, f in reader.forms if having in dict(f))
    fields = [(name, value) for name, value in fields if name not in extra] + list(extra.items())
    return browser.post(urljoin(page.url, action), data=fields, allow_redirects=False)


def signed_in_browser(base_url: str) -> requests.Session:
    browser = requests.Session()
    login = browser.get(f"{base_url}/accounts/login/")
    done = submit_form(browser, login, "username", username="alice", password=PASSWORD)
    assert done.status_code == 302, done.text
    return browser


@pytest.fixture
def spa_client(db):
    """A public single-page app allowed to sign people in (no secret: PKCE protects its code)."""
    return Application.objects.create(
        name="OIDC SPA",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        allowed_scopes="openid profile email read",
        redirect_uris=REDIRECT_URI,
        client_secret=secrets.token_urlsafe(48),
    )


@pytest.mark.slow
def test_oidc_sign_in_with_authlib_against_a_live_server(transactional_db, live_server, alice, spa_client, monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the live server speaks http
    issuer = live_server.url
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == issuer

    # The relying party: Authlib's session with PKCE (S256) and a nonce.
    relying_party = OAuth2Session(
        spa_client.client_id,
        scope="openid profile email",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = relying_party.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )

    # The person: signs in, sees the consent page, authorizes.
    browser = signed_in_browser(issuer)
    consent = browser.get(url)
    assert consent.status_code == 200
    redirect = submit_form(browser, consent, "client_id", allow="Authorize")
    assert redirect.status_code == 302
    callback = redirect.headers["Location"]
    assert callback.startswith(REDIRECT_URI + "?")
    assert query_of(callback)["iss"] == issuer  # RFC 9207

    token = relying_party.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, state=state, code_verifier=verifier
    )
    assert sorted(token["scope"].split()) == ["email", "openid", "profile"]

    jwks = requests.get(discovery["jwks_uri"]).json()
    claims = verified_claims(token["id_token"], jwks, issuer, spa_client.client_id, nonce, token["access_token"])
    assert claims["sub"] == str(alice.pk)
    assert claims["preferred_username"] == "alice"

    info = relying_party.get(discovery["userinfo_endpoint"])
    assert info.status_code == 200
    assert info.json() == {
        "sub": str(alice.pk),
        "preferred_username": "alice",
        "name": "Alice Liddell",
        "given_name": "Alice",
        "family_name": "Liddell",
        "email": "alice@example.com",
        "email_verified": False,
    }
