"""Counters in Django's cache, shared by every process when the cache is Redis (rate budget, failed logins).

They fail open (SPEC §6): when the cache cannot be reached, nothing is counted and nothing is refused,
so an outage of Redis degrades the limits, not the service. This is the one place that decides it.
"""

import logging

from django.core.cache import cache

try:
    from redis.exceptions import RedisError
except ImportError:  # the embedded default needs no Redis client
    RedisError = OSError

log = logging.getLogger("users.counters")
# What Django's RedisCache raises for a closed port, a timeout or a refused command.
CACHE_ERRORS = (RedisError, OSError)


def add_to_counter(key: str, amount: int, timeout: int) -> int:
    """Add ``amount`` to the counter and return its new value: one round trip on Redis (the backend's
    ``count``, project/cache.py); the in-process cache has no round trips to save.

    0 when the cache is unreachable: nothing was counted.
    """
    try:
        count = getattr(cache, "count", None)
        if count is not None:
            return count(key, amount, timeout)
        try:
            return cache.incr(key, amount)
        except ValueError:  # no such key yet: the first use of a window (or the old one expired)
            if cache.add(key, amount, timeout=timeout):
                return amount
            return cache.incr(key, amount)  # another process created it in between
    except CACHE_ERRORS as error:
        _warn_unreachable("not counted", key, error)
        return 0


def read_counters(keys: list[str]) -> dict[str, int]:
    """The counters that exist among ``keys``; none when the cache is unreachable."""
    try:
        return cache.get_many(keys)
    except CACHE_ERRORS as error:
        _warn_unreachable("not read", keys[0] if keys else "", error)
        return {}


def _warn_unreachable(what: str, key: str, error: Exception) -> None:
    # The key's prefix names the limit (e.g. "graphql-budget"); the rest may hold an address.
    log.warning("cache unreachable, limit %s: %s (%s)", what, key.split(":", 1)[0], type(error).__name__)


def add_to_counters(increments: list[tuple[str, int, int]]) -> list[int]:
    """Several counters, each ``(key, amount, timeout)``, in one round trip on Redis (the backend's
    ``count_many``); their new values, or 0 for each when the cache is unreachable."""
    count_many = getattr(cache, "count_many", None)
    if count_many is None:
        return [add_to_counter(key, amount, timeout) for key, amount, timeout in increments]
    try:
        return count_many(increments)
    except CACHE_ERRORS as error:
        _warn_unreachable("not counted", increments[0][0], error)
        return [0] * len(increments)
