"""SPEC §2: RFC 7009 revocation at /o/revoke_token/; a revoked token stops working on the very next request."""

import pytest
from django.test import Client
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from tests.users.client_side import basic_auth

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
ME = "{ me { username } }"


@pytest.fixture
def revoke(password_client):
    def post(token, application=None, authorization=None, **extra):
        application = application or password_client
        auth = authorization if authorization is not None else basic_auth(application.client_id, application.raw_secret)
        headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
        return Client().post("/o/revoke_token/", {"token": token, **extra}, **headers)

    return post


@pytest.fixture
def issued(password_client, password_grant):
    return password_grant(password_client).json()


def test_revoked_access_token_is_401_invalid_token_on_the_next_graphql_request(issued, revoke, graphql):
    assert graphql(ME, token=issued["access_token"]).status == 200
    response = revoke(issued["access_token"])
    assert response.status_code == 200
    answer = graphql(ME, token=issued["access_token"])
    assert answer.status == 401
    assert answer.codes == ["INVALID_TOKEN"]
    assert answer.data is None


@pytest.mark.parametrize("hint", [None, "access_token", "refresh_token"])
def test_revoking_the_access_token_also_revokes_its_refresh_token(
    issued, revoke, token_endpoint, password_client, hint
):
    assert revoke(issued["access_token"], **({"token_type_hint": hint} if hint else {})).status_code == 200
    response = token_endpoint(password_client, grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}
    assert AccessToken.objects.count() == 0


def test_revoking_the_refresh_token_also_ends_its_access_token(issued, revoke, graphql):
    assert revoke(issued["refresh_token"], token_type_hint="refresh_token").status_code == 200
    assert graphql(ME, token=issued["access_token"]).status == 401
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 0


def test_another_clients_token_is_not_revoked(issued, revoke, make_application, graphql):
    other = make_application(name="other-client")
    response = revoke(issued["access_token"], application=other)
    assert response.status_code == 200  # RFC 7009 §2.2: no hint whether the token exists
    assert graphql(ME, token=issued["access_token"]).status == 200
    assert AccessToken.objects.count() == 1


def test_unknown_token_revocation_is_200(password_client, revoke):
    assert revoke("no-such-token").status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(lambda app: "", id="no-client-credentials"),
        pytest.param(lambda app: basic_auth(app.client_id, "not-the-secret"), id="wrong-secret"),
    ],
)
def test_revocation_without_client_authentication_is_401_and_revokes_nothing(
    issued, revoke, password_client, graphql, authorization
):
    response = revoke(issued["access_token"], authorization=authorization(password_client))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="oauth2"'  # RFC 6749 §5.2 (oauthlib said Bearer)
    assert response.json() == {"error": "invalid_client"}
    assert graphql(ME, token=issued["access_token"]).status == 200
