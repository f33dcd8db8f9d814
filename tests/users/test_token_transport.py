"""SPEC §2, §3: access tokens are accepted only in the Authorization header, at every endpoint that takes
one (RFC 9700 §4.3.2: proxies log query strings); in a query string or a form body: 400 invalid_request
(issue 16, item 6)."""

import json

import pytest
from django.test import Client

from users.models import Application


@pytest.fixture
def token(alice, make_token, make_application):
    client = make_application(grant=Application.GRANT_AUTHORIZATION_CODE, allowed_scopes="openid read introspection")
    return make_token(alice, "openid read introspection", application=client)


def assert_invalid_request(response):
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["error"] == "invalid_request"
    assert "Authorization header" in body["error_description"]


@pytest.mark.parametrize("how", ["query", "form body"])
def test_userinfo_refuses_a_token_outside_the_header(token, how):
    client = Client()
    if how == "query":
        response = client.get("/o/userinfo/", {"access_token": token})
    else:
        response = client.post(
            "/o/userinfo/", f"access_token={token}", content_type="application/x-www-form-urlencoded"
        )
    assert_invalid_request(response)


def test_userinfo_accepts_the_token_in_the_header(token):
    response = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/o/introspect/", "/o/revoke_token/", "/o/token/"])
def test_the_oauth2_endpoints_refuse_an_access_token_in_the_body(token, path):
    body = f"token={token}&access_token={token}&grant_type=client_credentials"
    assert_invalid_request(Client().post(path, body, content_type="application/x-www-form-urlencoded"))


def test_graphql_refuses_a_token_in_the_query_string(token):
    response = Client().get("/graphql", {"query": "{ me { username } }", "access_token": token})
    assert response.status_code == 400
