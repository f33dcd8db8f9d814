"""Cached data that is never served stale, even across a cache outage (SPEC §6, issue 16 item 4).

Deleting a cache entry when its data changes is lost when the cache is unreachable at that moment
(project/cache.py answers the delete as a miss), and a reader that built the entry from the old rows
can store it after the delete. So each kind of cached data has a generation, a counter in the
database that the change increments in its own transaction, and the entry is cached under its
generation: after a change every reader looks up a new key, whatever the cache missed. The price is
one primary-key query per read, instead of the rows the entry summarises.

Used for the clients' CORS origins (users/cors.py); trusted documents and policies can use it too.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

from users.models import CacheGeneration

T = TypeVar("T")


def current(name: str) -> int:
    return CacheGeneration.objects.filter(name=name).values_list("value", flat=True).first() or 0


def bump(name: str) -> None:
    """A new generation of ``name``: call it in the transaction that changes the data."""
    if CacheGeneration.objects.filter(name=name).update(value=F("value") + 1):
        return
    try:
        with transaction.atomic():  # a savepoint: a concurrent first bump may create the row first
            CacheGeneration.objects.create(name=name, value=1)
    except IntegrityError:
        CacheGeneration.objects.filter(name=name).update(value=F("value") + 1)


def cached(name: str, build: Callable[[], T], timeout: int) -> T:
    """``build()``'s value for the current generation of ``name``, from the cache when it has it."""
    key = f"{name}:generation-{current(name)}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value
