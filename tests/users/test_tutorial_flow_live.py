"""The tutorial's flow end to end, as a real OAuth2 client library runs it over real HTTP (SPEC §1, §2)."""

import pytest
import requests
from oauthlib.oauth2 import LegacyApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from tests.users.client_side import PASSWORD

ME = {"query": "{ me { username } }"}


@pytest.mark.slow
def test_tutorial_flow_with_requests_oauthlib_against_a_live_server(
    transactional_db, live_server, alice, password_client, monkeypatch
):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the live server speaks http
    token_url = f"{live_server.url}/o/token/"
    graphql_url = f"{live_server.url}/graphql"
    client_auth = HTTPBasicAuth(password_client.client_id, password_client.raw_secret)
    client = LegacyApplicationClient(client_id=password_client.client_id, scope=["read", "groups"])
    session = OAuth2Session(client=client)

    # 1. Password grant with HTTP Basic client credentials.
    token = session.fetch_token(token_url, username="alice", password=PASSWORD, auth=client_auth)
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 1200
    assert token["scope"] == ["read", "groups"]

    # 2. The bearer token on /graphql.
    response = session.post(graphql_url, json=ME)
    assert response.status_code == 200
    assert response.json()["data"] == {"me": {"username": "alice"}}
    assert response.headers["X-OAuth-Scopes"] == "groups, read"

    # 3. Refresh through the library: both tokens rotate, the new access token works, the old one does not.
    refreshed = session.refresh_token(token_url, auth=client_auth)
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert session.post(graphql_url, json=ME).json()["data"] == {"me": {"username": "alice"}}
    old = requests.post(graphql_url, json=ME, headers={"Authorization": f"Bearer {token['access_token']}"})
    assert old.status_code == 401

    # 4. Revoke (RFC 7009); the very next /graphql request is 401 INVALID_TOKEN.
    revoked = requests.post(
        f"{live_server.url}/o/revoke_token/", data={"token": refreshed["access_token"]}, auth=client_auth
    )
    assert revoked.status_code == 200
    response = session.post(graphql_url, json=ME)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
