"""The shared cache (REDIS_URL) failing open (SPEC §6): while Redis is unreachable the service keeps
serving, and the cache answers like an empty one that forgets what it is told. This is the one place
that handles Redis' errors.

Django's RedisCache raises redis' exceptions (a closed port, a timeout), and the cache is read on
many paths besides the counters (CORS origins, the budget headers of a refused request). Rather than
guarding each call site, this backend answers every operation as a miss, as django-redis'
IGNORE_EXCEPTIONS does; the counters' ``take_within_limits`` answers None ("not counted", which
users.counters turns into an allowed attempt). ``incr`` alone still raises, as Django's does.
One warning per request says the cache was unreachable.
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


# users.counters.take on Redis: check every counter against its limit and add to all of them or to none,
# in one script (Redis runs a script atomically), so concurrent attempts in any number of processes
# cannot all read the same count. A counter gets its expiry on first use; TTL < 0 (none yet) rather
# than EXPIRE NX, which needs Redis 7. Integers are stored raw, as Django's serializer stores them.
TAKE_WITHIN_LIMITS = """
local amount, ttl, limited = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local answer = {1}
for i = 1, limited do
  answer[i + 1] = tonumber(redis.call('GET', KEYS[i]) or '0')
  if answer[i + 1] + amount > tonumber(ARGV[i + 3]) then answer[1] = 0 end
end
if answer[1] == 1 then
  for i = 1, limited do
    answer[i + 1] = redis.call('INCRBY', KEYS[i], amount)
    if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], ttl) end
  end
  for i = limited + 1, #KEYS do  -- tallies: (amount, ttl) pairs after the limits
    local at = 3 + limited + 2 * (i - limited) - 1
    redis.call('INCRBY', KEYS[i], ARGV[at])
    if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], ARGV[at + 1]) end
  end
end
return answer
"""
# users.leases: take between ``need`` and ``want`` points of a budget, and add the tallies, in one step;
# {allowed, count after, points granted}. Never more than a 16th of what is left beyond ``need``: near the
# end of a budget, one process does not take the rest while another refuses the caller. Refused (fewer
# than ``need`` left): nothing is taken or tallied.
LEASE = """
local need, want, limit, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count + need > limit then return {0, count, 0} end
local grant = math.min(want, math.max(need, math.floor((limit - count) / 16)))
if grant > 0 then
  count = redis.call('INCRBY', KEYS[1], grant)
  if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ttl) end
end
for i = 2, #KEYS do  -- tallies: (amount, ttl) pairs after the four arguments
  redis.call('INCRBY', KEYS[i], ARGV[3 + 2 * (i - 1)])
  if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], ARGV[4 + 2 * (i - 1)]) end
end
return {1, count, grant}
"""
# An attempt that succeeded gives its place back; a counter that expired meanwhile is not re-created.
GIVE_BACK = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('DECRBY', key, ARGV[1]) end
end
"""


class FailOpenRedisCache(RedisCache):
    @_fail_open(lambda *a, **k: None)
    def take_within_limits(self, keys: list[str], limits: list[int], amount: int, timeout: int, tally=()):
        """(allowed, counts) in one round trip; None while Redis is unreachable (nothing counted).
        ``tally``: (key, amount, timeout) counters added in the same script when allowed."""
        all_keys = [self.make_and_validate_key(key) for key in [*keys, *(key for key, _, _ in tally)]]
        extra = [value for _, add, expiry in tally for value in (add, expiry)]
        answer = self._script(TAKE_WITHIN_LIMITS)(keys=all_keys, args=[amount, timeout, len(keys), *limits, *extra])
        return bool(answer[0]), [int(count) for count in answer[1:]]

    @_fail_open(lambda *a, **k: None)
    def lease(self, key: str, need: int, want: int, limit: int, timeout: int, tally=()):
        """(allowed, count, granted) in one round trip (the LEASE script); None while Redis is unreachable."""
        keys = [self.make_and_validate_key(k) for k in [key, *(k for k, _, _ in tally)]]
        extra = [value for _, add, expiry in tally for value in (add, expiry)]
        allowed, count, granted = self._script(LEASE)(keys=keys, args=[need, want, limit, timeout, *extra])
        return bool(allowed), int(count), int(granted)

    @_fail_open(lambda *a, **k: None)
    def give_back(self, keys: list[str], amount: int) -> None:
        self._script(GIVE_BACK)(keys=[self.make_and_validate_key(key) for key in keys], args=[amount])

    def _script(self, source: str):
        # redis-py's Script sends EVALSHA and loads the source once per server if it is missing.
        return self._cache.get_client(write=True).register_script(source)

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
    decr = _fail_open(lambda *a, **k: 0)(RedisCache.decr)
