"""SPEC §2, §2.4: the consent page (partial consent, no caching, no framing), PKCE checked before it is
shown, and ``iss`` (RFC 9207) on every authorization response, success or error."""

import pytest
from django.test import Client
from oauth2_provider.models import get_access_token_model, get_grant_model

from tests.users.client_side import REDIRECT_URI, pkce_pair, query_of

AccessToken = get_access_token_model()
Grant = get_grant_model()
ISSUER = "http://testserver"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def consent_params(application, scope="read", **params):
    _, challenge = pkce_pair()
    return {
        "client_id": application.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **params,
    }


def without_none(params):
    return {k: v for k, v in params.items() if v is not None}


def consent_form(page) -> dict:
    """What a browser submits for the consent page as shown: hidden fields and the checked boxes."""
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, "")}
    data["granted_scopes"] = list(form.initial["granted_scopes"])
    return data


def test_consent_page_shows_one_checked_box_per_requested_scope_with_its_description(browser, code_client):
    page = browser.get("/o/authorize/", consent_params(code_client, scope="read groups"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>" in html and "<title></title>" not in html
    for value, description in [("read", "Read your user details"), ("groups", "Read groups and memberships")]:
        assert f'value="{value}"' in html
        assert description in html
    boxes = [line for line in html.splitlines() if 'type="checkbox"' in line and 'name="granted_scopes"' in line]
    assert len(boxes) == 2
    assert all("checked" in box for box in boxes)
    assert html.count("<label") >= 2  # each box has its label
    assert "Change your details and groups" not in html


@pytest.mark.parametrize(
    ("requested", "checked", "granted"),
    [
        pytest.param("read groups", ["read", "groups"], "read groups", id="all-checked"),
        pytest.param("read groups", ["read"], "read", id="groups-unchecked"),
        pytest.param("read groups", ["groups"], "groups", id="read-unchecked"),
        pytest.param("read write groups", ["write"], "write", id="two-of-three-unchecked"),
        pytest.param("read", ["read", "write"], "read", id="a-box-never-shown-is-ignored"),
    ],
)
def test_token_holds_only_the_checked_scopes(browser, code_client, token_endpoint, requested, checked, granted):
    verifier, challenge = pkce_pair()
    page = browser.get("/o/authorize/", consent_params(code_client, scope=requested, code_challenge=challenge))
    response = browser.post("/o/authorize/", {**consent_form(page), "granted_scopes": checked, "allow": "Authorize"})
    assert response.status_code == 302
    code = query_of(response["Location"])["code"]
    token = token_endpoint(
        code_client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier
    )
    assert token.status_code == 200
    assert sorted(token.json()["scope"].split()) == sorted(granted.split())
    assert sorted(AccessToken.objects.get().scope.split()) == sorted(granted.split())


def test_unchecking_every_scope_is_access_denied(browser, code_client):
    page = browser.get("/o/authorize/", consent_params(code_client, scope="read groups"))
    form = consent_form(page)
    del form["granted_scopes"]  # a browser sends nothing for unchecked boxes
    response = browser.post("/o/authorize/", {**form, "allow": "Authorize"})
    assert response.status_code == 302
    redirect = query_of(response["Location"])
    assert (redirect["error"], redirect["state"], redirect["iss"]) == ("access_denied", "xyz", ISSUER)
    assert Grant.objects.count() == 0


def test_consent_page_is_not_cached_and_cannot_be_framed(browser, code_client):
    response = browser.get("/o/authorize/", consent_params(code_client))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_authorization_error_page_is_not_cached_and_cannot_be_framed(browser, code_client):
    response = browser.get("/o/authorize/", consent_params(code_client, redirect_uri="https://evil.example.com/cb"))
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


BAD_PKCE = [
    pytest.param("abc", "S256", id="too-short"),
    pytest.param("a" * 42, "S256", id="42-characters"),
    pytest.param("a" * 129, "S256", id="129-characters"),
    pytest.param("a" * 42 + "=", "S256", id="base64-padding"),
    pytest.param("a" * 42 + "+", "S256", id="plus-sign"),
    pytest.param("a" * 42 + "/", "S256", id="slash"),
    pytest.param("a" * 42 + " ", "S256", id="space"),
    pytest.param("a" * 42 + "é", "S256", id="non-ascii"),
    pytest.param("", "S256", id="empty"),
    pytest.param("a" * 43, "plain", id="plain-method"),
    pytest.param("a" * 43, None, id="method-absent-means-plain"),
    pytest.param("a" * 43, "s256", id="lowercase-method"),
    pytest.param("a" * 43, "S512", id="unknown-method"),
    pytest.param("a" * 43, "", id="empty-method"),
]


@pytest.mark.parametrize(("challenge", "method"), BAD_PKCE)
def test_bad_code_challenge_is_refused_before_the_consent_page(browser, code_client, challenge, method):
    params = without_none(consent_params(code_client, code_challenge=challenge, code_challenge_method=method))
    response = browser.get("/o/authorize/", params)
    assert response.status_code == 302
    redirect = query_of(response["Location"])
    assert response["Location"].startswith(REDIRECT_URI + "?")
    assert (redirect["error"], redirect["state"], redirect["iss"]) == ("invalid_request", "xyz", ISSUER)
    assert "code" not in redirect


@pytest.mark.parametrize(("challenge", "method"), BAD_PKCE)
def test_bad_code_challenge_posted_straight_to_the_form_is_refused(browser, code_client, challenge, method):
    params = without_none(consent_params(code_client, code_challenge=challenge, code_challenge_method=method))
    response = browser.post("/o/authorize/", {**params, "granted_scopes": ["read"], "allow": "Authorize"})
    assert response.status_code == 302
    redirect = query_of(response["Location"])
    assert (redirect["error"], redirect["iss"]) == ("invalid_request", ISSUER)
    assert Grant.objects.count() == 0


@pytest.mark.parametrize(
    "challenge",
    [
        pytest.param("a" * 43, id="43-characters"),
        pytest.param("Z" * 128, id="128-characters"),
        pytest.param((ALPHABET * 2)[:128], id="whole-alphabet"),
    ],
)
def test_well_formed_s256_challenge_reaches_the_consent_page(browser, code_client, challenge):
    response = browser.get("/o/authorize/", consent_params(code_client, code_challenge=challenge))
    assert response.status_code == 200


def test_bad_code_challenge_with_an_unregistered_redirect_uri_is_an_error_page(browser, code_client):
    params = consent_params(code_client, code_challenge="abc", redirect_uri="https://evil.example.com/cb")
    response = browser.get("/o/authorize/", params)
    assert response.status_code == 400
    assert not response.has_header("Location")


def _deny(browser, application):
    page = browser.get("/o/authorize/", consent_params(application))
    return browser.post("/o/authorize/", consent_form(page))  # no "allow": the Cancel button


def _get(**overrides):
    def run(browser, application):
        return browser.get("/o/authorize/", without_none(consent_params(application, **overrides)))

    return run


def _post(**overrides):
    def run(browser, application):
        form = without_none(consent_params(application, **overrides))
        return browser.post("/o/authorize/", {**form, "granted_scopes": form["scope"].split(), "allow": "Authorize"})

    return run


def _prompt_none_signed_out(browser, application):
    return Client().get("/o/authorize/", consent_params(application, prompt="none"))


@pytest.mark.parametrize(
    ("cause", "error"),
    [
        pytest.param(_deny, "access_denied", id="deny"),
        pytest.param(_get(scope="bogus"), "invalid_scope", id="unknown-scope"),
        pytest.param(_get(scope="introspection"), "invalid_scope", id="scope-client-may-not-have"),
        pytest.param(_get(code_challenge_method="plain"), "invalid_request", id="plain-pkce"),
        pytest.param(_get(code_challenge="abc"), "invalid_request", id="malformed-challenge"),
        pytest.param(_get(code_challenge=None, code_challenge_method=None), "invalid_request", id="no-challenge"),
        pytest.param(_get(response_type="token"), "unauthorized_client", id="implicit"),
        pytest.param(_post(scope="read introspection"), "invalid_scope", id="posted-scope-client-may-not-have"),
        pytest.param(_post(code_challenge_method="plain"), "invalid_request", id="posted-plain-pkce"),
        pytest.param(_prompt_none_signed_out, "login_required", id="prompt-none-signed-out"),
    ],
)
def test_every_authorization_error_redirect_carries_iss(browser, code_client, cause, error):
    response = cause(browser, code_client)
    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT_URI + "?")
    redirect = query_of(response["Location"])
    assert redirect["error"] == error
    assert redirect["iss"] == ISSUER
    assert redirect["state"] == "xyz"
