"""SPEC §2.6 at /o/token/: proofs checked, access tokens bound to the key (token_type DPoP), public clients'
refresh tokens and dpop_jkt codes bound, require_dpop per client, server nonces."""

import pytest
from django.test import Client

from tests.dpop_keys import GRAPHQL_URL, DPoPKey
from tests.users.client_side import PASSWORD, REDIRECT_URI, basic_auth, pkce_pair, query_of, sha256
from users import dpop
from users.models import Application, DPoPBinding


@pytest.fixture
def key():
    return DPoPKey()


@pytest.fixture
def spa(make_application):
    return make_application(
        grant=Application.GRANT_AUTHORIZATION_CODE,
        client_type="public",
        redirect_uris=REDIRECT_URI,
        allowed_scopes="read write",
        name="SPA",
    )


def post(data, proof=None):
    headers = {"HTTP_DPOP": proof} if proof is not None else {}
    return Client().post("/o/token/", data, **headers)


@pytest.fixture
def code_for(authorize):
    def issue(application, **extra):
        verifier, challenge = pkce_pair()
        code = query_of(authorize(application, challenge=challenge, **extra)["Location"])["code"]
        return {
            "grant_type": "authorization_code",
            "client_id": application.client_id,
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        }

    return issue


def binding_of_access_token(raw: str) -> str | None:
    return DPoPBinding.objects.filter(access_token__token_checksum=sha256(raw)).values_list("jkt", flat=True).first()


def binding_of_refresh_token(raw: str) -> str | None:
    return DPoPBinding.objects.filter(refresh_token__token_checksum=sha256(raw)).values_list("jkt", flat=True).first()


def test_a_token_request_with_a_proof_gets_a_dpop_token_bound_to_the_key(spa, code_for, key):
    response = post(code_for(spa), key.proof())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "DPoP"
    assert binding_of_access_token(body["access_token"]) == key.jkt


def test_a_token_request_without_a_proof_gets_a_bearer_token(spa, code_for):
    body = post(code_for(spa)).json()
    assert body["token_type"] == "Bearer"
    assert binding_of_access_token(body["access_token"]) is None


@pytest.mark.parametrize(
    ("case", "make"),
    [
        ("garbage", lambda key: "garbage"),
        ("for another URL", lambda key: key.proof(htu=GRAPHQL_URL)),
        ("for GET", lambda key: key.proof(htm="GET")),
        ("stale", lambda key: key.proof(iat=1.0)),
    ],
)
def test_a_bad_proof_is_400_invalid_dpop_proof_and_issues_nothing(case, make, spa, code_for, key):
    response = post(code_for(spa), make(key))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_dpop_proof"
    assert not DPoPBinding.objects.filter(access_token__isnull=False).exists()


def test_a_replayed_proof_is_refused_at_the_token_endpoint(spa, code_for, key):
    proof = key.proof()
    assert post(code_for(spa), proof).status_code == 200
    response = post(code_for(spa), proof)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_dpop_proof")


def test_a_client_with_require_dpop_sending_no_proof_is_invalid_request(spa, code_for, key):
    spa.require_dpop = True
    spa.save()
    response = post(code_for(spa))
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    assert "DPoP" in response.json()["error_description"]
    assert post(code_for(spa), key.proof()).json()["token_type"] == "DPoP"


def test_require_dpop_applies_to_confidential_clients_and_every_grant(password_client, password_grant):
    password_client.require_dpop = True
    password_client.save()
    response = password_grant(password_client)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


def test_the_password_grant_with_a_proof_is_bound(password_client, alice, key):
    response = Client().post(
        "/o/token/",
        {"grant_type": "password", "username": "alice", "password": PASSWORD},
        HTTP_AUTHORIZATION=basic_auth(password_client.client_id, password_client.raw_secret),
        HTTP_DPOP=key.proof(),
    )
    body = response.json()
    assert body["token_type"] == "DPoP"
    # RFC 9449 §5: a confidential client's refresh token is bound to its authentication, not to the key.
    assert binding_of_refresh_token(body["refresh_token"]) is None


# --- Refresh tokens of public clients (SPEC §2.6) ---------------------------------------------------


@pytest.fixture
def bound_pair(spa, code_for, key):
    return post(code_for(spa), key.proof()).json()


def refresh(spa, refresh_token, proof=None):
    return post({"grant_type": "refresh_token", "client_id": spa.client_id, "refresh_token": refresh_token}, proof)


def test_a_public_clients_refresh_token_issued_with_dpop_is_bound(bound_pair, key):
    assert binding_of_refresh_token(bound_pair["refresh_token"]) == key.jkt


def test_refreshing_with_the_same_key_keeps_the_tokens_bound(spa, bound_pair, key):
    response = refresh(spa, bound_pair["refresh_token"], key.proof())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "DPoP"
    assert binding_of_access_token(body["access_token"]) == key.jkt
    assert binding_of_refresh_token(body["refresh_token"]) == key.jkt


@pytest.mark.parametrize("case", ["another key", "no proof"])
def test_refreshing_a_bound_refresh_token_without_its_key_is_invalid_grant(case, spa, bound_pair):
    proof = DPoPKey().proof() if case == "another key" else None
    response = refresh(spa, bound_pair["refresh_token"], proof)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


# --- dpop_jkt on the authorization request (RFC 9449 §10) ------------------------------------------


def test_a_code_requested_with_dpop_jkt_is_exchanged_only_with_that_key(spa, code_for, key):
    data = code_for(spa, dpop_jkt=key.jkt)
    for proof in (None, DPoPKey().proof()):
        response = post(data, proof)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_dpop_proof")
    response = post(data, key.proof())
    assert response.status_code == 200, response.content
    assert binding_of_access_token(response.json()["access_token"]) == key.jkt


def test_the_consent_page_carries_dpop_jkt_to_the_code(browser, spa, key):
    _, challenge = pkce_pair()
    params = {
        "client_id": spa.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "read",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "dpop_jkt": key.jkt,
    }
    page = browser.get("/o/authorize/", params)
    assert page.status_code == 200
    assert f'name="dpop_jkt" value="{key.jkt}"' in page.content.decode()


def test_a_malformed_dpop_jkt_is_refused_before_the_consent_page(browser, spa):
    _, challenge = pkce_pair()
    params = {
        "client_id": spa.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "read",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "dpop_jkt": "not-a-thumbprint",
    }
    response = browser.get("/o/authorize/", params)
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_request"


# --- Server nonces (RFC 9449 §8) ---------------------------------------------------------------------


def test_with_nonces_required_a_proof_without_one_is_use_dpop_nonce_with_the_nonce(settings, spa, code_for, key):
    settings.DPOP_NONCE_REQUIRED = True
    data = code_for(spa)
    response = post(data, key.proof())
    assert (response.status_code, response.json()["error"]) == (400, "use_dpop_nonce")
    nonce = response["DPoP-Nonce"]
    assert nonce == dpop.current_nonce()
    response = post(data, key.proof(nonce=nonce))
    assert response.status_code == 200, response.content
    assert response.json()["token_type"] == "DPoP"
