"""SPEC §2.3, §7.1: the built-in GraphiQL client and its one redirect URI, this server's own origin."""

import pytest
from django.test import Client

from tests.dpop_keys import DPoPKey
from tests.users.client_side import pkce_pair, query_of
from users.builtin_clients import GRAPHIQL_CLIENT_ID
from users.models import Application


def authorize_graphiql(alice, redirect_uri, host="testserver", secure=False):
    client = Client()
    client.force_login(alice)
    verifier, challenge = pkce_pair()
    params = {
        "client_id": GRAPHIQL_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": "read",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params = {name: value for name, value in params.items() if value is not None}
    return client, verifier, client.get("/o/authorize/", params, HTTP_HOST=host, secure=secure)


def test_the_migration_creates_a_public_code_client_that_shows_consent(db):
    graphiql = Application.objects.get(client_id=GRAPHIQL_CLIENT_ID)
    assert (graphiql.client_type, graphiql.authorization_grant_type) == ("public", "authorization-code")
    assert graphiql.allowed_scopes == "read write groups"
    assert graphiql.skip_authorization is False


@pytest.mark.parametrize(
    "host, secure, redirect_uri",
    [
        pytest.param("testserver", False, "http://testserver/graphql/callback", id="test-host"),
        pytest.param("127.0.0.1:8000", False, "http://127.0.0.1:8000/graphql/callback", id="loopback-with-port"),
        pytest.param("localhost:8000", True, "https://localhost:8000/graphql/callback", id="https"),
    ],
)
def test_graphiql_may_redirect_to_the_origin_the_request_reached(alice, settings, host, secure, redirect_uri):
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    _, _, response = authorize_graphiql(alice, redirect_uri, host=host, secure=secure)
    assert response.status_code == 200
    assert response.context["application"].client_id == GRAPHIQL_CLIENT_ID


@pytest.mark.parametrize(
    "redirect_uri",
    [
        pytest.param("http://evil.example/graphql/callback", id="another-host"),
        pytest.param("https://testserver/graphql/callback", id="another-scheme"),
        pytest.param("http://testserver:8001/graphql/callback", id="another-port"),
        pytest.param("http://testserver/graphql/callback/x", id="another-path"),
        pytest.param("http://127.0.0.1:8000/graphql/callback", id="the-stored-uri-on-another-host"),
    ],
)
def test_any_other_redirect_uri_is_refused_without_redirecting(alice, redirect_uri):
    _, _, response = authorize_graphiql(alice, redirect_uri)
    assert response.status_code == 400
    assert "Location" not in response


def test_the_code_exchanges_with_the_same_redirect_uri_and_the_verifier(alice):
    client, verifier, page = authorize_graphiql(alice, "http://testserver/graphql/callback")
    form = {f.html_name: f.value() for f in page.context["form"] if f.is_hidden and f.value() is not None}
    approved = client.post("/o/authorize/", {**form, "granted_scopes": ["read"], "allow": "Authorize"})
    assert approved.status_code == 302
    code = query_of(approved["Location"])["code"]
    token = Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "client_id": GRAPHIQL_CLIENT_ID,
            "code": code,
            "redirect_uri": "http://testserver/graphql/callback",
            "code_verifier": verifier,
        },
        HTTP_DPOP=DPoPKey().proof(),  # GraphiQL requires DPoP (SPEC §7.1)
    )
    assert token.status_code == 200
    assert (token.json()["scope"], token.json()["token_type"]) == ("read", "DPoP")


def test_graphiql_requires_dpop(db):
    assert Application.objects.get(client_id=GRAPHIQL_CLIENT_ID).require_dpop


def test_without_redirect_uri_graphiql_redirects_to_this_origins_callback(alice):
    """The one URI it may use is the default, so a consent approved without redirect_uri succeeds."""
    client, _, page = authorize_graphiql(alice, None)
    assert page.status_code == 200
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    approved = client.post("/o/authorize/", {**form, "granted_scopes": "read", "allow": "Authorize"})
    assert approved.status_code == 302, approved.content
    assert approved["Location"].startswith("http://testserver/graphql/callback?")
    assert "code" in query_of(approved["Location"])
