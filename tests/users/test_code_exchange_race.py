"""SPEC §2: an authorization code works once, also when its exchanges race (RFC 6749 §4.1.2). The live
server's threads each have their own database connection, as gunicorn's processes would."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.test import Client
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from tests.users.client_side import REDIRECT_URI, pkce_pair, query_of
from users.models import Application

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
THREADS = 6


@pytest.mark.slow
def test_racing_exchanges_of_one_code_yield_at_most_one_pair_and_no_error(
    transactional_db, live_server, make_user, make_application
):
    alice = make_user("alice")
    client = make_application(
        grant=Application.GRANT_AUTHORIZATION_CODE, redirect_uris=REDIRECT_URI, allowed_scopes="read"
    )
    browser = Client()
    browser.force_login(alice)
    verifier, challenge = pkce_pair()
    params = {
        "client_id": client.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "read",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "granted_scopes": "read",
        "allow": "Authorize",
    }
    code = query_of(browser.post("/o/authorize/", params)["Location"])["code"]
    barrier = threading.Barrier(THREADS)

    def exchange(_: int) -> requests.Response:
        barrier.wait(timeout=10)
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        }
        return requests.post(
            f"{live_server.url}/o/token/", data=data, auth=(client.client_id, client.raw_secret), timeout=30
        )

    with ThreadPoolExecutor(THREADS) as pool:
        responses = list(pool.map(exchange, range(THREADS)))

    bodies = [f"{r.status_code} {r.text[:120]}" for r in responses]
    assert all(r.status_code in (200, 400) for r in responses), bodies
    assert sum(r.status_code == 200 for r in responses) <= 1, bodies
    assert all(r.json()["error"] == "invalid_grant" for r in responses if r.status_code == 400), bodies
    # The code was presented more than once: whatever it issued is revoked.
    assert AccessToken.objects.count() == 0, bodies
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 0, bodies
