"""SPEC §2.6: a DPoP proof's jti is accepted once across processes: the replay cache is the shared cache
(Redis), one atomic add, so the same proof sent at once to two workers is accepted exactly once."""

import pytest
import requests

from tests.dpop_keys import DPoPKey
from tests.fleet.servers import production_env, seed
from tests.fleet.test_limits_across_processes import THREADS, at_once

pytestmark = pytest.mark.slow


@pytest.fixture
def server(database_url, redis_url, servers):
    env = production_env(database_url, redis_url)
    seeded = seed(env)
    return servers(env, "dpop"), seeded


def test_one_proof_sent_to_two_processes_at_once_is_accepted_once(server):
    server, seeded = server
    client = seeded["password"]
    proof = DPoPKey().proof(htu="http://127.0.0.1/o/token/")  # ISSUER_URL's origin + the endpoint's path

    def token_request() -> requests.Response:
        data = {"grant_type": "password", "username": "alice", "password": seeded["user_password"], "scope": "read"}
        auth = (client["client_id"], client["client_secret"])
        return requests.post(f"{server.url}/o/token/", data=data, auth=auth, headers={"DPoP": proof}, timeout=60)

    assert at_once(token_request) == [200] + [400] * (THREADS - 1)
