"""What an OAuth2 client computes on its side: HTTP Basic credentials, a PKCE pair, the redirect's query."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, quote, urlsplit

PASSWORD = "correct-horse-battery"  # the password tests/conftest.py's make_user gives
REDIRECT_URI = "https://app.example.com/callback"


def basic_auth(client_id: str, secret: str) -> str:
    """RFC 6749 §2.3.1: id and secret form-urlencoded, then HTTP Basic."""
    pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636 §4.1-4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
