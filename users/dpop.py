"""DPoP proofs (RFC 9449, SPEC §2.6): a request's ``DPoP`` header turned into the verified thumbprint of the
key that signed it, or a precise error. jwcrypto (django-oauth-toolkit's own dependency) does the JOSE work.

The token endpoint (users/views/token.py) calls ``verify``; /graphql (schema/authentication.py) and
/o/userinfo/ (users/views/userinfo.py) call ``check_presentation``; nothing else reads a proof.

- Replay (RFC 9449 §11.1): a ``jti`` is remembered in the shared cache (Redis in production) for as long as
  its proof could be accepted, taken atomically (``users.counters.take``, limit one), so two processes
  cannot both accept it; while Redis is unreachable, proofs are not remembered (limits fail open, SPEC §6).
- Nonces (§8, §9): with ``DPOP_NONCE_REQUIRED``, a proof must carry the server's current nonce. A nonce
  is an HMAC of a five-minute window under the ``SECRET_KEY`` every process shares, so every process
  issues and accepts the same ones without storing anything; the current and the previous window's
  are accepted, so each stays valid at least five minutes.
"""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from users import counters
from users.issuer import issuer_url

# RFC 9449 §5.1 (dpop_signing_alg_values_supported): asymmetric only, never "none" or an HMAC (§4.3 step 5).
ALGORITHMS = ("ES256", "PS256", "RS256")
KEY_TYPES = {"ES256": "EC", "PS256": "RSA", "RS256": "RSA"}
MIN_RSA_BITS = 2048
# §4.3 step 11: iat within an acceptable window; SPEC §2.6 says 60 s either side of the server's clock.
IAT_WINDOW_SECONDS = 60
NONCE_WINDOW_SECONDS = 300
MAX_PROOF_LENGTH = 8192  # an RS256 proof with a 4096-bit key is about 2.5 KB
MAX_JTI_LENGTH = 256
CHALLENGE_ALGS = " ".join(ALGORITHMS)  # the algs parameter of the DPoP challenge (§7.1)
HEADER = "HTTP_DPOP"
NONCE_HEADER = "DPoP-Nonce"
REPLAY_CACHE_PREFIX = "dpop-jti"


class InvalidProof(Exception):
    """§7.1 / §5: the proof is missing, malformed, or does not name this request."""

    error = "invalid_dpop_proof"


class WrongScheme(Exception):
    """§7.1-7.2: a bound token sent as Bearer, or an unbound one as DPoP; refused as invalid_token."""


class NonceRequired(InvalidProof):
    """§8: the proof lacks the server's current nonce; the answer carries one in ``DPoP-Nonce``."""

    error = "use_dpop_nonce"


@dataclass(frozen=True)
class Proof:
    jkt: str  # RFC 7638 SHA-256 thumbprint of the proof's public key, base64url
    jti: str


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def access_token_hash(token: str) -> str:
    """§4.2 ``ath``: base64url of the SHA-256 of the access token's ASCII bytes."""
    return b64url(hashlib.sha256(token.encode("ascii")).digest())


def normalise_url(url: str) -> str:
    """§4.3 step 9: the URL without query and fragment, scheme and host in lower case, default port dropped
    (RFC 3986 §6.2.2-6.2.3 normalisation, which the RFC asks servers to apply)."""
    parts = urlsplit(url)
    scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    if ":" in host:
        host = f"[{host}]"
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path or '/'}"


def nonce_required() -> bool:
    return getattr(settings, "DPOP_NONCE_REQUIRED", False)


def _nonce_for(window: int) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), f"dpop-nonce:{window}".encode(), hashlib.sha256)
    return b64url(mac.digest()[:24])


def current_nonce(now: float | None = None) -> str:
    return _nonce_for(int(now if now is not None else time.time()) // NONCE_WINDOW_SECONDS)


def nonce_valid(nonce: object, now: float | None = None) -> bool:
    window = int(now if now is not None else time.time()) // NONCE_WINDOW_SECONDS
    return isinstance(nonce, str) and any(hmac.compare_digest(nonce, _nonce_for(w)) for w in (window, window - 1))


def verify(
    proof: str | None, *, method: str, url: str, access_token: str | None = None, now: float | None = None
) -> Proof:
    """The proof's key thumbprint, once every check of RFC 9449 §4.3 passed and its ``jti`` was not seen.

    ``access_token``: at a protected resource, the token the proof must be bound to (``ath``, §4.3 step 10).
    Raises InvalidProof (or NonceRequired) with a message saying what is wrong.
    """
    now = time.time() if now is None else now
    if not proof:
        raise InvalidProof("Send a DPoP proof in the DPoP header (RFC 9449 §4).")
    # §4.3 step 1: exactly one DPoP header. WSGI joins repeated headers with ",", which a JWS never contains.
    if "," in proof or len(proof) > MAX_PROOF_LENGTH or not proof.isascii():
        raise InvalidProof("Send exactly one DPoP proof, a compact JWS (RFC 9449 §4.3).")
    key, claims = _verified_jws(proof)
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI_LENGTH:
        raise InvalidProof("The proof's jti must be a string (RFC 9449 §4.2).")
    if claims.get("htm") != method:  # §4.3 step 8
        raise InvalidProof(f"The proof's htm must be {method} (RFC 9449 §4.3).")
    htu = claims.get("htu")
    if not isinstance(htu, str) or normalise_url(htu) != normalise_url(url):  # §4.3 step 9
        raise InvalidProof(f"The proof's htu must be {normalise_url(url)} (RFC 9449 §4.3).")
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float) or abs(now - iat) > IAT_WINDOW_SECONDS:
        raise InvalidProof(f"The proof's iat must be within {IAT_WINDOW_SECONDS} s of the server's clock.")
    if access_token is not None:  # §4.3 step 10, §7
        ath = claims.get("ath")
        if not isinstance(ath, str) or not hmac.compare_digest(ath, access_token_hash(access_token)):
            raise InvalidProof("The proof's ath must be the base64url SHA-256 of the access token (RFC 9449 §4.2).")
    if nonce_required() and not nonce_valid(claims.get("nonce"), now):  # §4.3 step 10, §8
        raise NonceRequired("Use the server's nonce, sent in the DPoP-Nonce header (RFC 9449 §8).")
    jkt = key.thumbprint()  # RFC 7638, SHA-256 by default
    _remember(jkt, jti)
    return Proof(jkt, jti)


