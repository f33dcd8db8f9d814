"""Leases on a shared budget (issue 21): a process takes a busy caller's budget from Redis in chunks and
spends it locally, so that a caller sending many requests costs one Redis round trip per chunk instead of
one per request (a round trip was 40 % of a ``{ me }`` request's time under load).

What stays true:

- **No overspending, however many processes.** A chunk is taken in one atomic step against the limit
  (project/cache.py's LEASE script), so everything every process has taken never exceeds the limit, and a
  process spends only what it took.
- **Early refusal is bounded.** Points one process took and has not spent yet count as used for the
  others: a caller can be refused up to 1/``CHUNK_SHARE`` of its limit early per other process holding a
  lease (2 % each; of a 5,000-point budget, 100 points). A lease grows (doubling) only while the caller's
  requests come back within ``RENEW_SECONDS``; a caller that is not busy takes exactly its cost each time,
  as without leases. Below 50 points of budget, chunks are never bigger than the request.
- **The figures lag by at most ``RENEW_SECONDS`` or a chunk.** A lease is renewed (a round trip) at least
  that often while it is used, and each renewal reads the shared count: ``used`` is that count less what
  this process has not spent, so within one process the X-RateLimit-* headers are exact, and across
  processes they count other processes' unspent leases as used and miss what they took since.
- **Tallies** (a client's requests per hour, users/activity.py) of requests served from a lease are
  counted locally and added to Redis by the next renewal's script or, at the latest, ``RENEW_SECONDS``
  later by the process's one flusher thread; the client's page adds what its own process holds. A
  process killed loses at most that second of tallies. Points leased and never spent are not given
  back (they expire with the window).

Only with a shared cache (Redis); the in-process cache (development) counts every request exactly
(users.counters). While Redis is unreachable nothing is counted (SPEC §6) and no lease is taken.
"""

import threading
import time
from dataclasses import dataclass

from django.core.cache import cache

from users import counters
from users.counters import NOT_COUNTED, Taken

CHUNK_SHARE = 50  # a lease is at most 1/50 of the limit
RENEW_SECONDS = 1.0
KEEP = 4096  # leases kept per process before those a renewal would replace are dropped (_forget_idle)


@dataclass
class Lease:
    unspent: int  # points taken from the shared counter and not spent yet
    shared: int  # the shared count at the last renewal, every process's leases included
    granted: int  # the last renewal's chunk
    renewed_at: float  # time.monotonic()


class Leases:
    def __init__(self):
        self._lock = threading.Lock()
        self._leases: dict[str, Lease] = {}
        self._tallies: dict[str, list[int]] = {}  # key -> [amount, timeout], not yet added
        self._tallies_pending = threading.Event()
        self._flusher: threading.Thread | None = None

    def take(self, key: str, limit: int, points: int, timeout: int, tally: tuple[str, int, int]) -> Taken:
        """Spend ``points`` of the shared counter ``key`` (at most ``limit``): from this process' lease
        when it holds enough and is fresh, else renewing it in one round trip. ``Taken.counts`` is
        ``(used,)``: points spent or held by other processes, this request's included."""
        with self._lock:
            now = time.monotonic()
            lease = self._leases.get(key)
            fresh = lease is not None and now - lease.renewed_at < RENEW_SECONDS
            if fresh and lease.unspent >= points:
                lease.unspent -= points
                self._add_tally(*tally)
                return Taken(True, (lease.shared - lease.unspent,))
            unspent = lease.unspent if lease is not None else 0
            need = max(0, points - unspent)
            want = max(need, min(limit // CHUNK_SHARE, 2 * lease.granted)) if fresh else need
            pending = [(k, amount, expiry) for k, (amount, expiry) in self._tallies.items()]
            answer = cache.lease(key, need, want, limit, timeout, [*pending, tally])
            if answer is None:  # Redis unreachable: nothing counted (SPEC §6)
                return NOT_COUNTED
            allowed, shared, granted = answer
            if allowed:
                self._tallies.clear()  # added by the script
                if shared < unspent + granted:  # Redis lost the counter (a restart, an eviction): what this
                    unspent = 0  # process held is gone with it, so this request is counted afresh, exactly
                    answer = cache.lease(key, points, points, limit, timeout)
                    if answer is None:
                        return NOT_COUNTED
                    allowed, shared, granted = answer
            if not allowed:  # a refused request costs nothing; the tallies stay pending
                return Taken(False, (max(0, shared - unspent),))
            if lease is None:
                self._forget_idle(now)
                lease = self._leases[key] = Lease(0, 0, 0, now)
            lease.unspent = max(0, unspent + granted - points)
            lease.shared, lease.granted, lease.renewed_at = shared, granted, now
            return Taken(True, (max(0, shared - lease.unspent),))

    def unspent(self, key: str) -> int:
        """What this process holds of ``key`` and has not spent: counted as used in Redis, not by the caller."""
        lease = self._leases.get(key)
        return lease.unspent if lease is not None else 0

    def pending(self, keys: list[str]) -> dict[str, int]:
        """Tallies counted by this process and not yet added to Redis, among ``keys``."""
        with self._lock:
            return {key: self._tallies[key][0] for key in keys if key in self._tallies}

    def forget(self) -> None:
        """Drop every lease and pending tally (the cache was cleared: tests)."""
        with self._lock:
            self._leases.clear()
            self._tallies.clear()
            self._tallies_pending.clear()

    def flush(self) -> None:
        """Add the pending tallies to Redis, in one round trip, outside the lock: requests do not wait."""
        with self._lock:
            pending = [(key, amount, expiry) for key, (amount, expiry) in self._tallies.items()]
            self._tallies.clear()
            self._tallies_pending.clear()
        if pending:
            counters.take([], 0, timeout=0, tally=pending)

    def _add_tally(self, key: str, amount: int, timeout: int) -> None:
        pending = self._tallies.setdefault(key, [0, timeout])
        pending[0] += amount
        self._tallies_pending.set()
        if self._flusher is None or not self._flusher.is_alive():  # in the worker that counts, after any fork
            self._flusher = threading.Thread(target=self._flush_forever, name="budget-tallies", daemon=True)
            self._flusher.start()

    def _flush_forever(self) -> None:
        # One thread for the process's life: Django's cache connections are per thread, so a thread per
        # flush would open a Redis connection per flush.
        while True:
            self._tallies_pending.wait()
            time.sleep(RENEW_SECONDS)
            self.flush()

    def _forget_idle(self, now: float) -> None:
        """Past ``KEEP`` leases, drop those a renewal would replace anyway: idle and empty, or an hour old
        (their window is over)."""
        if len(self._leases) >= KEEP:
            self._leases = {
                key: lease
                for key, lease in self._leases.items()
                if now - lease.renewed_at < (3600 if lease.unspent else RENEW_SECONDS)
            }


budget_leases = Leases()


def shared_cache() -> bool:
    """Leases only where the cache is shared by processes (project.cache.FailOpenRedisCache)."""
    return hasattr(cache, "lease")
