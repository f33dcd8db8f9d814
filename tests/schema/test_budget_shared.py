"""SPEC §5: with REDIS_URL, every server process spends from the same per-token budget."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from schema.budget import spend

ROOT = Path(__file__).resolve().parents[2]
SPEND_IN_ANOTHER_PROCESS = (
    "import django; django.setup(); from schema.budget import spend; print(spend(424242, 7).remaining)"
)


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379 (CI has it; a laptop may not)")
def test_two_processes_share_one_budget(settings_redis):
    first = spend(424242, 5)
    env = {**os.environ, "REDIS_URL": settings_redis, "DJANGO_SETTINGS_MODULE": "project.settings"}
    other = subprocess.run(
        [sys.executable, "-c", SPEND_IN_ANOTHER_PROCESS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert other.returncode == 0, other.stderr
    assert int(other.stdout.strip()) == first.remaining - 7
    assert spend(424242, 1).remaining == first.remaining - 8


@pytest.fixture
def settings_redis(settings):
    url = "redis://127.0.0.1:6379/14"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    from django.core.cache import cache

    cache.clear()
    yield url
    cache.clear()


def test_budget_default_is_five_thousand_points():
    assert settings.GRAPHQL_RATE_BUDGET == 5000
