"""SPEC §5: the rate budget under parallel requests to a live server: never overdrawn, and a request
refused for its cost takes nothing, not even for a moment, from requests that fit (issue 16, item 1)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.core.cache.backends.locmem import LocMemCache

from schema import documents

pytestmark = pytest.mark.slow
ME = "{ me { username } }"  # one point, once the process has prepared it (schema.pricing)
EXPENSIVE = "{ users(first: 50) { edges { node { groups(first: 10) { totalCount } } } } }"  # six points at least


@pytest.fixture(autouse=True)
def prepared():
    """Prepared before the requests race: which of them would prepare it, and pay for it, is not the point."""
    documents.prepare(ME)


def ask(url: str, token: str, query: str) -> requests.Response:
    return requests.post(
        f"{url}/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def test_parallel_requests_spend_the_budget_exactly(transactional_db, live_server, alice, make_token, settings):
    settings.GRAPHQL_RATE_BUDGET = 5
    token = make_token(alice, "read groups")
    barrier = threading.Barrier(12)

    def one(_: int) -> int:
        barrier.wait(timeout=10)
        return ask(live_server.url, token, ME).status_code

    with ThreadPoolExecutor(12) as pool:
        assert sorted(pool.map(one, range(12))) == [200] * 5 + [429] * 7


def test_a_request_refused_for_its_cost_does_not_crowd_out_one_that_fits(
    transactional_db, live_server, alice, make_token, settings, monkeypatch
):
    settings.GRAPHQL_RATE_BUDGET = 10
    token = make_token(alice, "read groups")
    assert [ask(live_server.url, token, ME).status_code for _ in range(5)] == [200] * 5  # 5 points left
    # Give any refund of a refused request a slow cache round trip, as a busy Redis would.
    decr = LocMemCache.decr

    def slow_decr(self, *args, **kwargs):
        time.sleep(0.5)
        return decr(self, *args, **kwargs)

    monkeypatch.setattr(LocMemCache, "decr", slow_decr)
    with ThreadPoolExecutor(2) as pool:
        refused = pool.submit(ask, live_server.url, token, EXPENSIVE)  # 6 points: too many
        time.sleep(0.2)
        fits = pool.submit(ask, live_server.url, token, ME)
        assert fits.result().status_code == 200
        assert fits.result().headers["X-RateLimit-Used"] == "6"
        assert refused.result().status_code == 429
