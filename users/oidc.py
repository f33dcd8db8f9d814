"""The OpenID Connect signing key (SPEC §2.5), read once by project/settings.py.

Production passes ``OIDC_RSA_PRIVATE_KEY`` (PEM). Development without it generates a key on first run
and keeps it in the user's data directory, outside the repository, so id tokens issued before a
restart still verify after it. This module is imported by the settings: it must not touch Django.
"""

import os
import re
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.+?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL)


class SigningKeyError(ValueError):
    """A configured key that cannot sign: the settings turn it into ImproperlyConfigured."""


def pem_blocks(value: str) -> list[str]:
    """The PEM private keys in an environment value; ``\\n`` escapes (one-line .env files) count as newlines."""
    return [block + "\n" for block in PEM_BLOCK.findall(value.replace("\\n", "\n"))]


def checked_rsa_pem(pem: str, name: str) -> str:
    """The PEM unchanged if it is an RSA private key of at least 2048 bits, else SigningKeyError naming ``name``."""
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"{name} is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise SigningKeyError(f"{name} must be an RSA key of at least 2048 bits (id tokens are RS256).")
    return pem


def default_key_file() -> Path:
    """$XDG_DATA_HOME (or ~/.local/share)/oauth2-graphql/oidc-dev-key.pem: per user, never in the work tree."""
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "oauth2-graphql" / "oidc-dev-key.pem"


def development_key(path: Path) -> str:
    """The key stored at ``path``, generated (mode 0600) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Written whole under another name, then linked into place: link() fails if the name exists, so
        # two processes starting together agree on one key and neither reads a half-written file.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return checked_rsa_pem(path.read_text(), str(path))


def signing_keys(environ: Mapping[str, str], debug: bool) -> tuple[str, list[str]]:
    """(active key PEM, inactive key PEMs). The active key is "" in production without OIDC_RSA_PRIVATE_KEY,
    which the production start-up check reports by name."""
    inactive = [
        checked_rsa_pem(pem, "OIDC_RSA_PRIVATE_KEYS_INACTIVE")
        for pem in pem_blocks(environ.get("OIDC_RSA_PRIVATE_KEYS_INACTIVE", ""))
    ]
    configured = environ.get("OIDC_RSA_PRIVATE_KEY", "")
    if configured.strip():
        blocks = pem_blocks(configured)
        if len(blocks) != 1:
            raise SigningKeyError("OIDC_RSA_PRIVATE_KEY must hold exactly one PEM private key.")
        return checked_rsa_pem(blocks[0], "OIDC_RSA_PRIVATE_KEY"), inactive
    if not debug:
        return "", inactive
    key_file = Path(environ.get("OIDC_DEV_KEY_FILE") or default_key_file())
    try:
        return development_key(key_file), inactive
    except OSError as exc:
        raise SigningKeyError(
            f"Cannot keep the development signing key at {key_file} ({exc}); set OIDC_DEV_KEY_FILE to a writable"
            " path outside the repository, or OIDC_RSA_PRIVATE_KEY."
        ) from None