def _verified_jws(proof: str) -> tuple[jwk.JWK, dict]:
    """§4.3 steps 2-7: a well-formed JWS of type dpop+jwt, signed with an allowed algorithm by the public
    key in its own header."""
    token = jws.JWS()
    try:
        token.deserialize(proof)
        header = token.jose_header
    except (JWException, ValueError, TypeError, KeyError):
        raise InvalidProof("The DPoP proof is not a well-formed JWS (RFC 9449 §4.3).") from None
    if not isinstance(header, dict) or header.get("typ") != "dpop+jwt":
        raise InvalidProof('The proof\'s typ must be "dpop+jwt" (RFC 9449 §4.2).')
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise InvalidProof(f"The proof's alg must be one of {CHALLENGE_ALGS} (RFC 9449 §4.3).")
    key = _public_key(header.get("jwk"), alg)
    try:
        token.verify(key, alg=alg)
        claims = json.loads(token.payload)
    except (JWException, ValueError, TypeError):
        raise InvalidProof("The proof's signature does not verify with its jwk (RFC 9449 §4.3).") from None
    if not isinstance(claims, dict):
        raise InvalidProof("The proof's payload must be a JSON object (RFC 9449 §4.2).")
    return key, claims


def _public_key(value: object, alg: str) -> jwk.JWK:
    if not isinstance(value, dict):
        raise InvalidProof("The proof's header must carry the public key as jwk (RFC 9449 §4.2).")
    try:
        key = jwk.JWK(**value)
    except (JWException, ValueError, TypeError):
        raise InvalidProof("The proof's jwk is not a valid key (RFC 9449 §4.3).") from None
    if key.has_private or "d" in value:  # §4.3 step 7
        raise InvalidProof("The proof's jwk must be a public key, never a private one (RFC 9449 §4.3).")
    if key.get("kty") != KEY_TYPES[alg] or (alg == "ES256" and value.get("crv") != "P-256"):
        raise InvalidProof(f"The proof's jwk does not fit alg {alg}.")
    if key.get("kty") == "RSA" and key.get_op_key("verify").key_size < MIN_RSA_BITS:
        raise InvalidProof(f"RSA keys must have at least {MIN_RSA_BITS} bits.")
    return key


def _remember(jkt: str, jti: str) -> None:
    """§11.1: a jti is accepted once (per key) while its proof's iat could pass, in every process: a
    counter with a limit of one, taken atomically in the shared cache (``users.counters.take``). While
    Redis is unreachable nothing is counted and the proof passes, as every limit fails open (SPEC §6):
    DPoP clients keep working through an outage, with replay protection back when Redis is."""
    digest = hashlib.sha256(f"{jkt}\x00{jti}".encode()).hexdigest()[:40]
    seen = counters.take([(f"{REPLAY_CACHE_PREFIX}:{digest}", 1)], 1, timeout=2 * IAT_WINDOW_SECONDS + 5)
    if not seen.allowed:
        raise InvalidProof("This proof was already used; make a new one for each request (RFC 9449 §11.1).")


def request_url(request) -> str:
    """The URL a client names in ``htu`` for this request: the issuer's origin (SPEC §2.5) and the path."""
    return issuer_url(request) + request.path


def check_presentation(request, scheme: str, token: str, bound_jkt: str | None) -> None:
    """A protected resource's check (§7.1): the token is presented the way it was issued, and a DPoP one with a
    proof for this request, bound to the token (``ath``) and signed by the token's key. Raises WrongScheme,
    InvalidProof or NonceRequired."""
    if scheme.lower() == "bearer":
        if bound_jkt is not None:  # §7.2: a bound token downgraded to Bearer
            raise WrongScheme("This token is bound to a key: send it as 'Authorization: DPoP' with a proof.")
        return
    if bound_jkt is None:
        raise WrongScheme("This token is not bound to a key: send it as 'Authorization: Bearer'.")
    proof = verify(request.META.get(HEADER), method=request.method, url=request_url(request), access_token=token)
    if not hmac.compare_digest(proof.jkt, bound_jkt):  # §7.1: the key the token is bound to (its cnf.jkt)
        raise InvalidProof("The proof is not signed by the key this token is bound to (RFC 9449 §7.1).")
