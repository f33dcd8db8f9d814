"""SPEC §2: a user who is deactivated loses everything at once: their tokens are refused on /graphql, introspect
as ``{"active": false}``, and their refresh tokens get ``invalid_grant``."""

import pytest
from django.test import Client
from oauth2_provider.models import get_access_token_model

from tests.users.client_side import basic_auth
from users.models import Application

AccessToken = get_access_token_model()
ME = "{ me { username } }"


@pytest.fixture
def issued(alice, password_client, password_grant):
    """alice's pair, then alice deactivated by an admin."""
    pair = password_grant(password_client, scope="read groups").json()
    alice.is_active = False
    alice.save()
    return pair


def test_a_deactivated_users_refresh_token_is_invalid_grant(issued, token_endpoint, password_client):
    response = token_endpoint(password_client, grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}
    assert AccessToken.objects.count() == 1  # nothing new was issued


def test_a_reactivated_users_refresh_token_works_again(alice, issued, token_endpoint, password_client):
    alice.is_active = True
    alice.save()
    response = token_endpoint(password_client, grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert response.status_code == 200


def test_a_deactivated_users_token_introspects_as_inactive(issued, make_application):
    introspector = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes="introspection")
    auth = basic_auth(introspector.client_id, introspector.raw_secret)
    response = Client().post("/o/introspect/", {"token": issued["access_token"]}, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 200
    assert response.json() == {"active": False}


def test_a_deactivated_users_token_is_refused_on_graphql(issued, graphql):
    response = graphql(ME, token=issued["access_token"])
    assert response.status == 401
    assert response.codes == ["INVALID_TOKEN"]


def test_a_deactivated_user_cannot_get_a_new_token(issued, password_grant, password_client):
    response = password_grant(password_client)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_deactivated_users_bearer_token_cannot_introspect(alice, make_token, issued):
    """The bearer path of /o/introspect/ (DOT's validate_bearer_token checks only the token)."""
    bearer = make_token(alice, scopes="introspection")
    response = Client().post("/o/introspect/", {"token": issued["access_token"]}, HTTP_AUTHORIZATION=f"Bearer {bearer}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["error"] == "invalid_token"


def test_a_code_issued_before_deactivation_is_not_exchanged(alice, authorize, code_client, token_endpoint):
    from tests.users.client_side import REDIRECT_URI, pkce_pair, query_of

    verifier, challenge = pkce_pair()
    code = query_of(authorize(code_client, challenge=challenge)["Location"])["code"]
    alice.is_active = False
    alice.save()
    response = token_endpoint(
        code_client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()
