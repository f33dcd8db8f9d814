"""Counters in Django's cache, shared by every process when the cache is Redis (rate budget, failed logins)."""

from django.core.cache import cache


def add_to_counter(key: str, amount: int, timeout: int) -> int:
    """Add ``amount`` to the counter and return its new value: one cache round trip once the key exists."""
    try:
        return cache.incr(key, amount)
    except ValueError:  # no such key yet: the first use of a window (or the old one expired)
        if cache.add(key, amount, timeout=timeout):
            return amount
        return cache.incr(key, amount)  # another process created it in between
