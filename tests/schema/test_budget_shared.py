"""SPEC §5: with REDIS_URL, every server process spends from the same per-user budget."""

import os
import subprocess
import sys
from pathlib import Path

from schema.authentication import Principal
from schema.budget import _window, spend
from users import activity

ROOT = Path(__file__).resolve().parents[2]
SPEND_IN_ANOTHER_PROCESS = (
    "import django; django.setup()\n"
    "from schema.authentication import Principal\n"
    "from schema.budget import spend\n"
    "print(spend(Principal(None, 424242, None, frozenset(), 2), 7).remaining)\n"
)
CLIENT = Principal(None, 424242, None, frozenset(), 1)  # a client-credentials token of client 424242


def test_two_processes_share_one_budget(settings_redis):
    first = spend(CLIENT, 5)
    env = {**os.environ, "REDIS_URL": settings_redis, "DJANGO_SETTINGS_MODULE": "project.settings"}
    other = subprocess.run(
        [sys.executable, "-c", SPEND_IN_ANOTHER_PROCESS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert other.returncode == 0, other.stderr
    assert int(other.stdout.strip()) == first.remaining - 7
    assert spend(CLIENT, 1).remaining == first.remaining - 8


def test_spending_is_one_redis_round_trip(settings_redis):
    """Issue 7 item 22: one cache round trip per request, a new window's included: the production backend
    checks and charges in one script (issue 16); Django's own incr would ask EXISTS first. The client's
    hourly request counter (issue 18, its page) is tallied in the same script."""
    from django.core.cache import cache
    from redis import Redis

    monitor = Redis.from_url(settings_redis)

    def calls() -> dict[str, int]:
        return {name: stats["calls"] for name, stats in monitor.info("commandstats").items()}

    before = calls()
    first, second = spend(CLIENT, 3), spend(CLIENT, 4)  # the first creates this hour's counter
    after = calls()
    delta = {name: after.get(name, 0) - before.get(name, 0) for name in after}
    assert (first.used, second.used) == (3, 7)
    scripts = delta.get("cmdstat_evalsha", 0) + delta.get("cmdstat_eval", 0)
    assert (scripts, delta.get("cmdstat_exists", 0), delta.get("cmdstat_incrby", 0)) == (2, 0, 4)
    assert cache.get(activity.hour_key(CLIENT.application_id)) == 2
    assert 0 < monitor.ttl(cache.make_and_validate_key(_window(CLIENT)[0])) <= 3600 + 60
