"""SPEC §2.5: OpenID Connect through DOT: id tokens from the code grant, userinfo per scope, clients
allowed openid by their scopes alone."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from joserfc.errors import BadSignatureError, InvalidClaimError, MissingClaimError

from tests.users.client_side import REDIRECT_URI, pkce_pair, query_of
from tests.users.id_tokens import verified_claims
from users.models import Application

ISSUER = "http://testserver"
NONCE = "n-0S6_WzA2Mj"
PROFILE = {"preferred_username": "alice", "name": "Alice Liddell", "given_name": "Alice", "family_name": "Liddell"}
EMAIL = {"email": "alice@example.com", "email_verified": False}


@pytest.fixture
def oidc_client(make_application):
    return make_application(
        grant=Application.GRANT_AUTHORIZATION_CODE,
        allowed_scopes="openid profile email read",
        redirect_uris=REDIRECT_URI,
        name="Sign-in App",
    )


@pytest.fixture
def sign_in(authorize, token_endpoint):
    """sign_in(application, scope, **extra) -> (token endpoint response, authorization redirect's query)."""

    def run(application, scope="openid profile email", **extra):
        verifier, challenge = pkce_pair()
        redirect = authorize(application, scope=scope, challenge=challenge, **extra)
        assert redirect.status_code == 302, redirect.content
        query = query_of(redirect["Location"])
        if "code" not in query:
            return None, query
        token = token_endpoint(
            application,
            grant_type="authorization_code",
            code=query["code"],
            redirect_uri=REDIRECT_URI,
            code_verifier=verifier,
        )
        return token, query

    return run


def jwks() -> dict:
    return Client().get("/o/.well-known/jwks.json").json()


def userinfo(token: str, method: str = "get"):
    return getattr(Client(), method)("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_code_grant_with_openid_returns_a_signed_id_token_for_the_user(alice, oidc_client, sign_in):
    token, query = sign_in(oidc_client, nonce=NONCE)
    assert token.status_code == 200
    body = token.json()
    claims = verified_claims(body["id_token"], jwks(), ISSUER, oidc_client.client_id, NONCE, body["access_token"])
    assert claims["sub"] == str(alice.pk)
    assert claims["iss"] == query["iss"] == ISSUER  # RFC 9207's iss and the id token's agree
    assert claims["aud"] == oidc_client.client_id
    assert claims["nonce"] == NONCE
    assert abs(claims["exp"] - claims["iat"] - 1200) <= 1  # ID_TOKEN_EXPIRE_SECONDS, as long as the access token
    assert {**PROFILE, **EMAIL}.items() <= claims.items()


def test_id_token_header_names_the_published_key(oidc_client, sign_in):
    import base64
    import json

    token, _ = sign_in(oidc_client, nonce=NONCE)
    header = json.loads(base64.urlsafe_b64decode(token.json()["id_token"].split(".")[0] + "=="))
    assert header["alg"] == "RS256"
    assert header["kid"] in [key["kid"] for key in jwks()["keys"]]


def test_id_token_with_another_nonce_or_audience_or_key_fails_verification(oidc_client, sign_in, make_application):
    token, _ = sign_in(oidc_client, nonce=NONCE)
    body = token.json()
    args = (body["id_token"], jwks(), ISSUER, oidc_client.client_id, NONCE, body["access_token"])
    with pytest.raises(InvalidClaimError):
        verified_claims(*args[:4], "another-nonce", args[5])
    with pytest.raises(InvalidClaimError):
        verified_claims(*args[:3], "another-client", *args[4:])
    with pytest.raises(InvalidClaimError):
        verified_claims(args[0], args[1], "http://testserver/o", *args[3:])
    tampered = body["id_token"][:-4] + ("AAAA" if not body["id_token"].endswith("AAAA") else "BBBB")
    with pytest.raises(BadSignatureError):
        verified_claims(tampered, *args[1:])


def test_nonce_is_required_back_when_it_was_sent(oidc_client, sign_in):
    token, _ = sign_in(oidc_client)  # no nonce in the request: none in the token
    body = token.json()
    assert "nonce" not in verified_claims(body["id_token"], jwks(), ISSUER, oidc_client.client_id, "", "")
    with pytest.raises(MissingClaimError):
        verified_claims(body["id_token"], jwks(), ISSUER, oidc_client.client_id, NONCE, body["access_token"])


def test_id_token_carries_only_the_claims_of_the_granted_scopes(alice, oidc_client, sign_in):
    token, _ = sign_in(oidc_client, scope="openid")
    body = token.json()
    claims = verified_claims(body["id_token"], jwks(), ISSUER, oidc_client.client_id, "", body["access_token"])
    assert set(claims) == {"iss", "sub", "aud", "exp", "iat", "auth_time", "jti", "at_hash"}


def test_refresh_with_openid_returns_a_new_id_token_for_the_same_user(alice, oidc_client, sign_in, token_endpoint):
    first = sign_in(oidc_client, scope="openid profile")[0].json()
    refreshed = token_endpoint(oidc_client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    claims = verified_claims(
        refreshed["id_token"], jwks(), ISSUER, oidc_client.client_id, "", refreshed["access_token"]
    )
    assert (claims["sub"], claims["preferred_username"]) == (str(alice.pk), "alice")
    assert refreshed["id_token"] != first["id_token"]


def test_a_client_no_longer_allowed_openid_gets_no_id_token(alice, oidc_client, authorize, token_endpoint):
    verifier, challenge = pkce_pair()
    code = query_of(authorize(oidc_client, scope="openid profile read", challenge=challenge)["Location"])["code"]
    oidc_client.allowed_scopes = "read"
    oidc_client.save()
    exchange = dict(grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier)
    token = token_endpoint(oidc_client, **exchange)
    assert token.status_code == 200
    assert "id_token" not in token.json()
    refreshed = token_endpoint(oidc_client, grant_type="refresh_token", refresh_token=token.json()["refresh_token"])
    assert refreshed.status_code == 200
    assert "id_token" not in refreshed.json()


def test_code_grant_without_openid_returns_no_id_token(oidc_client, sign_in):
    token, _ = sign_in(oidc_client, scope="read")
    assert token.status_code == 200
    assert "id_token" not in token.json()


@pytest.mark.parametrize("scope", ["openid", "openid profile", "openid read"])
def test_client_not_allowed_openid_gets_invalid_scope_at_authorization(code_client, sign_in, scope):
    token, query = sign_in(code_client, scope=scope)
    assert token is None
    assert query["error"] == "invalid_scope"


def test_client_not_allowed_openid_gets_invalid_scope_at_the_token_endpoint(password_client, password_grant):
    response = password_grant(password_client, scope="openid read")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


@pytest.mark.parametrize(
    "label, scopes, expected",
    [
        ("openid alone: sub", "openid", {}),
        ("profile", "openid profile", PROFILE),
        ("email", "openid email", EMAIL),
        ("profile and email", "openid profile email", {**PROFILE, **EMAIL}),
        ("other scopes add nothing", "openid read", {}),
    ],
)
def test_userinfo_answers_the_claims_of_the_tokens_scopes(alice, oidc_client, make_token, label, scopes, expected):
    response = userinfo(make_token(user=alice, scopes=scopes, application=oidc_client))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"sub": str(alice.pk), **expected}


def test_userinfo_never_discloses_the_password_or_other_fields(alice, oidc_client, make_token):
    body = userinfo(make_token(user=alice, scopes="openid profile email", application=oidc_client), "post").json()
    assert set(body) == {"sub", *PROFILE, *EMAIL}
    assert alice.password not in str(body)


def test_userinfo_omits_claims_without_a_value(make_user, oidc_client, make_token):
    user = make_user("dodo")
    user.email = ""
    user.save()
    body = userinfo(make_token(user=user, scopes="openid profile email", application=oidc_client)).json()
    assert body == {"sub": str(user.pk), "preferred_username": "dodo"}


def test_userinfo_needs_a_token_holding_openid(alice, oidc_client, make_token):
    assert Client().get("/o/userinfo/").status_code == 401
    # RFC 6750 §3.1: a live token without the scope is insufficient_scope, not an unknown token.
    response = userinfo(make_token(user=alice, scopes="profile email read", application=oidc_client))
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"


def test_userinfo_follows_the_clients_allowed_scopes_now(alice, oidc_client, make_token):
    token = make_token(user=alice, scopes="openid profile email", application=oidc_client)
    oidc_client.allowed_scopes = "openid read"
    oidc_client.save()
    assert userinfo(token).json() == {"sub": str(alice.pk)}
    oidc_client.allowed_scopes = "read"
    oidc_client.save()
    response = userinfo(token)
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"


def test_userinfo_refuses_a_deactivated_users_token(alice, oidc_client, make_token):
    token = make_token(user=alice, scopes="openid", application=oidc_client)
    alice.is_active = False
    alice.save()
    response = userinfo(token)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_userinfo_refuses_a_token_without_a_user(oidc_client, make_token):
    response = userinfo(make_token(user=None, scopes="openid", application=oidc_client))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


@pytest.mark.parametrize(
    "label, scopes, algorithm",
    [
        ("openid allowed: RS256", "openid read", "RS256"),
        ("openid and the claims scopes", "openid profile email", "RS256"),
        ("no openid: no id tokens", "read profile email", ""),
    ],
)
def test_the_signing_algorithm_follows_the_allowed_scopes(make_application, label, scopes, algorithm):
    application = make_application(
        grant=Application.GRANT_AUTHORIZATION_CODE, allowed_scopes=scopes, redirect_uris=REDIRECT_URI
    )
    application.full_clean()
    assert Application.objects.get(pk=application.pk).algorithm == algorithm


def test_narrowing_the_scopes_drops_the_algorithm(oidc_client):
    oidc_client.allowed_scopes = "read"
    oidc_client.save(update_fields=["allowed_scopes"])
    assert Application.objects.get(pk=oidc_client.pk).algorithm == ""


def test_an_algorithm_chosen_by_hand_does_not_survive(oidc_client):
    oidc_client.algorithm = Application.HS256_ALGORITHM
    oidc_client.save()
    assert Application.objects.get(pk=oidc_client.pk).algorithm == "RS256"


def test_client_credentials_clients_may_not_be_allowed_openid(make_application):
    application = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes="openid read")
    with pytest.raises(ValidationError) as refused:
        application.full_clean()
    assert list(refused.value.message_dict) == ["allowed_scopes"]


@pytest.mark.parametrize(
    "label, method, content_type, body, status",
    [
        ("multipart without a boundary", "post", "multipart/form-data", b"xx", 400),
        ("a form in another charset", "post", "application/x-www-form-urlencoded; charset=latin-1", b"a=b", 400),
        ("another method", "put", "application/json", b"{}", 405),
    ],
)
def test_userinfo_answers_bad_requests_in_json(db, label, method, content_type, body, status):
    response = getattr(Client(), method)("/o/userinfo/", body, content_type=content_type)
    assert response.status_code == status
    assert response.json()["error"] == "invalid_request"


def authorization_request(application, scope="openid profile", **extra) -> dict:
    _, challenge = pkce_pair()
    return {
        "client_id": application.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


def test_prompt_none_is_answered_consent_required_as_consent_is_always_asked(browser, oidc_client):
    response = browser.get("/o/authorize/", authorization_request(oidc_client, prompt="none"))
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "consent_required"


@pytest.mark.parametrize(
    "label, scope, method, nonce",
    [
        ("too long, consent page", "openid", "get", "n" * 256),
        ("too long, approved form", "openid", "post", "n" * 256),
        ("too long, not even openid", "read", "post", "n" * 256),
    ],
)
def test_a_nonce_the_code_cannot_keep_is_invalid_request(browser, oidc_client, label, scope, method, nonce):
    params = authorization_request(oidc_client, scope=scope, nonce=nonce)
    if method == "get":
        response = browser.get("/o/authorize/", params)
    else:
        response = browser.post("/o/authorize/", {**params, "allow": "Authorize", "granted_scopes": scope.split()})
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_request"


def test_the_longest_nonce_is_echoed(oidc_client, sign_in):
    token, _ = sign_in(oidc_client, nonce="n" * 255)
    body = token.json()
    assert verified_claims(body["id_token"], jwks(), ISSUER, oidc_client.client_id, "n" * 255, body["access_token"])
