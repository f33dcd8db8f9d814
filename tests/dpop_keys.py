"""A DPoP client's key and proofs for tests, made with joserfc: an independent JOSE library, so the server's
verifier (users/dpop.py, on jwcrypto) is not checked against itself."""

import base64
import hashlib
import json
import secrets
import time

from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

TOKEN_URL = "http://testserver/o/token/"
GRAPHQL_URL = "http://testserver/graphql"
USERINFO_URL = "http://testserver/o/userinfo/"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ath(token: str) -> str:
    return b64url(hashlib.sha256(token.encode()).digest())


class DPoPKey:
    """A key pair held by a client; ``proof`` signs one proof for one request."""

    def __init__(self, alg: str = "ES256", rsa_bits: int = 2048):
        self.alg = alg
        self.key = ECKey.generate_key("P-256") if alg == "ES256" else RSAKey.generate_key(rsa_bits)

    @property
    def jkt(self) -> str:
        return self.key.thumbprint()  # RFC 7638, SHA-256

    @property
    def public_jwk(self) -> dict:
        return self.key.as_dict(private=False)

    def proof(self, htm="POST", htu=TOKEN_URL, token=None, nonce=None, iat=None, header=None, **claims) -> str:
        if iat is None or isinstance(iat, float):
            iat = int(time.time() if iat is None else iat)
        body = {"jti": secrets.token_urlsafe(16), "htm": htm, "htu": htu, "iat": iat}
        if token is not None:
            body["ath"] = ath(token)
        if nonce is not None:
            body["nonce"] = nonce
        body.update(claims)
        body = {name: value for name, value in body.items() if value is not None}
        protected = {"typ": "dpop+jwt", "alg": self.alg, "jwk": self.public_jwk, **(header or {})}
        protected = {name: value for name, value in protected.items() if value is not None}
        return jwt.encode(protected, body, self.key, algorithms=[protected.get("alg", self.alg)])


def unsigned_proof(htm="POST", htu=TOKEN_URL, **header) -> str:
    """A proof with alg "none" (RFC 9449 §4.3 forbids it)."""
    protected = {"typ": "dpop+jwt", "alg": "none", **header}
    claims = {"jti": secrets.token_urlsafe(16), "htm": htm, "htu": htu, "iat": int(time.time())}
    encode = lambda value: b64url(json.dumps(value).encode())  # noqa: E731
    return f"{encode(protected)}.{encode(claims)}."
