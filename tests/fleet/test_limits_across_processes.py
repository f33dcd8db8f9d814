"""SPEC §2, §2.4: failure limits hold when parallel attempts are served by several processes sharing
Redis (the production command, two workers): each attempt takes its place in Redis before its password
is checked (issue 16, item 1)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.fleet.servers import production_env, seed

pytestmark = pytest.mark.slow
THREADS = 12
LIMIT = 3


def at_once(send) -> list[int]:
    barrier = threading.Barrier(THREADS)

    def one(_: int) -> int:
        barrier.wait(timeout=10)
        return send().status_code

    with ThreadPoolExecutor(THREADS) as pool:
        return sorted(pool.map(one, range(THREADS)))


@pytest.fixture
def server(database_url, redis_url, servers):
    limits = {
        name: str(LIMIT)
        for name in (
            "TOKEN_FAILURES_PER_ADDRESS",
            "TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS",
            "LOGIN_FAILURES_PER_ADDRESS",
            "LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS",
        )
    }
    env = production_env(database_url, redis_url, **limits)
    seeded = seed(env)
    return servers(env, "limits"), seeded


def test_parallel_password_grants_in_two_processes_stop_at_the_limit(server):
    server, seeded = server
    client = seeded["password"]

    def login(password: str) -> requests.Response:
        data = {"grant_type": "password", "username": "alice", "password": password, "scope": "read"}
        auth = (client["client_id"], client["client_secret"])
        return requests.post(f"{server.url}/o/token/", data=data, auth=auth, timeout=60)

    assert at_once(lambda: login("wrong")) == [400] * LIMIT + [429] * (THREADS - LIMIT)
    assert login(seeded["user_password"]).status_code == 429


def test_parallel_sign_ins_in_two_processes_stop_at_the_limit(server):
    server, seeded = server
    csrf = requests.get(f"{server.url}/accounts/login/", timeout=10).cookies["csrftoken"]

    def sign_in(password: str) -> requests.Response:
        data = {"username": "alice", "password": password, "csrfmiddlewaretoken": csrf}
        return requests.post(
            f"{server.url}/accounts/login/", data=data, cookies={"csrftoken": csrf}, allow_redirects=False, timeout=60
        )

    assert at_once(lambda: sign_in("wrong")) == [200] * LIMIT + [429] * (THREADS - LIMIT)
    assert sign_in(seeded["user_password"]).status_code == 429
