"""project/gunicorn.conf.py's graceful shutdown: on SIGTERM (a deploy, a scale-down) a worker finishes
the request it holds before it exits; new connections are refused from then on."""

import signal
import threading
import time

import pytest
import requests

from tests.fleet.servers import free_port, production_env, seed

pytestmark = pytest.mark.slow


def test_sigterm_lets_the_request_in_flight_finish(database_url, servers):
    env = production_env(database_url, f"redis://127.0.0.1:{free_port()}/0")
    seeded = seed(env)
    server = servers(env, "graceful", workers=1)
    client = seeded["password"]
    # A password grant checks the password with PBKDF2 (about a second of CPU here): long enough to be
    # in flight when the signal arrives.
    data = {"grant_type": "password", "username": "alice", "password": seeded["user_password"]}
    answers = []

    def grant():
        answers.append(
            requests.post(
                f"{server.url}/o/token/", data=data, auth=(client["client_id"], client["client_secret"]), timeout=60
            )
        )

    in_flight = threading.Thread(target=grant)
    in_flight.start()
    time.sleep(0.15)
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    in_flight.join(timeout=60)
    assert [r.status_code for r in answers] == [200]
    assert "access_token" in answers[0].json()
    assert server.process.wait(timeout=40) == 0
    assert time.monotonic() - started < 35  # within graceful_timeout
    # The signal did arrive while the request was being served: the master logged it first.
    messages = [(r["logger"], r["message"], r.get("path")) for r in server.log_records()]
    term = messages.index(("gunicorn.error", "Handling signal: term", None))
    served = messages.index(("request", "POST /o/token/ 200", "/o/token/"))
    assert term < served, messages[term - 2 : served + 2]
