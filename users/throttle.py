"""Failure limits (SPEC §2, §2.4, §2.7): fixed-window counters in the cache, taken before the check.

An attempt takes its place in every counter that limits it *before* the password, secret or code is
checked (``take_place``, one atomic step in users/counters.py); past any limit it is refused without
being checked. An attempt that succeeds gives its place back (``Place.give_back``), so only failures
stay counted. However many attempts arrive at once, in one process or many, no more than the limit
are checked in a window (issue 16: reading the counts, checking, then counting let 12 parallel
attempts through a limit of 3).

Used by the sign-in pages (users/views/accounts.py) and by /o/token/, /o/revoke_token/ and
/o/introspect/ (users/views/base.py), which check client secrets and, for the password grant, user
passwords: per address, and per (client id as decoded by users.client_auth, however it was spelled;
address). Nothing counts per client alone: client ids are public (SPAs), and such a counter would
let anyone lock a client out.
"""

import hashlib
import time
from dataclasses import dataclass, field

from django.conf import settings

from users import counters

Limits = list[tuple[tuple[str, ...], int]]  # (what a counter counts, e.g. ("address", addr); its limit)


def _digest(*parts: str) -> str:
    # Client ids, usernames and proxy headers are whatever the caller sent: any length, any character,
    # ":" too. A digest keeps keys short and unambiguous (and valid for every cache backend).
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many failed attempts; retry in {retry_after} s.")
        self.retry_after = retry_after


@dataclass
class Place:
    """An attempt's place in its counters, held until it fails or gives it back."""

    keys: list[str] = field(default_factory=list)  # empty when nothing was counted (cache unreachable)

    def give_back(self) -> None:
        if self.keys:
            counters.give_back(self.keys, 1)
            self.keys = []


def take_place(name: str, window_seconds: int, limits: Limits) -> Place:
    """Count this attempt in every counter of ``limits`` now; TooManyAttempts (nothing counted) when
    any is full. Fails open: nothing is counted or refused while Redis is unreachable."""
    now = int(time.time())
    window = now // window_seconds
    keyed = [(f"{name}:{_digest(*parts)}:{window}", limit) for parts, limit in limits]
    taken = counters.take(keyed, 1, timeout=window_seconds + 60)
    if not taken.allowed:
        raise TooManyAttempts(window_seconds - now % window_seconds)
    return Place([key for key, _ in keyed] if taken.counted else [])


def client_address(request) -> str:
    """REMOTE_ADDR, or behind a load balancer the last hop of the header it sets (TRUSTED_PROXY_HEADER)."""
    header = settings.TRUSTED_PROXY_HEADER
    forwarded = request.META.get(header, "") if header else ""
    return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR", "")


# --- /o/token/, /o/revoke_token/, /o/introspect/ ----------------------------------------------------


def take_token_endpoint_place(client_id: str | None, address: str) -> Place:
    limits = [(("address", address), settings.TOKEN_FAILURES_PER_ADDRESS)]
    if client_id:
        limits.append((("client", client_id, address), settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS))
    return take_place("token-failures", settings.TOKEN_FAILURE_WINDOW_SECONDS, limits)
