"""Counters in Django's cache, shared by every process when the cache is Redis: the one primitive of every
limit (failed sign-ins, the token endpoint's failed logins, the rate budget, a device-code limit).

A limit holds however many requests arrive at once only if an attempt takes its place in the count
before it is checked, in one atomic step (SPEC §2): reading the count, checking, and writing it back
later let every concurrent attempt read the same count (issue 16, item 1). ``take`` is that step: it
adds to every counter only when all of them stay within their limits, and answers the new counts.

When the cache is Redis, the backend does it in one Lua script (project/cache.py, which also decides
what happens while Redis is unreachable: nothing is counted, nothing refused). The in-process cache
is per process, so a process-wide lock makes it atomic.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache

Counters = Sequence[tuple[str, int]]  # (cache key, limit)
Tallies = Sequence[tuple[str, int, int]]  # (cache key, amount, timeout): counted, never limited
_in_process = threading.Lock()


@dataclass(frozen=True)
class Taken:
    allowed: bool
    counts: tuple[int, ...]  # each counter after the take (allowed) or as found (refused); () if not counted

    @property
    def counted(self) -> bool:
        return bool(self.counts)


NOT_COUNTED = Taken(True, ())


def take(counters: Counters, amount: int, timeout: int, tally: Tallies = ()) -> Taken:
    """Add ``amount`` to every counter if each stays within its limit, else to none; atomically.

    ``tally``: plain counters (key, amount, timeout) added in the same step when the take is allowed,
    with no limit of their own (a client's requests per hour, users/activity.py): no second round trip.
    A new counter expires ``timeout`` seconds after its first use. While the shared cache is
    unreachable nothing is counted and the take is allowed (SPEC §6).
    """
    keys = [key for key, _ in counters]
    limits = [limit for _, limit in counters]
    shared = getattr(cache, "take_within_limits", None)  # project.cache.FailOpenRedisCache
    if shared is not None:
        answer = shared(keys, limits, amount, timeout, list(tally))
        return NOT_COUNTED if answer is None else Taken(answer[0], tuple(answer[1]))
    with _in_process:
        found = cache.get_many(keys)
        counts = [found.get(key, 0) for key in keys]
        if any(count + amount > limit for count, limit in zip(counts, limits, strict=True)):
            return Taken(False, tuple(counts))
        for key, add, expiry in [*((key, amount, timeout) for key in keys), *tally]:
            try:
                cache.incr(key, add)  # keeps the counter's expiry
            except ValueError:  # a new counter
                cache.set(key, add, expiry)
        return Taken(True, tuple(count + amount for count in counts))


def read_counters(keys: list[str]) -> dict[str, int]:
    """The counters that exist among ``keys`` (none while the shared cache is unreachable)."""
    return cache.get_many(keys)


def give_back(keys: Sequence[str], amount: int) -> None:
    """Undo a take (an attempt that succeeded): best effort, and never creates a counter."""
    shared = getattr(cache, "give_back", None)
    if shared is not None:
        shared(list(keys), amount)
        return
    with _in_process:
        for key in keys:
            try:
                cache.decr(key, amount)
            except ValueError:  # expired meanwhile: nothing to give back
                pass
