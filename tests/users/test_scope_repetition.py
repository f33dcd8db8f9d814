"""SPEC §2: a scope named twice counts once (`scope=read read` is `read`), in every grant, on the consent
page and in what is stored (issue 16, item 7)."""

from oauth2_provider.models import get_access_token_model, get_grant_model

from tests.users.client_side import REDIRECT_URI, pkce_pair, query_of
from users.models import Application

AccessToken = get_access_token_model()
Grant = get_grant_model()


def test_password_grant(password_client, password_grant):
    response = password_grant(password_client, scope="read read write read")
    assert response.json()["scope"] == "read write"
    assert AccessToken.objects.get().scope == "read write"


def test_client_credentials_grant(make_application, token_endpoint):
    client = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS)
    response = token_endpoint(client, grant_type="client_credentials", scope="read read")
    assert response.json()["scope"] == "read"


def test_refresh_grant_narrowing(password_client, password_grant, token_endpoint):
    refresh = password_grant(password_client, scope="read write").json()["refresh_token"]
    response = token_endpoint(password_client, grant_type="refresh_token", refresh_token=refresh, scope="read read")
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "read"
    assert AccessToken.objects.order_by("-pk").first().scope == "read"


def test_consent_page_and_code(browser, code_client, authorize, token_endpoint):
    verifier, challenge = pkce_pair()
    params = {
        "client_id": code_client.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "read read groups",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = browser.get("/o/authorize/", params)
    assert page.status_code == 200
    assert page.content.decode().count('value="read"') == 1
    assert page.context["form"]["scope"].value() == "read groups"
    code = query_of(authorize(code_client, scope="read read groups", challenge=challenge)["Location"])["code"]
    assert Grant.objects.get(code=code).scope == "read groups"
    exchanged = token_endpoint(
        code_client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier
    )
    assert exchanged.json()["scope"] == "read groups"
