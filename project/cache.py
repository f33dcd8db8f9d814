"""The shared cache (REDIS_URL) failing open (SPEC §6): while Redis is unreachable the service keeps
serving, and the cache answers like an empty one that forgets what it is told.

Django's RedisCache raises redis' exceptions (a closed port, a timeout), and the cache is read on
many paths besides the counters (CORS origins, the budget headers of a refused request). Rather than
guarding each call site, this backend answers every operation as a miss, as django-redis'
IGNORE_EXCEPTIONS does. ``incr`` alone still raises: ``users.counters`` must know that nothing was
counted (it answers 0 then). One warning per request says the cache was unreachable.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from project import request_context

log = logging.getLogger("project.cache")
ERRORS = (RedisError, OSError)


def _fail_open(answer):
    """Run the operation; while Redis is unreachable, warn (once per request) and return ``answer(args)``."""

    def decorate(operation):
        @functools.wraps(operation)
        def wrapper(self, *args, **kwargs):
            try:
                return operation(self, *args, **kwargs)
            except ERRORS as error:
                _warn(operation.__name__, error)
                return answer(*args, **kwargs)

        return wrapper

    return decorate


def _warn(operation: str, error: Exception) -> None:
    request = request_context.current()
    if request is not None:
        if getattr(request, "_cache_unreachable_logged", False):
            return
        request._cache_unreachable_logged = True
    log.warning("cache unreachable: %s answered as a miss (%s)", operation, type(error).__name__)


class FailOpenRedisCache(RedisCache):
    def count(self, key: str, amount: int, timeout: int) -> int:
        """Add ``amount`` to a counter, creating it with ``timeout``: one pipelined round trip (Django's
        ``incr`` asks EXISTS first, and a first use needs ``add`` too). Raises while Redis is unreachable,
        as ``incr`` does, so that users.counters knows nothing was counted."""
        key = self.make_and_validate_key(key)
        with self._cache.get_client(key, write=True).pipeline(transaction=False) as pipe:
            pipe.set(key, 0, ex=timeout, nx=True)  # a new window: starts at 0 and expires (any Redis version)
            pipe.incrby(key, amount)
            return pipe.execute()[1]

    def count_many(self, increments: list[tuple[str, int, int]]) -> list[int]:
        """``count`` for several counters, each ``(key, amount, timeout)``, in the same one pipelined round
        trip (the rate budget and the client's hourly requests, users/activity.py)."""
        with self._cache.get_client(write=True).pipeline(transaction=False) as pipe:
            for key, amount, timeout in increments:
                key = self.make_and_validate_key(key)
                pipe.set(key, 0, ex=timeout, nx=True)
                pipe.incrby(key, amount)
            return pipe.execute()[1::2]

    def ping(self) -> None:
        """Raises while Redis is unreachable: /readyz must see what the operations hide."""
        self._cache.get_client(write=True).ping()

    add = _fail_open(lambda *a, **k: False)(RedisCache.add)
    get = _fail_open(lambda key, default=None, version=None: default)(RedisCache.get)
    set = _fail_open(lambda *a, **k: None)(RedisCache.set)
    touch = _fail_open(lambda *a, **k: False)(RedisCache.touch)
    delete = _fail_open(lambda *a, **k: False)(RedisCache.delete)
    get_many = _fail_open(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _fail_open(lambda *a, **k: False)(RedisCache.has_key)
    set_many = _fail_open(lambda *a, **k: [])(RedisCache.set_many)
    delete_many = _fail_open(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _fail_open(lambda *a, **k: False)(RedisCache.clear)
    # decr undoes an incr that did count (a refused request costs nothing): best effort.
    decr = _fail_open(lambda *a, **k: 0)(RedisCache.decr)
