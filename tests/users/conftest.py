"""Fixtures for the OAuth2 server tests: clients registered per grant and one helper per endpoint,
each going through the real DOT views and the real database."""

import pytest
from django.test import Client

from tests.users.client_side import PASSWORD, REDIRECT_URI, basic_auth
from users.models import Application


@pytest.fixture
def token_endpoint(db):
    """token_endpoint(application, grant_type=..., ...) posts to /o/token/ with HTTP Basic client credentials.

    ``secret=None`` uses the application's raw secret; ``authorization=""`` sends no header."""
    client = Client()

    def post(application=None, secret=None, authorization=None, **data):
        headers = {}
        if authorization is None and application is not None:
            authorization = basic_auth(application.client_id, secret or application.raw_secret)
        if authorization:
            headers["HTTP_AUTHORIZATION"] = authorization
        return client.post("/o/token/", {k: v for k, v in data.items() if v is not None}, **headers)

    return post


@pytest.fixture
def password_client(make_application):
    return make_application(allowed_scopes="read write groups", name="tutorial-client")


@pytest.fixture
def password_grant(token_endpoint, alice):
    """The tutorial's grant: alice's username and password, the client's credentials in HTTP Basic."""

    def grant(application, scope=None, username="alice", password=PASSWORD):
        return token_endpoint(application, grant_type="password", username=username, password=password, scope=scope)

    return grant


@pytest.fixture
def code_client(make_application):
    return make_application(
        grant=Application.GRANT_AUTHORIZATION_CODE,
        allowed_scopes="read write groups",
        redirect_uris=REDIRECT_URI,
        name="Frontend App",
    )


@pytest.fixture
def browser(alice):
    """A browser with alice signed in (the authorize endpoint's resource owner)."""
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def authorize(browser):
    """authorize(application, scope=..., challenge=..., **extra) approves the consent form as alice;
    returns the response (a redirect to the client with ``code`` on success)."""

    def approve(application, scope="read", challenge=None, method="S256", response_type="code", **extra):
        params = {
            "client_id": application.client_id,
            "response_type": response_type,
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": "xyz",
            "code_challenge": challenge,
            "code_challenge_method": method if challenge else None,
            **extra,
        }
        params = {k: v for k, v in params.items() if v is not None}
        # The consent page's boxes, all checked (SPEC §2.4).
        return browser.post("/o/authorize/", {**params, "granted_scopes": scope.split(), "allow": "Authorize"})

    return approve
