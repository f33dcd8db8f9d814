"""The per-token rate budget (SPEC §5): cost points per hour, in Django's cache.

With ``REDIS_URL`` the cache is Redis, so every server process spends from the same counter.
A fixed hourly window per token, as GitHub's GraphQL API resets its budget.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from users.counters import add_to_counter

WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Budget:
    allowed: bool
    remaining: int
    reset_at: int  # Unix time

    @property
    def retry_after(self) -> int:
        return max(1, self.reset_at - int(time.time()))


def spend(token_id: int, points: int) -> Budget:
    """Take ``points`` from the token's budget for this hour, unless that would overdraw it."""
    limit = settings.GRAPHQL_RATE_BUDGET
    now = int(time.time())
    window = now // WINDOW_SECONDS
    reset_at = (window + 1) * WINDOW_SECONDS
    key = f"graphql-budget:{token_id}:{window}"
    used = add_to_counter(key, points, timeout=WINDOW_SECONDS + 60)
    if used > limit:
        cache.decr(key, points)  # a refused request costs nothing
        return Budget(False, max(0, limit - (used - points)), reset_at)
    return Budget(True, limit - used, reset_at)
