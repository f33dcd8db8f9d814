"""SPEC §2.6 and §3 at /graphql and /o/userinfo/: Authorization: DPoP with a proof of the token's key."""

import hashlib
import json
import time

import pytest
from django.test import Client, RequestFactory
from oauth2_provider.models import get_access_token_model

from schema.authentication import authenticate
from tests.dpop_keys import GRAPHQL_URL, TOKEN_URL, USERINFO_URL, DPoPKey
from tests.users.client_side import PASSWORD, basic_auth
from users import dpop
from users.models import DPoPBinding

AccessToken = get_access_token_model()
ALGS = 'algs="ES256 PS256 RS256"'
RESOURCE_METADATA = 'resource_metadata="http://testserver/.well-known/oauth-protected-resource/graphql"'
ME = "{ me { username } }"


@pytest.fixture
def key():
    return DPoPKey()


@pytest.fixture
def bound_token(make_token, make_application, alice, key):
    """An access token of alice's bound to ``key`` (as /o/token/ binds it: users/token_binding.py)."""
    raw = make_token(alice, "read openid profile", application=make_application(allowed_scopes="read openid profile"))
    DPoPBinding.objects.create(access_token=AccessToken.objects.get(token_checksum=_checksum(raw)), jkt=key.jkt)
    return raw


def _checksum(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def post_graphql(token, proof=None, scheme="DPoP", path="/graphql"):
    headers = {"HTTP_AUTHORIZATION": f"{scheme} {token}", "HTTP_ACCEPT": "application/graphql-response+json"}
    if proof is not None:
        headers["HTTP_DPOP"] = proof
    response = Client().post(path, json.dumps({"query": ME}), content_type="application/json", **headers)
    return response, json.loads(response.content)


def codes(body):
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def test_a_bound_token_with_a_proof_of_its_key_is_accepted(bound_token, key):
    response, body = post_graphql(bound_token, key.proof(htu=GRAPHQL_URL, token=bound_token))
    assert response.status_code == 200, body
    assert body["data"] == {"me": {"username": "alice"}}


def test_the_scheme_name_is_case_insensitive(bound_token, key):
    response, _ = post_graphql(bound_token, key.proof(htu=GRAPHQL_URL, token=bound_token), scheme="dpop")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("case", "make"),
    [
        ("no proof", lambda key, token: None),
        ("no ath", lambda key, token: key.proof(htu=GRAPHQL_URL)),
        ("another token's ath", lambda key, token: key.proof(htu=GRAPHQL_URL, token="other")),
        ("htm GET", lambda key, token: key.proof(htm="GET", htu=GRAPHQL_URL, token=token)),
        ("the token endpoint's htu", lambda key, token: key.proof(token=token)),
        ("stale iat", lambda key, token: key.proof(htu=GRAPHQL_URL, token=token, iat=time.time() - 120)),
        ("another key", lambda key, token: DPoPKey().proof(htu=GRAPHQL_URL, token=token)),
        ("not a JWS", lambda key, token: "x.y.z"),
    ],
)
def test_a_wrong_proof_is_401_invalid_dpop_proof_with_the_dpop_challenge(case, make, bound_token, key):
    response, body = post_graphql(bound_token, make(key, bound_token))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == f'DPoP error="invalid_dpop_proof", {ALGS}, {RESOURCE_METADATA}'
    assert codes(body) == ["INVALID_DPOP_PROOF"]
    assert "data" not in body


def test_a_replayed_proof_is_refused(bound_token, key):
    proof = key.proof(htu=GRAPHQL_URL, token=bound_token)
    assert post_graphql(bound_token, proof)[0].status_code == 200
    response, body = post_graphql(bound_token, proof)
    assert (response.status_code, codes(body)) == (401, ["INVALID_DPOP_PROOF"])
    assert "already used" in body["errors"][0]["message"]


def test_a_bound_token_sent_as_bearer_is_invalid_token(bound_token):
    response, body = post_graphql(bound_token, scheme="Bearer")
    assert (response.status_code, codes(body)) == (401, ["INVALID_TOKEN"])
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_an_unbound_token_sent_as_dpop_is_invalid_token(make_token, alice, key):
    raw = make_token(alice, "read")
    response, body = post_graphql(raw, key.proof(htu=GRAPHQL_URL, token=raw))
    assert (response.status_code, codes(body)) == (401, ["INVALID_TOKEN"])


def test_an_unknown_token_sent_as_dpop_is_invalid_token(db, key):
    response, body = post_graphql("unknown", key.proof(htu=GRAPHQL_URL, token="unknown"))
    assert (response.status_code, codes(body)) == (401, ["INVALID_TOKEN"])


