"""SPEC §6, §7.2: what was cached before a cache outage and changed during it is not served stale when
the cache comes back (issue 16, item 4). A real redis-server, started by the test on a free port, keeps
a snapshot of what it held (as a Redis with persistence or a promoted replica does), is stopped while a
client's origins are removed, and is started again with that snapshot."""

import shutil
import subprocess
import time

import pytest
from django.core.cache import cache
from django.test import Client

from tests.fleet.servers import free_port, port_open, require
from users.models import Application

pytestmark = pytest.mark.slow
ORIGIN = "https://app.example.com"


class RedisServer:
    def __init__(self, directory):
        require(shutil.which("redis-server") is not None, "redis-server")
        self.port, self.directory, self.process = free_port(), directory, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([*command, "--dir", str(self.directory)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert port_open(self.port)

    def snapshot_and_stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "save"], check=True, capture_output=True)
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path, settings):
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "project.cache.FailOpenRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield server
    if server.process.poll() is None:
        server.process.terminate()
        server.process.wait(timeout=10)


def cors_allowed() -> bool:
    response = Client().options("/graphql", HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    return response.get("Access-Control-Allow-Origin") == ORIGIN


def test_origins_removed_during_an_outage_are_not_served_stale_after_it(redis_server, make_application):
    application = make_application(allowed_origins=ORIGIN)
    assert cors_allowed()  # now cached in Redis

    redis_server.snapshot_and_stop()
    application.allowed_origins = ""
    application.save()
    assert not cors_allowed()  # answered from the database meanwhile

    redis_server.start()
    for _ in range(3):  # the cache's pooled connections reconnect
        cache.get("warm-up")
    assert not cors_allowed()


def test_a_deleted_client_is_not_served_stale_after_an_outage(redis_server, make_application):
    application = make_application(allowed_origins=ORIGIN)
    assert cors_allowed()
    redis_server.snapshot_and_stop()
    Application.objects.get(pk=application.pk).delete()
    redis_server.start()
    for _ in range(3):
        cache.get("warm-up")
    assert not cors_allowed()
