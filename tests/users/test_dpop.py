"""The DPoP proof verifier (users/dpop.py, RFC 9449 §4.3), against real proofs signed by joserfc."""

import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from tests.dpop_keys import TOKEN_URL, DPoPKey, ath, unsigned_proof
from users import dpop

TOKEN = "an-access-token"


@pytest.fixture(scope="module")
def es256():
    return DPoPKey("ES256")


@pytest.fixture(scope="module")
def rsa():
    return DPoPKey("RS256")


def verify(proof, method="POST", url=TOKEN_URL, **kwargs):
    return dpop.verify(proof, method=method, url=url, **kwargs)


@pytest.mark.parametrize("alg", ["ES256", "PS256", "RS256"])
def test_a_valid_proof_gives_its_keys_rfc7638_thumbprint(alg):
    key = DPoPKey(alg)
    assert verify(key.proof()).jkt == key.jkt


def test_a_proof_bound_to_an_access_token_needs_its_ath(es256):
    assert verify(es256.proof(htm="GET", token=TOKEN), method="GET", access_token=TOKEN).jkt == es256.jkt


def test_the_url_is_compared_without_query_or_fragment_and_normalised(es256):
    proof = es256.proof(htu="HTTP://TestServer:80/o/token/")
    assert verify(proof, url="http://testserver/o/token/?x=1#y").jkt == es256.jkt


def refusal(proof, **kwargs) -> str:
    with pytest.raises(dpop.InvalidProof) as refused:
        verify(proof, **kwargs)
    assert type(refused.value) is dpop.InvalidProof
    assert refused.value.error == "invalid_dpop_proof"
    return str(refused.value)


@pytest.mark.parametrize(
    ("case", "make", "message"),
    [
        ("missing", lambda key: "", "Send a DPoP proof"),
        ("two proofs", lambda key: f"{key.proof()},{key.proof()}", "exactly one"),
        ("not a JWS", lambda key: "not.a.jws", "well-formed"),
        ("wrong typ", lambda key: key.proof(header={"typ": "JWT"}), "typ"),
        ("no typ", lambda key: key.proof(header={"typ": None}), "typ"),
        ("alg none", lambda key: unsigned_proof(jwk=key.public_jwk), "alg"),
        ("no jwk", lambda key: key.proof(header={"jwk": None}), "jwk"),
        ("private jwk", lambda key: key.proof(header={"jwk": key.key.as_dict(private=True)}), "public key"),
        ("another key's jwk", lambda key: key.proof(header={"jwk": DPoPKey().public_jwk}), "signature"),
        ("no jti", lambda key: key.proof(jti=None), "jti"),
        ("htm GET", lambda key: key.proof(htm="GET"), "htm"),
        ("other htu", lambda key: key.proof(htu="http://testserver/o/authorize/"), "htu"),
        ("other host", lambda key: key.proof(htu="http://evil.example/o/token/"), "htu"),
        ("no htu", lambda key: key.proof(htu=None), "htu"),
        ("iat too old", lambda key: key.proof(iat=time.time() - 61), "iat"),
        ("iat in the future", lambda key: key.proof(iat=time.time() + 61), "iat"),
        ("iat a string", lambda key: key.proof(iat="now"), "iat"),
        ("no iat", lambda key: _without_iat(key), "iat"),
    ],
)
def test_each_way_a_proof_can_be_wrong_is_invalid_dpop_proof(case, make, message, es256):
    assert message in refusal(make(es256))


def _without_iat(key):
    return jwt.encode(
        {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.public_jwk},
        {"jti": "no-iat", "htm": "POST", "htu": TOKEN_URL},
        key.key,
    )


def test_an_hmac_signed_proof_is_refused(es256):
    secret = OctKey.generate_key(256)
    proof = jwt.encode(
        {"typ": "dpop+jwt", "alg": "HS256", "jwk": es256.public_jwk},
        {"jti": "x", "htm": "POST", "htu": TOKEN_URL, "iat": int(time.time())},
        secret,
    )
    assert "alg" in refusal(proof)


