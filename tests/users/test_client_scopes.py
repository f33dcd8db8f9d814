"""SPEC §2, §2.3: every grant gives a token only scopes its client is allowed (``Application.allowed_scopes``)."""

import pytest
from oauth2_provider.models import get_access_token_model

from tests.users.client_side import REDIRECT_URI, pkce_pair, query_of
from users.models import Application

AccessToken = get_access_token_model()
GRANTS = [
    pytest.param(Application.GRANT_PASSWORD, id="password"),
    pytest.param(Application.GRANT_CLIENT_CREDENTIALS, id="client-credentials"),
    pytest.param(Application.GRANT_AUTHORIZATION_CODE, id="authorization-code"),
]


@pytest.fixture
def obtain(make_application, token_endpoint, password_grant, browser):
    """obtain(grant, allowed_scopes, scope) runs the grant for a client allowed ``allowed_scopes``,
    as its client would, and returns the token response's body or the error it got."""

    def authorization_code(client, scope):
        verifier, challenge = pkce_pair()
        params = {
            "client_id": client.client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if scope is not None:
            params["scope"] = scope
        consent = browser.get("/o/authorize/", params)
        if consent.status_code == 302:
            return {"error": query_of(consent["Location"])["error"]}
        form = {name: value for name, value in consent.context["form"].initial.items() if value is not None}
        redirect = browser.post("/o/authorize/", {**form, "allow": "Authorize"})
        code = query_of(redirect["Location"])["code"]
        response = token_endpoint(
            client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier
        )
        return response.json()

    def run(grant, allowed_scopes, scope):
        client = make_application(grant=grant, allowed_scopes=allowed_scopes, redirect_uris=REDIRECT_URI)
        if grant == Application.GRANT_AUTHORIZATION_CODE:
            return authorization_code(client, scope)
        if grant == Application.GRANT_PASSWORD:
            return password_grant(client, scope=scope).json()
        return token_endpoint(client, grant_type="client_credentials", scope=scope).json()

    return run


@pytest.mark.parametrize("grant", GRANTS)
@pytest.mark.parametrize(
    ("allowed", "scope", "granted"),
    [
        pytest.param("read", "read", "read", id="allowed-scope"),
        pytest.param("read write groups", "read groups", "read groups", id="subset-of-allowed"),
        pytest.param("read write groups", "groups read", "read groups", id="any-order"),
        pytest.param("introspection", "introspection", "introspection", id="introspection-when-allowed"),
    ],
)
def test_every_grant_gives_the_allowed_scopes_asked_for(obtain, grant, allowed, scope, granted):
    body = obtain(grant, allowed, scope)
    assert sorted(body["scope"].split()) == sorted(granted.split())
    assert sorted(AccessToken.objects.get().scope.split()) == sorted(granted.split())


@pytest.mark.parametrize("grant", GRANTS)
@pytest.mark.parametrize(
    ("allowed", "scope"),
    [
        pytest.param("read", "write", id="scope-not-allowed"),
        pytest.param("read", "read groups", id="one-scope-not-allowed"),
        pytest.param("read write groups", "introspection", id="introspection-not-allowed"),
        pytest.param("read write groups introspection", "admin", id="unknown-scope"),
        pytest.param("read write groups introspection", "read admin", id="one-unknown-scope"),
        pytest.param("read write groups introspection", "__all__", id="all-marker"),
    ],
)
def test_every_grant_refuses_a_scope_the_client_may_not_have_with_invalid_scope(obtain, grant, allowed, scope):
    assert obtain(grant, allowed, scope) == {"error": "invalid_scope"}
    assert AccessToken.objects.count() == 0


@pytest.mark.parametrize("grant", GRANTS)
def test_request_without_scope_gets_read_never_all_scopes(obtain, grant):
    body = obtain(grant, "read write groups introspection", None)
    assert body["scope"] == "read"
    assert AccessToken.objects.get().scope == "read"


@pytest.mark.parametrize("grant", GRANTS)
def test_scope_parameter_present_but_empty_is_invalid_scope(obtain, grant):
    """oauthlib reads ``scope=`` as one empty scope name, unknown, rather than as no scope."""
    assert obtain(grant, "read write groups introspection", "") == {"error": "invalid_scope"}
    assert AccessToken.objects.count() == 0


@pytest.mark.parametrize("grant", GRANTS)
def test_empty_scope_request_by_client_without_read_is_invalid_scope(obtain, grant):
    """RFC 6749 §3.3: with no default the client may have, the request fails rather than
    yielding a token that can do nothing (or, for the code flow, a consent page that cannot be approved)."""
    assert obtain(grant, "groups introspection", None) == {"error": "invalid_scope"}
    assert AccessToken.objects.count() == 0


def test_a_code_exchanged_after_the_client_was_narrowed_gets_only_what_it_may_have_now(
    authorize, code_client, token_endpoint
):
    from tests.users.client_side import REDIRECT_URI, pkce_pair, query_of

    verifier, challenge = pkce_pair()
    code = query_of(authorize(code_client, scope="read groups", challenge=challenge)["Location"])["code"]
    code_client.allowed_scopes = "read"
    code_client.save()
    response = token_endpoint(
        code_client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier
    )
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "read"
