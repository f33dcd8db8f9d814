"""Failed-login limits: fixed-window counters in the cache (``wait_for``, ``count_failure``), used by
the OAuth2 endpoints (below) and the sign-in pages (users/views/accounts.py).

At /o/token/ (and revocation and introspection, which check secrets too): per client and per source address.

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

Limits = list[tuple[tuple[str, ...], int]]  # (what a counter counts, e.g. ("address", addr); its limit)


def _digest(*parts: str) -> str:
    # Client ids, usernames and proxy headers are whatever the caller sent: any length, any character,
    # ":" too. A digest keeps keys short and unambiguous (and valid for every cache backend).
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _counters(name: str, window_seconds: int, limits: Limits) -> list[tuple[str, int]]:
    window = int(time.time()) // window_seconds
    return [(f"{name}:{_digest(*parts)}:{window}", limit) for parts, limit in limits]


def wait_for(name: str, window_seconds: int, limits: Limits) -> int | None:
    """Seconds until the window ends when any counter is at its limit; else None. Fails open: no
    counts when Redis is down (users/counters.py)."""
    counters = _counters(name, window_seconds, limits)
    counts = read_counters([key for key, _ in counters])
    if any(counts.get(key, 0) >= limit for key, limit in counters):
        return window_seconds - int(time.time()) % window_seconds
    return None


def count_failure(name: str, window_seconds: int, limits: Limits) -> None:
    for key, _ in _counters(name, window_seconds, limits):
        add_to_counter(key, 1, timeout=window_seconds + 60)


def client_address(request) -> str:
    """REMOTE_ADDR, or behind a load balancer the last hop of the header it sets (TRUSTED_PROXY_HEADER)."""
    header = settings.TRUSTED_PROXY_HEADER
    forwarded = request.META.get(header, "") if header else ""
    return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR", "")


# --- /o/token/, /o/revoke_token/, /o/introspect/ ----------------------------------------------------


def _token_limits(client_id: str | None, address: str) -> Limits:
    limits = [(("address", address), settings.TOKEN_FAILURES_PER_ADDRESS)]
    if client_id:
        limits.append((("client", client_id, address), settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS))
    return limits


def retry_after(client_id: str | None, address: str) -> int | None:
    """Seconds to wait when the address, or this client from it, is over its limit; else None."""
    return wait_for("token-failures", settings.TOKEN_FAILURE_WINDOW_SECONDS, _token_limits(client_id, address))


def record_failure(client_id: str | None, address: str) -> None:
    count_failure("token-failures", settings.TOKEN_FAILURE_WINDOW_SECONDS, _token_limits(client_id, address))
