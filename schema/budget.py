"""The rate budget (SPEC §5): cost points per hour per user, or per client for client-credentials
tokens, in Django's cache.

Shared by every token of that user or client (a refresh does not start a fresh budget) and, with
``REDIS_URL``, by every server process. A fixed hourly window, as GitHub's GraphQL API resets its
budget. With Redis, a busy caller's points are taken in chunks and spent locally (users/leases.py: one
round trip per chunk or per second, no overspending, the bounds stated there); with the in-process cache,
one exact count per request.

A request is charged only if its points fit, in one atomic step (users.counters.take): charging first
and refunding an overdraft let a refused request hold points it never spent while it was refunded, so
concurrent requests that fitted were refused.
"""

import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

from schema.errors import Throttled
from users import activity, counters, leases
from users.throttle import client_address

WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Budget:
    limit: int
    used: int  # points spent this window, this request's included when it was charged
    cost: int  # this request's points
    reset_at: int  # Unix time

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def retry_after(self) -> int:
        return max(1, self.reset_at - int(time.time()))

    def headers(self) -> dict[str, str]:
        """GitHub's rate-limit headers."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Used": str(self.used),
            "X-RateLimit-Reset": str(self.reset_at),
            "X-RateLimit-Resource": "graphql",
        }


def _window(principal) -> tuple[str, int]:
    window = int(time.time()) // WINDOW_SECONDS
    owner = f"user:{principal.user.pk}" if principal.user is not None else f"client:{principal.application_id}"
    return f"graphql-budget:{owner}:{window}", (window + 1) * WINDOW_SECONDS


def spend(principal, points: int) -> Budget:
    """Take ``points`` from the caller's budget for this hour; ``Throttled`` if that would overdraw it
    (and then nothing is taken)."""
    limit = settings.GRAPHQL_RATE_BUDGET
    key, reset_at = _window(principal)
    # The client's requests per hour (its page, users/activity.py) are tallied in the same step.
    requests = (activity.hour_key(principal.application_id), 1, activity.KEEP_SECONDS)
    if leases.shared_cache():
        taken = leases.budget_leases.take(key, limit, points, WINDOW_SECONDS + 60, tally=requests)
    else:
        taken = counters.take([(key, limit)], points, timeout=WINDOW_SECONDS + 60, tally=[requests])
    used = taken.counts[0] if taken.counted else 0  # nothing counted while Redis is unreachable
    if not taken.allowed:  # a refused request costs nothing
        budget = Budget(limit, used, points, reset_at)
        raise Throttled(
            f"This query costs {points} points and {budget.remaining} are left this hour; "
            f"the budget resets at {iso_time(reset_at)}.",
            retry_after=budget.retry_after,
            cost=cost_report(budget, 0),
        )
    return Budget(limit, used, points, reset_at)


def spend_anonymous(request) -> None:
    """A point per request from the caller's address, for anonymous callers (public introspection):
    ``Throttled`` past ``GRAPHQL_ANONYMOUS_BUDGET`` in the hour. The address is hashed: the key names
    no one."""
    window = int(time.time()) // WINDOW_SECONDS
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    limit = settings.GRAPHQL_ANONYMOUS_BUDGET
    taken = counters.take([(f"graphql-anonymous:{address}:{window}", limit)], 1, timeout=WINDOW_SECONDS + 60)
    if not taken.allowed:
        reset_at = (window + 1) * WINDOW_SECONDS
        raise Throttled(
            f"Anonymous requests from this address are limited to {settings.GRAPHQL_ANONYMOUS_BUDGET} an hour;"
            f" the limit resets at {iso_time(reset_at)}. Send an access token.",
            retry_after=max(1, reset_at - int(time.time())),
        )


def peek(principal) -> Budget:
    """The budget as it stands, for a response that was refused before it could be charged."""
    key, reset_at = _window(principal)
    used = max(0, cache.get(key, 0) - leases.budget_leases.unspent(key))  # what this process leased is not used
    return Budget(settings.GRAPHQL_RATE_BUDGET, used, 0, reset_at)


def cost_report(budget: Budget | None, nodes: int, points: int | None = None) -> dict:
    """``extensions.cost`` (SPEC §5); without a budget (public introspection) nothing is counted."""
    return {
        "requestedQueryCost": budget.cost if budget else points,
        "nodeCount": nodes,
        "remaining": budget.remaining if budget else None,
        "resetAt": iso_time(budget.reset_at) if budget else None,
    }


@lru_cache(maxsize=16)  # one reset time an hour: formatted once, not on every response
def iso_time(timestamp: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))
