"""/o/userinfo/ as strict relying parties meet it (issue 17): a live token without `openid` is RFC 6750
§3.1's 403 insufficient_scope with its challenge, and a bodyless POST gets the same answer whichever
server (Django's development server or gunicorn) hands Django the request."""

import pytest
import requests
from django.test import Client

from users.models import Application

CHALLENGE = (
    'Bearer error="insufficient_scope", error_description="The access token does not hold the openid scope.",'
    ' scope="openid"'
)


@pytest.fixture
def oidc_client(make_application):
    return make_application(grant=Application.GRANT_AUTHORIZATION_CODE, allowed_scopes="openid profile email read")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_live_token_without_openid_is_403_insufficient_scope(alice, oidc_client, make_token, method):
    token = make_token(user=alice, scopes="profile read", application=oidc_client)
    response = getattr(Client(), method)("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response["WWW-Authenticate"] == CHALLENGE
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "insufficient_scope"
    # The token is live: a strict client that keeps it can still use it where its scopes suffice.
    graphql = Client().get("/graphql", {"query": "{ me { username } }"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert graphql.json()["data"] == {"me": {"username": "alice"}}


@pytest.mark.parametrize(
    ("label", "expires_in", "raw"),
    [("unknown", 600, "no-such-token"), ("expired", -1, None)],
)
def test_a_token_that_is_not_live_is_still_401_invalid_token(alice, oidc_client, make_token, label, expires_in, raw):
    token = raw or make_token(user=alice, scopes="openid", expires_in=expires_in, application=oidc_client)
    response = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


@pytest.mark.parametrize(
    ("server", "environ"),
    [
        ("gunicorn: no Content-Type", {}),
        ("runserver: wsgiref calls it text/plain", {"CONTENT_TYPE": "text/plain"}),
        ("Content-Length: 0", {"CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "0"}),
    ],
)
def test_a_bodyless_post_is_answered_whatever_the_server(alice, oidc_client, make_token, server, environ):
    token = make_token(user=alice, scopes="openid", application=oidc_client)
    response = Client().generic("POST", "/o/userinfo/", b"", HTTP_AUTHORIZATION=f"Bearer {token}", **environ)
    assert response.status_code == 200, response.content
    assert response.json() == {"sub": str(alice.pk)}


def test_a_post_with_a_body_of_another_type_is_still_refused(alice, oidc_client, make_token):
    token = make_token(user=alice, scopes="openid", application=oidc_client)
    response = Client().post("/o/userinfo/", "x", content_type="text/plain", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.slow
def test_userinfo_over_the_development_servers_own_handler(
    transactional_db, live_server, alice, oidc_client, make_token
):
    """pytest-django's live server is Django's development server's request handler (wsgiref's): what
    Authlib sends (a bodyless POST) and what a strict client needs (403 with a challenge) over real HTTP."""
    url = f"{live_server.url}/o/userinfo/"
    token = make_token(user=alice, scopes="openid profile", application=oidc_client)
    answer = requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["preferred_username"] == "alice"
    lacking = make_token(user=alice, scopes="profile", application=oidc_client)
    refused = requests.get(url, headers={"Authorization": f"Bearer {lacking}"}, timeout=10)
    assert (refused.status_code, refused.headers["WWW-Authenticate"]) == (403, CHALLENGE)
