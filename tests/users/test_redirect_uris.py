"""SPEC §2.3: redirect URIs match exactly, port included. DOT applies RFC 8252 §7.3's any-port rule to
loopback URIs, so with a prior grant and approval_prompt=auto a code went to whatever port was asked (the
silent path is now a remembered consent, SPEC §2.4)."""

import pytest
from oauth2_provider.models import get_grant_model

from tests.users.client_side import pkce_pair, query_of
from users.models import Application, RememberedConsent

Grant = get_grant_model()


@pytest.fixture
def loopback_client(make_application, alice):
    """A client registered with one loopback URI that alice chose to remember (no consent page)."""

    def make(registered):
        client = make_application(
            grant=Application.GRANT_AUTHORIZATION_CODE, redirect_uris=registered, allowed_scopes="read"
        )
        RememberedConsent.objects.create(user=alice, application=client, scope="read")
        return client

    return make


def authorize_silently(browser, client, redirect_uri):
    _, challenge = pkce_pair()
    params = {
        "client_id": client.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": "read",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return browser.get("/o/authorize/", params)


REGISTERED = "http://127.0.0.1:5173/callback"


@pytest.mark.parametrize(
    ("registered", "requested"),
    [
        pytest.param(REGISTERED, "http://127.0.0.1:31337/callback", id="other-port"),
        pytest.param(REGISTERED, "http://127.0.0.1/callback", id="no-port"),
        pytest.param(REGISTERED, "http://127.0.0.1:80/callback", id="default-port-spelled"),
        pytest.param(REGISTERED, "http://127.0.0.1:05173/callback", id="port-with-leading-zero"),
        pytest.param(REGISTERED, "http://localhost:5173/callback", id="localhost-for-127.0.0.1"),
        pytest.param(REGISTERED, "http://[::1]:5173/callback", id="ipv6-for-127.0.0.1"),
        pytest.param(REGISTERED, "http://127.0.0.2:5173/callback", id="other-loopback-address"),
        pytest.param(REGISTERED, "http://127.0.0.1:5173/callback/", id="trailing-slash"),
        pytest.param(REGISTERED, "http://127.0.0.1:5173/other", id="other-path"),
        pytest.param(REGISTERED, "http://127.0.0.1:5173/CALLBACK", id="path-case"),
        pytest.param(REGISTERED, "http://127.0.0.1:5173/callback?next=/x", id="added-query"),
        pytest.param(REGISTERED, "http://127.0.0.1:5173/callback?", id="empty-query"),
        pytest.param(REGISTERED, "http://127.0.0.1:5173/callback#x", id="fragment"),
        pytest.param(REGISTERED, "HTTP://127.0.0.1:5173/callback", id="scheme-case"),
        pytest.param(REGISTERED, "https://127.0.0.1:5173/callback", id="https-for-http"),
        pytest.param(REGISTERED, "http://user@127.0.0.1:5173/callback", id="userinfo"),
        pytest.param("http://localhost:5173/callback", "http://localhost:31337/callback", id="localhost-other-port"),
        pytest.param("http://localhost:5173/callback", "http://127.0.0.1:5173/callback", id="127.0.0.1-for-localhost"),
        pytest.param("http://[::1]:8080/cb", "http://[::1]:9090/cb", id="ipv6-other-port"),
        pytest.param("http://[::1]:8080/cb", "http://[::1]/cb", id="ipv6-no-port"),
        pytest.param("http://[::1]:8080/cb", "http://127.0.0.1:8080/cb", id="127.0.0.1-for-ipv6"),
        pytest.param("http://127.0.0.1/cb", "http://127.0.0.1:31337/cb", id="port-added-to-portless"),
        pytest.param("https://app.example.com/cb", "https://app.example.com:8443/cb", id="https-other-port"),
    ],
)
def test_a_redirect_uri_other_than_the_registered_one_gets_no_code(browser, loopback_client, registered, requested):
    client = loopback_client(registered)
    response = authorize_silently(browser, client, requested)
    assert response.status_code == 400
    assert not response.has_header("Location")
    assert response.context["error"].error == "invalid_request"
    assert Grant.objects.count() == 0


@pytest.mark.parametrize(
    "registered",
    [
        pytest.param(REGISTERED, id="127.0.0.1"),
        pytest.param("http://localhost:5173/callback", id="localhost"),
        pytest.param("http://[::1]:8080/cb", id="ipv6"),
        pytest.param("http://127.0.0.1/cb", id="portless"),
        pytest.param("https://app.example.com/cb?tenant=1", id="https-with-query"),
    ],
)
def test_the_registered_redirect_uri_spelled_exactly_gets_the_code(browser, loopback_client, registered):
    client = loopback_client(registered)
    response = authorize_silently(browser, client, registered)
    assert response.status_code == 302
    assert response["Location"].startswith(registered)
    assert "code" in query_of(response["Location"])
    assert Grant.objects.count() == 1


def test_one_of_several_registered_uris_matches_exactly(browser, loopback_client):
    client = loopback_client("http://127.0.0.1:5173/callback http://127.0.0.1:8000/callback")
    assert authorize_silently(browser, client, "http://127.0.0.1:8000/callback").status_code == 302
    assert authorize_silently(browser, client, "http://127.0.0.1:9000/callback").status_code == 400