@pytest.mark.filterwarnings("ignore:Key size")
def test_an_rsa_key_under_2048_bits_is_refused():
    assert "2048" in refusal(DPoPKey("RS256", rsa_bits=1024).proof())


def test_an_ec_key_for_an_rsa_algorithm_is_refused(es256, rsa):
    proof = rsa.proof(header={"jwk": es256.public_jwk})
    assert "does not fit" in refusal(proof)


@pytest.mark.parametrize(
    ("case", "claims"),
    [("missing", {}), ("another token's", {"ath": ath("another-token")}), ("not a string", {"ath": 1})],
)
def test_a_resource_proof_without_the_tokens_ath_is_refused(case, claims, es256):
    proof = es256.proof(htm="GET", **claims)
    assert "ath" in refusal(proof, method="GET", access_token=TOKEN)


def test_a_replayed_jti_is_refused(es256):
    proof = es256.proof()
    verify(proof)
    assert "already used" in refusal(proof)


def test_a_jti_seen_by_another_process_is_refused(es256):
    # What another process did: the jti is in the shared cache (Redis in production), added atomically.
    proof = es256.proof()
    other_process = dpop.verify  # same code, same cache; across real processes: tests/fleet/test_dpop_replay.py
    other_process(proof, method="POST", url=TOKEN_URL)
    assert "already used" in refusal(proof)


def test_a_failed_proof_does_not_use_up_its_jti(es256):
    proof = es256.proof(htm="POST")
    refusal(proof, method="GET")
    assert verify(proof).jkt == es256.jkt


class TestNonces:
    @pytest.fixture(autouse=True)
    def required(self, settings):
        settings.DPOP_NONCE_REQUIRED = True

    def test_a_proof_without_the_nonce_is_use_dpop_nonce(self, es256):
        with pytest.raises(dpop.NonceRequired) as refused:
            verify(es256.proof())
        assert refused.value.error == "use_dpop_nonce"

    def test_a_wrong_nonce_is_use_dpop_nonce(self, es256):
        with pytest.raises(dpop.NonceRequired):
            verify(es256.proof(nonce="made-up"))

    def test_the_current_nonce_is_accepted(self, es256):
        assert verify(es256.proof(nonce=dpop.current_nonce())).jkt == es256.jkt

    def test_a_nonce_stays_valid_at_least_five_minutes(self):
        issued_at = 1_000_000 * dpop.NONCE_WINDOW_SECONDS + dpop.NONCE_WINDOW_SECONDS - 1  # the worst case
        nonce = dpop.current_nonce(issued_at)
        assert dpop.nonce_valid(nonce, issued_at + 300)
        assert not dpop.nonce_valid(nonce, issued_at + 2 * dpop.NONCE_WINDOW_SECONDS + 1)

    def test_a_nonce_depends_only_on_the_shared_secret_and_the_time(self, settings):
        # No state to share: an HMAC of the window under the SECRET_KEY all processes share.
        nonce = dpop.current_nonce(1234.0)
        settings.SECRET_KEY = "another deployment"
        assert not dpop.nonce_valid(nonce, 1234.0)


def test_proofs_keep_working_while_redis_is_unreachable_and_replays_are_refused_again_after(es256, settings):
    """SPEC §6: with Redis unreachable the service keeps serving; DPoP's replay cache fails open like every
    limit (users.counters.take), and refuses replays again once Redis answers."""
    from tests.fleet.servers import free_port, port_open, require

    require(port_open(6379), "Redis on 127.0.0.1:6379")
    closed = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "project.cache.FailOpenRedisCache", "LOCATION": closed}}
    proof = es256.proof()
    verify(proof)
    verify(proof)  # not remembered: nothing is counted while the cache is unreachable
    settings.CACHES = {
        "default": {"BACKEND": "project.cache.FailOpenRedisCache", "LOCATION": "redis://127.0.0.1:6379/14"}
    }
    fresh = es256.proof()
    verify(fresh)
    assert "already used" in refusal(fresh)
