"""SPEC §2: authorization code with PKCE (S256 only, required for every client); implicit refused."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model

from tests.users.client_side import REDIRECT_URI, pkce_pair, query_of
from users.models import Application

AccessToken = get_access_token_model()
Grant = get_grant_model()
RefreshToken = get_refresh_token_model()


def authorize_params(application, **params):
    return {"client_id": application.client_id, "response_type": "code", "redirect_uri": REDIRECT_URI, **params}


def exchange(token_endpoint, application, code, verifier):
    return token_endpoint(
        application, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier
    )


def test_consent_page_shows_client_name_and_each_requested_scope_description(browser, code_client):
    _, challenge = pkce_pair()
    params = authorize_params(
        code_client, scope="read groups", code_challenge=challenge, code_challenge_method="S256", state="xyz"
    )
    response = browser.get("/o/authorize/", params)
    assert response.status_code == 200
    assert response.context["application"] == code_client
    assert response.context["scopes_descriptions"] == ["Read your user details", "Read groups and memberships"]
    page = response.content.decode()
    assert "Authorize Frontend App?" in page
    assert '<label for="id_granted_scopes_0">Read your user details</label>' in page
    assert '<label for="id_granted_scopes_1">Read groups and memberships</label>' in page
    assert "Change your details and groups" not in page


def test_authorization_code_with_pkce_issues_token_for_the_signed_in_user(
    alice, authorize, code_client, token_endpoint, graphql
):
    verifier, challenge = pkce_pair()
    response = authorize(code_client, scope="read groups", challenge=challenge)
    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT_URI + "?")
    redirect = query_of(response["Location"])
    assert sorted(redirect) == ["code", "iss", "state"]
    assert (redirect["state"], redirect["iss"]) == ("xyz", "http://testserver")  # RFC 9207

    token = exchange(token_endpoint, code_client, redirect["code"], verifier)
    assert token.status_code == 200
    body = token.json()
    assert (body["scope"], body["expires_in"], body["token_type"]) == ("read groups", 1200, "Bearer")
    assert "refresh_token" in body
    stored = AccessToken.objects.get()
    assert (stored.user, stored.application) == (alice, code_client)
    assert graphql("{ me { username } }", token=body["access_token"]).data == {"me": {"username": "alice"}}


def test_authorization_code_lives_60_seconds(authorize, code_client):
    _, challenge = pkce_pair()
    authorize(code_client, challenge=challenge)
    grant = Grant.objects.get()
    assert timedelta(seconds=55) < grant.expires - timezone.now() <= timedelta(seconds=60)


def test_public_client_exchanges_code_with_client_id_and_verifier_only(authorize, make_application):
    spa = make_application(grant=Application.GRANT_AUTHORIZATION_CODE, client_type="public", redirect_uris=REDIRECT_URI)
    verifier, challenge = pkce_pair()
    code = query_of(authorize(spa, challenge=challenge)["Location"])["code"]
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": spa.client_id,
    }
    response = Client().post("/o/token/", data)
    assert response.status_code == 200
    assert response.json()["scope"] == "read"


def test_authorization_code_replay_is_refused_and_revokes_the_tokens_issued_from_it(
    authorize, code_client, token_endpoint, graphql
):
    """RFC 6749 §4.1.2: a second exchange is invalid_grant and revokes every token from that code."""
    verifier, challenge = pkce_pair()
    code = query_of(authorize(code_client, challenge=challenge)["Location"])["code"]
    first = exchange(token_endpoint, code_client, code, verifier).json()
    refreshed = token_endpoint(code_client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert graphql("{ me { username } }", token=refreshed["access_token"]).status == 200

    replay = exchange(token_endpoint, code_client, code, verifier)
    assert replay.status_code == 400
    assert replay.json() == {"error": "invalid_grant"}
    # The code's tokens die, the refreshed descendants included.
    assert graphql("{ me { username } }", token=refreshed["access_token"]).status == 401
    again = token_endpoint(code_client, grant_type="refresh_token", refresh_token=refreshed["refresh_token"])
    assert again.json() == {"error": "invalid_grant"}
    assert AccessToken.objects.count() == 0
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 0


def test_code_replay_leaves_tokens_from_other_codes_alone(authorize, code_client, token_endpoint, graphql):
    verifier, challenge = pkce_pair()
    code = query_of(authorize(code_client, challenge=challenge)["Location"])["code"]
    other_verifier, other_challenge = pkce_pair()
    other_code = query_of(authorize(code_client, challenge=other_challenge)["Location"])["code"]
    exchange(token_endpoint, code_client, code, verifier)
    other = exchange(token_endpoint, code_client, other_code, other_verifier).json()

    assert exchange(token_endpoint, code_client, code, verifier).status_code == 400
    assert graphql("{ me { username } }", token=other["access_token"]).status == 200
    assert (
        token_endpoint(code_client, grant_type="refresh_token", refresh_token=other["refresh_token"]).status_code == 200
    )


def test_code_replayed_by_another_client_revokes_nothing(authorize, code_client, make_application, token_endpoint):
    verifier, challenge = pkce_pair()
    code = query_of(authorize(code_client, challenge=challenge)["Location"])["code"]
    exchange(token_endpoint, code_client, code, verifier)
    intruder = make_application(grant=Application.GRANT_AUTHORIZATION_CODE, redirect_uris=REDIRECT_URI)
    assert exchange(token_endpoint, intruder, code, verifier).json() == {"error": "invalid_grant"}
    assert AccessToken.objects.count() == 1


@pytest.mark.parametrize(
    "exchange_redirect_uri",
    [
        pytest.param(None, id="absent"),
        pytest.param("", id="empty"),
        pytest.param("https://app.example.com/other", id="other-uri"),
        pytest.param(REDIRECT_URI + "/", id="trailing-slash"),
    ],
)
def test_code_exchange_must_repeat_the_authorization_requests_redirect_uri(
    authorize, code_client, token_endpoint, exchange_redirect_uri
):
    """RFC 6749 §4.1.3: REQUIRED, and identical, when the authorization request included it."""
    verifier, challenge = pkce_pair()
    code = query_of(authorize(code_client, challenge=challenge)["Location"])["code"]
    response = token_endpoint(
        code_client,
        grant_type="authorization_code",
        code=code,
        redirect_uri=exchange_redirect_uri,
        code_verifier=verifier,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"  # RFC 6749 §5.2
    assert AccessToken.objects.count() == 0


@pytest.mark.parametrize(
    "exchange_redirect_uri", [pytest.param(None, id="absent"), pytest.param(REDIRECT_URI, id="the-registered-one")]
)
def test_code_from_a_request_without_redirect_uri_exchanges_without_or_with_the_registered_one(
    browser, code_client, token_endpoint, exchange_redirect_uri
):
    verifier, challenge = pkce_pair()
    params = authorize_params(code_client, scope="read", code_challenge=challenge, code_challenge_method="S256")
    del params["redirect_uri"]
    consent = browser.get("/o/authorize/", params)
    assert consent.status_code == 200
    form = {k: v for k, v in consent.context["form"].initial.items() if v not in (None, "")}
    response = browser.post("/o/authorize/", {**form, "allow": "Authorize"})
    assert response["Location"].startswith(REDIRECT_URI + "?")
    code = query_of(response["Location"])["code"]
    token = token_endpoint(
        code_client,
        grant_type="authorization_code",
        code=code,
        redirect_uri=exchange_redirect_uri,
        code_verifier=verifier,
    )
    assert token.status_code == 200


@pytest.mark.parametrize(
    ("extra", "description"),
    [
        pytest.param({}, "Code challenge required.", id="no-code-challenge"),
        pytest.param(
            {"challenge": "x" * 43, "method": "plain"},
            'code_challenge_method must be "S256" (the default, "plain", is not accepted).',
            id="plain-method",
        ),
    ],
)
def test_authorization_without_s256_challenge_is_refused(authorize, code_client, extra, description):
    response = authorize(code_client, **extra)
    assert response.status_code == 302
    redirect = query_of(response["Location"])
    assert (redirect["error"], redirect["error_description"]) == ("invalid_request", description)
    assert "code" not in redirect
    assert Grant.objects.count() == 0


def test_consent_page_is_not_shown_without_code_challenge(browser, code_client):
    response = browser.get("/o/authorize/", authorize_params(code_client, scope="read"))
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("verifier", "error"),
    [
        pytest.param("wrong-verifier-" + "x" * 40, "invalid_grant", id="wrong-verifier"),
        pytest.param(None, "invalid_request", id="missing-verifier"),
    ],
)
def test_code_exchange_without_the_right_verifier_is_refused(authorize, code_client, token_endpoint, verifier, error):
    _, challenge = pkce_pair()
    code = query_of(authorize(code_client, challenge=challenge)["Location"])["code"]
    response = exchange(token_endpoint, code_client, code, verifier)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == error
    assert AccessToken.objects.count() == 0


def test_code_exchange_with_other_redirect_uri_is_invalid_grant(authorize, code_client, token_endpoint):
    verifier, challenge = pkce_pair()
    code = query_of(authorize(code_client, challenge=challenge)["Location"])["code"]
    response = token_endpoint(
        code_client,
        grant_type="authorization_code",
        code=code,
        redirect_uri="https://app.example.com/other",
        code_verifier=verifier,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"  # RFC 6749 §5.2
    assert AccessToken.objects.count() == 0


def test_denying_consent_redirects_with_access_denied(browser, code_client):
    _, challenge = pkce_pair()
    params = authorize_params(code_client, scope="read", code_challenge=challenge, code_challenge_method="S256")
    response = browser.post("/o/authorize/", params)  # no "allow": the Cancel button
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "access_denied"
    assert Grant.objects.count() == 0


def test_unregistered_redirect_uri_is_not_redirected_to(browser, code_client):
    _, challenge = pkce_pair()
    params = authorize_params(code_client, code_challenge=challenge, code_challenge_method="S256")
    params["redirect_uri"] = "https://evil.example.com/callback"
    response = browser.get("/o/authorize/", params)
    assert response.status_code == 400
    assert response.context["error"].error == "invalid_request"
    assert "Mismatching redirect URI" in response.content.decode()
    assert not response.has_header("Location")


def test_signed_out_person_is_sent_to_the_login_page(code_client):
    _, challenge = pkce_pair()
    params = authorize_params(code_client, code_challenge=challenge, code_challenge_method="S256")
    response = Client().get("/o/authorize/", params)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/o/authorize/")


@pytest.mark.parametrize("method", ["get", "post"])
def test_implicit_grant_is_refused_even_for_a_client_registered_as_implicit(browser, make_application, method):
    implicit = make_application(grant=Application.GRANT_IMPLICIT, redirect_uris=REDIRECT_URI)
    params = {**authorize_params(implicit, scope="read"), "response_type": "token"}
    if method == "post":
        params.update(allow="Authorize", granted_scopes="read")
    response = getattr(browser, method)("/o/authorize/", params)
    assert response.status_code == 302
    assert "error=unauthorized_client" in response["Location"]
    assert "access_token" not in response["Location"]
    assert AccessToken.objects.count() == 0
