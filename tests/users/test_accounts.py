"""SPEC §2.3: people sign in at /accounts/login/ and see and revoke their own grants at /o/authorized_tokens/."""

from urllib.parse import quote

import pytest
from django.test import Client
from oauth2_provider.models import get_access_token_model

from tests.users.client_side import PASSWORD, REDIRECT_URI, pkce_pair

AccessToken = get_access_token_model()
ME = "{ me { username } }"


@pytest.fixture
def tokens(alice, bob, make_application, make_token):
    """Two of alice's tokens (two clients) and one of bob's."""
    spa = make_application(name="Frontend App")
    cli = make_application(name="Command line")
    return {
        "alice-spa": make_token(alice, scopes="read groups", application=spa),
        "alice-cli": make_token(alice, scopes="read", application=cli),
        "bob-spa": make_token(bob, scopes="read", application=spa),
    }


def test_authorized_tokens_lists_only_the_signed_in_users_tokens(browser, alice, tokens):
    response = browser.get("/o/authorized_tokens/")
    assert response.status_code == 200
    listed = response.context["authorized_tokens"]
    assert sorted(token.application.name for token in listed) == ["Command line", "Frontend App"]
    assert {token.user for token in listed} == {alice}
    assert "read: Read your user details" in response.content.decode()


def test_authorized_tokens_needs_a_signed_in_user(tokens):
    response = Client().get("/o/authorized_tokens/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/o/authorized_tokens/"


def test_user_revokes_their_own_grant_and_the_token_stops_working(browser, tokens, graphql):
    token = AccessToken.objects.get(application__name="Command line")
    response = browser.post(f"/o/authorized_tokens/{token.pk}/delete/")
    assert response.status_code == 302
    answer = graphql(ME, token=tokens["alice-cli"])
    assert answer.status == 401
    assert answer.codes == ["INVALID_TOKEN"]
    assert AccessToken.objects.count() == 2


def test_user_cannot_revoke_another_users_grant(browser, tokens, graphql):
    token = AccessToken.objects.get(user__username="bob")
    response = browser.post(f"/o/authorized_tokens/{token.pk}/delete/")
    assert response.status_code == 404
    assert graphql(ME, token=tokens["bob-spa"]).status == 200


def test_login_page_renders_a_real_form(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<input type="text" name="username"' in page
    assert '<input type="password" name="password"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_login_signs_in_and_goes_to_the_home_page(alice):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    csrf = page.context["csrf_token"]
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": str(csrf)}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"  # LOGIN_REDIRECT_URL: non-staff people are not met by a 403
    assert client.get("/o/authorized_tokens/").status_code == 200


def test_login_with_wrong_password_stays_on_the_form(alice):
    client = Client()
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "Your username and password didn't match." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_returns_to_the_consent_page(alice, code_client):
    _, challenge = pkce_pair()
    authorize = (
        f"/o/authorize/?client_id={code_client.client_id}&response_type=code"
        f"&redirect_uri={quote(REDIRECT_URI, safe='')}&scope=read"
        f"&code_challenge={challenge}&code_challenge_method=S256"
    )
    client = Client()
    login = client.get(authorize)
    assert login.status_code == 302
    response = client.post(login["Location"], {"username": "alice", "password": PASSWORD, "next": authorize})
    assert response.status_code == 302
    assert response["Location"] == authorize
    consent = client.get(authorize)
    assert consent.status_code == 200
    assert consent.context["scopes_descriptions"] == ["Read your user details"]
