"""The production environment (DEBUG off) the scripts serve or run the product in, on 127.0.0.1."""

import secrets


def signing_key() -> str:
    """A throw-away OIDC key: production settings require one; the scripts sign no id token that outlives them."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def production_env(host: str, port: int) -> dict[str, str]:
    """What project/settings.py requires with DEBUG off, besides DATABASE_URL and REDIS_URL."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": host,
        "SECURE_SSL_REDIRECT": "0",  # plain http on loopback
        "ISSUER_URL": f"http://{host}:{port}",
        "OIDC_RSA_PRIVATE_KEY": signing_key(),
    }
