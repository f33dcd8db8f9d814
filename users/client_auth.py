"""Client credentials at /o/token/, /o/revoke_token/ and /o/introspect/ (RFC 6749 §2.3.1), read once per request.

Our endpoints read them before DOT runs (the failed-login limit needs the client id first) and put the
reading in the WSGI environ; the validator authenticates with that same reading and marks on it the
failures it sees (a wrong client secret, a wrong user password). So the client the limit counts is the
client that tried to log in, however its header was spelled (DOT's own Basic decoding was more lenient
than the view's, and a spelling only DOT understood escaped the per-client limit).
"""

import base64
import binascii
import re
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

# A WSGI environ extension key (PEP 3333: lower case, dotted, named after its owner). DOT copies
# request.META into the oauthlib request's headers, so the validator finds the object there.
ENVIRON_KEY = "users.client_authentication"
BASE64 = re.compile(r"[A-Za-z0-9+/]*")


class TwoClients(ValueError):
    """The request names two clients or authenticates twice: invalid_request, not a failed login."""


@dataclass
class ClientAuthentication:
    client_id: str | None  # the client the request names, decoded; None if it names none readably
    secret: str | None = field(default=None, repr=False)  # None: no secret presented
    basic: bool = False  # an HTTP Basic header was sent (then client authentication is required)
    failed: bool = False  # set by the validator: the secret or the user's password was wrong

    @property
    def presented(self) -> bool:
        """The client tried to authenticate itself (rather than a public client naming itself)."""
        return self.basic or self.secret is not None

    def values(self) -> dict[str, str]:
        return {"client_id": self.client_id or "", "client_secret": self.secret or ""}


def decode_basic(credentials: str) -> tuple[str, str] | None:
    """RFC 7617 credentials -> (client id, secret), each form-decoded (RFC 6749 §2.3.1); None if unreadable.

    Padding is optional (some clients drop it, some add too much); any other character than base64's is
    refused rather than skipped, as Python's lenient decoder (and so DOT) would.
    """
    encoded = credentials.strip().rstrip("=")
    if not BASE64.fullmatch(encoded) or len(encoded) % 4 == 1:
        return None
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


def read(authorization: str, client_id: str | None, client_secret: str | None) -> ClientAuthentication:
    """The credentials of a request from its Authorization header and its body's client_id/client_secret.

    Raises TwoClients when HTTP Basic and a body secret are both sent (RFC 6749 §2.3: one method per
    request), or when the body's client_id names another client than HTTP Basic.
    """
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "basic":  # RFC 7235 §2.1: the scheme is case-insensitive; Bearer is not ours
        return ClientAuthentication(client_id, client_secret)
    if client_secret is not None:
        raise TwoClients("Authenticate the client once: HTTP Basic or the body (RFC 6749 §2.3).")
    decoded = decode_basic(credentials)
    if decoded is None:  # a failed login that names no client: it counts against the address only
        return ClientAuthentication(None, basic=True)
    if client_id is not None and client_id != decoded[0]:
        raise TwoClients("client_id names another client than the HTTP Basic credentials.")
    return ClientAuthentication(decoded[0], decoded[1], basic=True)


def of_oauthlib_request(request) -> ClientAuthentication:
    """What our endpoint read (the environ object, shared), or, for any other caller, a fresh reading."""
    reading = request.headers.get(ENVIRON_KEY)
    if isinstance(reading, ClientAuthentication):
        return reading
    try:
        return read(request.headers.get("Authorization", ""), request.client_id, request.client_secret)
    except TwoClients:
        return ClientAuthentication(None, basic=True)  # authenticates nobody