def test_the_token_lookup_stays_one_query(bound_token, key, django_assert_num_queries):
    request = RequestFactory().post(
        "/graphql",
        HTTP_AUTHORIZATION=f"DPoP {bound_token}",
        HTTP_DPOP=key.proof(htu=GRAPHQL_URL, token=bound_token),
    )
    with django_assert_num_queries(1):
        principal = authenticate(request)
    assert principal.jkt == key.jkt


def test_with_nonces_required_a_proof_without_the_nonce_gets_use_dpop_nonce(settings, bound_token, key):
    settings.DPOP_NONCE_REQUIRED = True
    response, body = post_graphql(bound_token, key.proof(htu=GRAPHQL_URL, token=bound_token))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == f'DPoP error="use_dpop_nonce", {ALGS}, {RESOURCE_METADATA}'
    assert codes(body) == ["USE_DPOP_NONCE"]
    nonce = response["DPoP-Nonce"]
    response, body = post_graphql(bound_token, key.proof(htu=GRAPHQL_URL, token=bound_token, nonce=nonce))
    assert response.status_code == 200, body


def test_a_dpop_token_from_the_token_endpoint_works_at_graphql(make_application, alice, key):
    password_client = make_application(allowed_scopes="read")
    token = (
        Client()
        .post(
            "/o/token/",
            {"grant_type": "password", "username": "alice", "password": PASSWORD, "scope": "read"},
            HTTP_AUTHORIZATION=basic_auth(password_client.client_id, password_client.raw_secret),
            HTTP_DPOP=key.proof(htu=TOKEN_URL),
        )
        .json()
    )
    assert token["token_type"] == "DPoP"
    raw = token["access_token"]
    response, body = post_graphql(raw, key.proof(htu=GRAPHQL_URL, token=raw))
    assert body["data"] == {"me": {"username": "alice"}}
    assert post_graphql(raw, scheme="Bearer")[0].status_code == 401


# --- /o/userinfo/ ----------------------------------------------------------------------------------


def userinfo(token, proof=None, scheme="DPoP"):
    headers = {"HTTP_AUTHORIZATION": f"{scheme} {token}"}
    if proof is not None:
        headers["HTTP_DPOP"] = proof
    return Client().get("/o/userinfo/", **headers)


def test_userinfo_takes_a_dpop_token_with_its_proof(bound_token, key):
    response = userinfo(bound_token, key.proof(htm="GET", htu=USERINFO_URL, token=bound_token))
    assert response.status_code == 200, response.content
    assert response.json()["preferred_username"] == "alice"


def test_userinfo_refuses_a_wrong_proof_with_the_dpop_challenge(bound_token, key):
    response = userinfo(bound_token, key.proof(htm="GET", htu=GRAPHQL_URL, token=bound_token))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_dpop_proof"
    assert response["WWW-Authenticate"] == f'DPoP error="invalid_dpop_proof", {ALGS}'


def test_userinfo_refuses_a_replayed_proof(bound_token, key):
    proof = key.proof(htm="GET", htu=USERINFO_URL, token=bound_token)
    assert userinfo(bound_token, proof).status_code == 200
    assert userinfo(bound_token, proof).json()["error"] == "invalid_dpop_proof"


def test_userinfo_refuses_a_bound_token_as_bearer_and_an_unbound_one_as_dpop(bound_token, make_token, alice, key):
    assert userinfo(bound_token, scheme="Bearer").json()["error"] == "invalid_token"
    raw = make_token(alice, "openid")
    response = userinfo(raw, key.proof(htm="GET", htu=USERINFO_URL, token=raw))
    assert (response.status_code, response.json()["error"]) == (401, "invalid_token")


def test_userinfo_with_nonces_required_sends_the_nonce(settings, bound_token, key):
    settings.DPOP_NONCE_REQUIRED = True
    response = userinfo(bound_token, key.proof(htm="GET", htu=USERINFO_URL, token=bound_token))
    assert (response.status_code, response.json()["error"]) == (401, "use_dpop_nonce")
    assert response["DPoP-Nonce"] == dpop.current_nonce()


# --- Introspection (RFC 9449 §6.2) -------------------------------------------------------------------


def test_introspection_of_a_bound_token_says_dpop_and_its_jkt(bound_token, key, make_application):
    resource_server = make_application(allowed_scopes="introspection", name="rs")
    response = Client().post(
        "/o/introspect/",
        {"token": bound_token},
        HTTP_AUTHORIZATION=basic_auth(resource_server.client_id, resource_server.raw_secret),
    )
    body = response.json()
    assert body["active"] is True
    assert (body["token_type"], body["cnf"]) == ("DPoP", {"jkt": key.jkt})
