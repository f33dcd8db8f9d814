"""SPEC §2, §2.4: every failure limit holds however many attempts arrive at once. An attempt takes its
place in the count before its password or secret is checked, so parallel attempts against a live
server (its threads serve them at once, as gunicorn's processes would) get no more checks than the
limit, and the right password afterwards is refused (issue 16, item 1).

Each check is made slow (0.2 s, as PBKDF2 is) and counted, so the race the limit must win is wide open.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.contrib.auth.backends import ModelBackend

from tests.users.client_side import PASSWORD
from users.models import Application
from users.oauth2 import Validator

pytestmark = pytest.mark.slow
THREADS = 12
PER_PAIR, PER_ADDRESS = 3, 5
WRONG_SECRET = "w" * 64  # shaped like a server-made secret, so it reaches the hasher


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """Every password and client-secret check the server makes, each taking 0.2 s."""
    made: list[str] = []
    authenticate, check_secret = ModelBackend.authenticate, Validator._check_secret

    def slow_authenticate(self, request, username=None, password=None, **kwargs):
        made.append("password")
        time.sleep(0.2)
        return authenticate(self, request, username=username, password=password, **kwargs)

    def slow_check_secret(self, provided_secret, stored_secret):
        made.append("secret")
        time.sleep(0.2)
        return check_secret(self, provided_secret, stored_secret)

    monkeypatch.setattr(ModelBackend, "authenticate", slow_authenticate)
    monkeypatch.setattr(Validator, "_check_secret", slow_check_secret)
    return made


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = PER_PAIR
    settings.LOGIN_FAILURES_PER_ADDRESS = PER_ADDRESS
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = PER_PAIR
    settings.TOKEN_FAILURES_PER_ADDRESS = PER_ADDRESS


def at_once(send) -> list[requests.Response]:
    barrier = threading.Barrier(THREADS)

    def one(_: int) -> requests.Response:
        barrier.wait(timeout=10)
        return send()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(one, range(THREADS)))


def statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


@pytest.mark.parametrize("page", ["/accounts/login/", "/admin/login/"])
def test_parallel_sign_ins_get_no_more_password_checks_than_the_limit(
    transactional_db, live_server, make_user, checks, limits, page
):
    make_user("alice", is_staff=True)
    csrf = requests.get(f"{live_server.url}{page}", timeout=10).cookies["csrftoken"]

    def sign_in(password: str) -> requests.Response:
        data = {"username": "alice", "password": password, "csrfmiddlewaretoken": csrf}
        return requests.post(
            f"{live_server.url}{page}", data=data, cookies={"csrftoken": csrf}, allow_redirects=False, timeout=30
        )

    answered = at_once(lambda: sign_in("wrong"))
    assert statuses(answered) == [200] * PER_PAIR + [429] * (THREADS - PER_PAIR)
    assert checks == ["password"] * PER_PAIR
    assert sign_in(PASSWORD).status_code == 429


def test_parallel_password_grants_get_no_more_password_checks_than_the_limit(
    transactional_db, live_server, make_user, make_application, checks, limits
):
    make_user("alice")
    client = make_application()

    def login(password: str) -> requests.Response:
        data = {"grant_type": "password", "username": "alice", "password": password, "scope": "read"}
        return requests.post(
            f"{live_server.url}/o/token/", data=data, auth=(client.client_id, client.raw_secret), timeout=30
        )

    answered = at_once(lambda: login("wrong"))
    assert statuses(answered) == [400] * PER_PAIR + [429] * (THREADS - PER_PAIR)
    assert checks.count("password") == PER_PAIR
    assert login(PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "path, data",
    [
        ("/o/token/", {"grant_type": "client_credentials"}),
        ("/o/revoke_token/", {"token": "x"}),
        ("/o/introspect/", {"token": "x"}),
    ],
)
def test_parallel_client_authentications_get_no_more_secret_checks_than_the_limit(
    transactional_db, live_server, make_application, checks, limits, path, data
):
    client = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS)

    def authenticate(secret: str) -> requests.Response:
        return requests.post(f"{live_server.url}{path}", data=data, auth=(client.client_id, secret), timeout=30)

    answered = at_once(lambda: authenticate(WRONG_SECRET))
    assert statuses(answered) == [401] * PER_PAIR + [429] * (THREADS - PER_PAIR)
    assert checks == ["secret"] * PER_PAIR
    assert authenticate(client.raw_secret).status_code == 429


def test_successes_give_their_places_back(transactional_db, live_server, make_user, make_application, limits):
    make_user("alice")
    client = make_application()
    data = {"grant_type": "password", "username": "alice", "password": PASSWORD, "scope": "read"}

    def login() -> requests.Response:
        return requests.post(
            f"{live_server.url}/o/token/", data=data, auth=(client.client_id, client.raw_secret), timeout=30
        )

    assert [login().status_code for _ in range(PER_ADDRESS + 2)] == [200] * (PER_ADDRESS + 2)
