"""Failed-login limits at /o/token/ (issue: harden): per client and per source address.

Failed client authentications (a wrong secret) and failed password-grant logins (a wrong password),
as users.oauth2.Validator marks them, count against the address they came from, and against the pair
(client id as decoded by users.client_auth, however it was spelled; address). Past either limit,
/o/token/ answers 429 before authenticating anything, so it can be used neither to guess passwords
nor to burn CPU on secret hashing. Nothing counts per client alone:
client ids are public (SPAs), and such a counter would let anyone lock a client out. Counters live
in Django's cache (Redis in production, shared by every process), in fixed windows.
"""

import hashlib
import time

from django.conf import settings

from users.counters import add_to_counter, read_counters


def _digest(*parts: str) -> str:
    # Client ids and proxy headers are whatever the caller sent: any length, any character, ":" too.
    # A digest keeps keys short and unambiguous (and valid for every cache backend).
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _keys(client_id: str | None, address: str) -> list[tuple[str, int]]:
    window = int(time.time()) // settings.TOKEN_FAILURE_WINDOW_SECONDS
    keys = [(f"token-failures:address:{_digest(address)}:{window}", settings.TOKEN_FAILURES_PER_ADDRESS)]
    if client_id:
        pair = f"token-failures:client:{_digest(client_id, address)}:{window}"
        keys.append((pair, settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS))
    return keys


def client_address(request) -> str:
    """REMOTE_ADDR, or behind a load balancer the last hop of the header it sets (TRUSTED_PROXY_HEADER)."""
    header = settings.TRUSTED_PROXY_HEADER
    forwarded = request.META.get(header, "") if header else ""
    return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR", "")


def retry_after(client_id: str | None, address: str) -> int | None:
    """Seconds to wait when the address, or this client from it, is over its limit; else None."""
    keys = _keys(client_id, address)
    counts = read_counters([key for key, _ in keys])  # fails open: no counts when Redis is down
    if any(counts.get(key, 0) >= limit for key, limit in keys):
        window = settings.TOKEN_FAILURE_WINDOW_SECONDS
        return window - int(time.time()) % window
    return None


def record_failure(client_id: str | None, address: str) -> None:
    for key, _ in _keys(client_id, address):
        add_to_counter(key, 1, timeout=settings.TOKEN_FAILURE_WINDOW_SECONDS + 60)
