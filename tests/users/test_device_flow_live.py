"""SPEC §2.7 against a live server: wrong codes limited under concurrency (SPEC §2), two people racing for
one code, and the README's command-line client signing in and running a query."""

import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.users.client_side import PASSWORD
from users import device_flow
from users.models import Application

pytestmark = pytest.mark.slow
THREADS = 12
PER_USER, PER_ADDRESS = 3, 5
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def device_client(make_application):
    return make_application(grant=Application.GRANT_DEVICE_CODE, client_type="public", allowed_scopes="read")


def start(server: str, client) -> dict:
    response = requests.post(
        f"{server}/o/device-authorization/", data={"client_id": client.client_id, "scope": "read"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def signed_in(server: str, username: str) -> requests.Session:
    """A person's browser, signed in at /accounts/login/."""
    browser = requests.Session()
    csrf = browser.get(f"{server}/accounts/login/", timeout=10).cookies["csrftoken"]
    signed = browser.post(
        f"{server}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        allow_redirects=False,
        timeout=10,
    )
    assert signed.status_code == 302
    return browser


def type_code(browser: requests.Session, server: str, user_code: str, **decision) -> requests.Response:
    data = {"user_code": user_code, "csrfmiddlewaretoken": browser.cookies["csrftoken"], **decision}
    return browser.post(f"{server}/o/device/", data=data, headers={"Referer": f"{server}/o/device/"}, timeout=30)


def at_once(send, count: int = THREADS) -> list:
    barrier = threading.Barrier(count)

    def one(index: int):
        barrier.wait(timeout=10)
        return send(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_parallel_wrong_codes_get_no_more_lookups_than_the_limit(
    transactional_db, live_server, alice, device_client, settings, monkeypatch
):
    settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = PER_USER
    settings.LOGIN_FAILURES_PER_ADDRESS = PER_ADDRESS
    lookups: list[str] = []
    pending = device_flow.pending

    def slow_pending(user_code):
        lookups.append(user_code)
        time.sleep(0.2)
        return pending(user_code)

    monkeypatch.setattr(device_flow, "pending", slow_pending)
    browser = signed_in(live_server.url, "alice")
    right = start(live_server.url, device_client)["user_code"]
    answered = at_once(lambda _: type_code(browser, live_server.url, "BCDF-GHJK"))
    assert sorted(r.status_code for r in answered) == [400] * PER_USER + [429] * (THREADS - PER_USER)
    assert len(lookups) == PER_USER
    assert type_code(browser, live_server.url, right).status_code == 429  # even the right code


def test_two_people_racing_for_one_code_one_wins(transactional_db, live_server, alice, bob, device_client):
    code = start(live_server.url, device_client)["user_code"]
    browsers = [signed_in(live_server.url, "alice"), signed_in(live_server.url, "bob")]
    for browser in browsers:  # both see the consent page
        assert type_code(browser, live_server.url, code).status_code == 200
    answered = at_once(
        lambda index: type_code(browsers[index], live_server.url, code, granted_scopes="read", decide="allow"), 2
    )
    statuses = sorted(r.status_code for r in answered)
    assert statuses in ([200, 400], [200, 409])  # the loser: code taken (its lookup, or its claim, came second)
    winner = "alice" if answered[0].status_code == 200 else "bob"
    grant = device_flow.DeviceGrant.objects.get()
    assert grant.user.username == winner
    assert grant.status == grant.AUTHORIZED


def readme_client() -> str:
    section = README.read_text().split("## Sign in from a command-line tool", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readmes_command_line_client_signs_in_and_runs_a_query(
    transactional_db, live_server, alice, device_client, tmp_path
):
    script = tmp_path / "cli.py"
    script.write_text(readme_client())
    env = {"API": live_server.url, "CLIENT_ID": device_client.client_id, "PATH": "/usr/bin:/bin"}
    cli = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    try:
        first = cli.stdout.readline()
        shown = re.search(r"Open (\S+) and type (\S+)", first)
        assert shown, first
        assert shown.group(1) == f"{live_server.url}/o/device/"
        browser = signed_in(live_server.url, "alice")
        approved = type_code(browser, live_server.url, shown.group(2), granted_scopes="read", decide="allow")
        assert "Device connected" in approved.text
        out, err = cli.communicate(timeout=60)
    finally:
        cli.kill()
    assert cli.returncode == 0, err
    assert "{'data': {'me': {'username': 'alice'}}" in out
