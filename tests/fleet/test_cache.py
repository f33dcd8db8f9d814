"""project/cache.py: while Redis is unreachable, every operation answers as an empty cache, the counters
count nothing and refuse nothing, and ping raises (readiness must see the outage)."""

import pytest
from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.fleet.servers import free_port
from users import counters


@pytest.fixture
def unreachable(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "down": {
            "BACKEND": "project.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    return caches["down"]


def test_every_operation_answers_as_a_miss(unreachable, caplog):
    assert unreachable.get("k", "default") == "default"
    assert unreachable.get_many(["a", "b"]) == {}
    assert unreachable.add("k", 1) is False
    assert unreachable.set("k", 1) is None and unreachable.set_many({"k": 1}) == []
    assert unreachable.has_key("k") is False and unreachable.touch("k") is False
    assert unreachable.delete("k") is False and unreachable.delete_many(["k"]) is None
    assert unreachable.decr("k") == 0
    assert "cache unreachable" in caplog.text


def test_incr_and_ping_still_raise(unreachable):
    with pytest.raises(RedisConnectionError):
        unreachable.incr("k")
    with pytest.raises(RedisConnectionError):
        unreachable.ping()


def test_the_counters_count_nothing_and_refuse_nothing(unreachable, monkeypatch):
    monkeypatch.setattr("users.counters.cache", unreachable)
    assert counters.take([("graphql-budget:x", 1)], 5, timeout=60) == counters.Taken(True, ())
    counters.give_back(["token-failures:a"], 1)  # no error either
