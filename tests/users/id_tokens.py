"""What an OpenID Connect client does with an id token, done with Authlib (and joserfc, its JOSE layer)."""

import time

from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import KeySet


def verified_claims(id_token: str, jwks: dict, issuer: str, client_id: str, nonce: str, access_token: str) -> dict:
    """The claims of an id token whose RS256 signature, iss, aud, exp, nonce and at_hash all check out;
    raises otherwise (OIDC Core §3.1.3.7)."""
    token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    claims = CodeIDToken(
        token.claims,
        token.header,
        {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id}},
        {"nonce": nonce, "client_id": client_id, "access_token": access_token},
    )
    claims.validate(now=int(time.time()))
    return dict(claims)
