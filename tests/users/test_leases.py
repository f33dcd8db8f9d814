"""Budget leases (users/leases.py, issue 21): a busy caller's budget is taken from Redis in chunks, so it
costs fewer round trips than requests; the shared limit still holds exactly across processes."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from redis import Redis

from schema.authentication import Principal
from schema.budget import _window, spend
from schema.errors import Throttled
from users import activity
from users.leases import RENEW_SECONDS, budget_leases

ROOT = Path(__file__).resolve().parents[2]
CLIENT = Principal(None, 525252, None, frozenset(), 1)  # a client-credentials token of client 525252
SPEND_UNTIL_REFUSED = """
import sys, time, django
django.setup()
from schema.authentication import Principal
from schema.budget import spend
from schema.errors import Throttled
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.001)
spent = 0
try:
    while True:
        spend(Principal(None, 525252, None, frozenset(), 1), 1)
        spent += 1
except Throttled:
    print(spent)
"""


def scripts_run(redis: Redis) -> int:
    stats = redis.info("commandstats")
    return sum(stats.get(name, {}).get("calls", 0) for name in ("cmdstat_evalsha", "cmdstat_eval"))


def shared_count() -> int:
    return cache.get(_window(CLIENT)[0], 0)


def test_a_busy_caller_costs_a_round_trip_per_chunk_and_its_figures_stay_exact(settings_redis, settings):
    settings.GRAPHQL_RATE_BUDGET = 5000  # chunks up to 100 points
    redis = Redis.from_url(settings_redis)
    before = scripts_run(redis)
    used = [spend(CLIENT, 1).used for _ in range(200)]
    scripts = scripts_run(redis) - before
    assert used == list(range(1, 201))  # one process: every request's figures are exact
    assert scripts <= 12, scripts  # 1, 2, 4, ... 64, then chunks of 100 (and a renewal a second)
    held = budget_leases.unspent(_window(CLIENT)[0])
    assert 0 <= held <= 100 and shared_count() == 200 + held  # taken from Redis: spent, or held here


def test_a_caller_that_is_not_busy_takes_exactly_its_cost(settings_redis, settings):
    settings.GRAPHQL_RATE_BUDGET = 5000
    for expected in (3, 6):
        assert spend(CLIENT, 3).used == expected
        assert shared_count() == expected  # no lease held
        time.sleep(RENEW_SECONDS + 0.1)


def test_small_budgets_are_counted_exactly(settings_redis, settings):
    settings.GRAPHQL_RATE_BUDGET = 49  # under CHUNK_SHARE points: chunks are never bigger than the request
    for spent in range(1, 50):
        spend(CLIENT, 1)
        assert shared_count() == spent
    with pytest.raises(Throttled):
        spend(CLIENT, 1)


def test_processes_spending_at_once_spend_the_limit_exactly(settings_redis):
    """Three processes spend one point at a time, all at once, until refused: leases never overspend,
    and points one process holds are spent by it, so together they spend exactly the limit."""
    limit = 600  # chunks up to 12 points
    env = {**os.environ, "REDIS_URL": settings_redis, "GRAPHQL_RATE_BUDGET": str(limit)}
    env["DJANGO_SETTINGS_MODULE"] = "project.settings"
    start = time.time() + 3
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SPEND_UNTIL_REFUSED, str(start)], cwd=ROOT, env=env, stdout=subprocess.PIPE
        )
        for _ in range(3)
    ]
    spent = [int(process.communicate(timeout=60)[0]) for process in processes]
    assert sum(spent) == limit, spent
    assert shared_count() == limit


def test_requests_served_from_a_lease_reach_the_clients_hourly_count_within_a_second(settings_redis, settings):
    settings.GRAPHQL_RATE_BUDGET = 5000
    for _ in range(20):
        spend(CLIENT, 1)
    key = activity.hour_key(CLIENT.application_id)
    assert activity.requests_per_hour(CLIENT.application_id)[-1][1] == 20  # this process adds what it holds
    deadline = time.monotonic() + 5 * RENEW_SECONDS
    while cache.get(key, 0) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.get(key, 0) == 20 and budget_leases.pending([key]) == {}


def test_near_the_end_of_a_budget_a_process_takes_a_sixteenth_of_what_is_left(settings_redis, settings):
    """So that another process is not left refusing a caller who still has points."""
    settings.GRAPHQL_RATE_BUDGET = 5000
    cache.set(_window(CLIENT)[0], 4900)  # 100 points left
    for _ in range(40):
        spend(CLIENT, 1)
    held = budget_leases.unspent(_window(CLIENT)[0])
    assert held <= (5000 - 4900) // 16 and shared_count() == 4900 + 40 + held


def test_when_redis_loses_the_counter_what_a_process_held_is_gone_and_the_request_counted_afresh(
    settings_redis, settings
):
    settings.GRAPHQL_RATE_BUDGET = 5000
    for _ in range(50):
        spend(CLIENT, 1)
    assert budget_leases.unspent(_window(CLIENT)[0]) > 0
    cache.delete(_window(CLIENT)[0])  # Redis restarted without its data, or evicted the key
    time.sleep(RENEW_SECONDS + 0.1)  # the lease is due for renewal: it learns the count is gone
    after = spend(CLIENT, 1)
    assert (after.used, shared_count(), budget_leases.unspent(_window(CLIENT)[0])) == (1, 1, 0)
