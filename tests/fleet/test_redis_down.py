"""SPEC §6: with Redis unreachable, /graphql and /o/token/ keep serving (budgets and failure limits not
counted, a warning per request), /readyz says "cache": "error"; once Redis is back, counting resumes.

A real server pointed at a closed port, then a real redis-server started on that port."""

import shutil
import subprocess
import time

import pytest
import requests

from tests.fleet.flows import Flows
from tests.fleet.servers import free_port, port_open, production_env, require, seed

pytestmark = pytest.mark.slow
BUDGET = 3  # `{ me }` costs one point
FAILURES = 2


@pytest.fixture
def redis_port():
    port = free_port()
    started = []

    def start():
        require(shutil.which("redis-server") is not None, "redis-server")
        started.append(
            subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
        )
        deadline = time.monotonic() + 10
        while not port_open(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert port_open(port)

    yield port, start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def test_redis_down_then_back(database_url, servers, redis_port):
    port, start_redis = redis_port
    env = production_env(
        database_url,
        f"redis://127.0.0.1:{port}/0",
        GRAPHQL_RATE_BUDGET=str(BUDGET),
        TOKEN_FAILURES_PER_ADDRESS=str(FAILURES),
        TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS=str(FAILURES),
    )
    seeded = seed(env)
    server = servers(env, "redis-down")
    flows = Flows(server.url, seeded)
    wrong = {"grant_type": "password", "username": "alice", "password": "wrong-password"}

    def wrong_login() -> requests.Response:
        return requests.post(f"{server.url}/o/token/", data=wrong, auth=flows.auth("password"), timeout=10)

    # Redis down: everything serves, nothing is counted.
    ready = requests.get(f"{server.url}/readyz", timeout=10)
    assert (ready.status_code, ready.json()) == (503, {"database": "ok", "cache": "error"})
    token = flows.password()["access_token"]
    answers = [flows.graphql(token) for _ in range(BUDGET + 2)]
    assert [r.status_code for r in answers] == [200] * (BUDGET + 2)
    failures = [wrong_login() for _ in range(FAILURES + 2)]
    assert [r.status_code for r in failures] == [400] * (FAILURES + 2)
    # The other paths that read the cache: a refused query's budget headers, CORS (origins are cached).
    refused = flows.graphql(token, "{ nope }")
    assert refused.status_code == 400
    cross_origin = {"Authorization": f"Bearer {token}", "Origin": "https://app.example.com"}
    crossed = requests.post(f"{server.url}/graphql", json={"query": "{ me { username } }"}, headers=cross_origin)
    assert crossed.status_code == 200
    preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}
    assert requests.options(f"{server.url}/o/token/", headers=preflight, timeout=10).status_code == 200
    request_ids = {r.headers["X-Request-ID"] for r in [*answers, *failures, refused, crossed]}

    # Redis back: the next requests are counted again.
    start_redis()
    ready = requests.get(f"{server.url}/readyz", timeout=10)
    assert (ready.status_code, ready.json()) == (200, {"database": "ok", "cache": "ok"})
    # A document new to a worker costs a point more there (schema.pricing), and either worker may answer.
    counted = [flows.graphql(token) for _ in range(BUDGET + 1)]
    charged = [r.json()["extensions"]["cost"]["requestedQueryCost"] for r in counted if r.status_code == 200]
    assert counted[0].status_code == 200 and 429 in [r.status_code for r in counted]
    assert sum(charged) <= BUDGET
    assert [wrong_login().status_code for _ in range(FAILURES + 1)] == [400] * FAILURES + [429]

    server.stop()
    warned = {
        r["request_id"] for r in server.log_records() if r["level"] == "WARNING" and "cache unreachable" in r["message"]
    }
    assert request_ids <= warned  # every request served without Redis said so in the log
