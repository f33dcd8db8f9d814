"""SPEC §2.4 (issue 16, item 8): a person is asked every time a client asks for access, unless they chose to
remember that client on the consent page (which says so); the authorized-apps page lets them forget it.
DOT's approval_prompt=auto (a code without asking whenever a live token covers the scopes) is not honoured."""

import pytest

from tests.users.client_side import REDIRECT_URI, pkce_pair, query_of
from users.models import Application, RememberedConsent


@pytest.fixture
def app(make_application):
    return make_application(
        grant=Application.GRANT_AUTHORIZATION_CODE,
        allowed_scopes="openid read groups",
        redirect_uris=REDIRECT_URI,
        name="Remembered App",
    )


def request_params(application, scope="openid read", **extra) -> dict:
    _, challenge = pkce_pair()
    return {
        "client_id": application.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "s",
        "nonce": "n",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


def approve(browser, application, scope="openid read", remember=False):
    data = {**request_params(application, scope), "granted_scopes": scope.split(), "allow": "Authorize"}
    if remember:
        data["remember"] = "on"
    response = browser.post("/o/authorize/", data)
    assert "code" in query_of(response["Location"]), response["Location"]
    return response


def asks(browser, application, scope="openid read", **extra) -> bool:
    """True: the consent page is shown; False: a code came back without it."""
    response = browser.get("/o/authorize/", request_params(application, scope, **extra))
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "code" in query_of(response["Location"]), response
    return False


@pytest.mark.parametrize("scope", ["openid read", "read"])
def test_a_live_token_is_no_reason_to_skip_consent_even_with_approval_prompt_auto(
    browser, alice, app, make_token, scope
):
    make_token(alice, "openid read groups", application=app)
    assert asks(browser, app, scope, approval_prompt="auto")


def test_unticked_the_person_is_asked_again(browser, app):
    approve(browser, app)
    assert asks(browser, app)


def test_the_consent_page_says_what_remembering_does(browser, app):
    page = browser.get("/o/authorize/", request_params(app)).content.decode()
    assert "Remember my choice for this app" in page
    assert "without asking you again" in page and "Authorized apps" in page
    assert 'name="remember"' in page and "checked" not in page.split('name="remember"')[1].split(">")[0]


def test_a_remembered_app_gets_those_scopes_or_fewer_without_the_page(browser, app):
    approve(browser, app, "openid read", remember=True)
    assert not asks(browser, app, "openid read")
    assert not asks(browser, app, "read")
    assert asks(browser, app, "openid read groups")  # more than remembered
    assert asks(browser, app, "read", prompt="consent")


def test_only_what_was_ticked_is_remembered(browser, app):
    data = {**request_params(app, "openid read groups"), "granted_scopes": ["read"], "allow": "Authorize"}
    browser.post("/o/authorize/", {**data, "remember": "on"})
    assert RememberedConsent.objects.get().scope == "read"
    assert asks(browser, app, "read groups")


def test_the_authorized_apps_page_lists_and_forgets_a_remembered_app(browser, app):
    approve(browser, app, remember=True)
    remembered = RememberedConsent.objects.get()
    page = browser.get("/o/authorized_tokens/").content.decode()
    assert "Remembered App" in page and f"/o/authorized_tokens/remembered/{remembered.pk}/forget/" in page
    assert browser.get(f"/o/authorized_tokens/remembered/{remembered.pk}/forget/").status_code == 405
    assert browser.post(f"/o/authorized_tokens/remembered/{remembered.pk}/forget/").status_code == 302
    assert asks(browser, app)


def test_nobody_forgets_anothers_remembered_app(browser, app, bob):
    other = RememberedConsent.objects.create(user=bob, application=app, scope="read")
    assert browser.post(f"/o/authorized_tokens/remembered/{other.pk}/forget/").status_code == 404
    assert RememberedConsent.objects.filter(pk=other.pk).exists()
