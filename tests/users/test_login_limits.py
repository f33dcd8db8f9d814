"""SPEC §2.4: only sign-in and sign-out under /accounts/, and failed sign-ins at /accounts/login/ and
/admin/login/ limited together per (username, address) and per address; then 429, even for the right
password."""

import pytest
from django.test import Client

from tests.users.client_side import PASSWORD

PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/done/",
        "/accounts/password_change/",
        "/accounts/password_change/done/",
        "/accounts/signup/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_nothing_but_sign_in_and_sign_out_is_mounted_under_accounts(alice, path, method):
    client = Client()
    client.force_login(alice)
    assert getattr(client, method)(path, {"email": "alice@example.com"}).status_code == 404


def test_sign_out_is_a_post(alice):
    client = Client()
    client.force_login(alice)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code in (200, 302)
    assert "_auth_user_id" not in client.session


def attempt(path="/accounts/login/", username="alice", password="wrong", address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


def fail(times, **kwargs):
    for _ in range(times):
        assert attempt(**kwargs).status_code == 200


def assert_refused(response, window=300):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= window
    page = response.content.decode()
    assert "<title>" in page
    assert f"{response['Retry-After']} seconds" in page
    assert "_auth_user_id" not in response.wsgi_request.session


@pytest.mark.parametrize("path", PAGES)
def test_twenty_failures_for_a_username_from_an_address_refuse_even_the_right_password(make_user, path):
    make_user("alice", is_staff=True)
    fail(20, path=path)
    assert_refused(attempt(path=path, password=PASSWORD))


@pytest.mark.parametrize("path", PAGES)
def test_nineteen_failures_still_let_the_right_password_in(make_user, path):
    make_user("alice", is_staff=True)
    fail(19, path=path)
    assert attempt(path=path, password=PASSWORD).status_code == 302


def test_the_two_login_pages_count_together(make_user):
    make_user("alice", is_staff=True)
    fail(10, path="/accounts/login/")
    fail(10, path="/admin/login/")
    assert_refused(attempt(path="/accounts/login/", password=PASSWORD))
    assert_refused(attempt(path="/admin/login/", password=PASSWORD))


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param("Alice", id="capitalised"),
        pytest.param("ALICE", id="upper-case"),
        pytest.param(" alice ", id="surrounding-spaces"),
        pytest.param("\uff41\uff4c\uff49\uff43\uff45", id="fullwidth-letters"),
    ],
)
def test_spelling_variants_of_a_username_share_its_count(alice, spelling):
    fail(10)
    fail(10, username=spelling)
    assert_refused(attempt(password=PASSWORD))


def test_fifty_failures_from_an_address_refuse_every_username(alice):
    for n in range(50):
        assert attempt(username=f"guess-{n}").status_code == 200
    assert_refused(attempt(password=PASSWORD))


def test_another_address_is_not_refused(alice):
    fail(20)
    assert attempt(password=PASSWORD, address="10.0.0.2").status_code == 302


def test_another_username_from_the_address_is_not_refused(alice, bob):
    fail(20)
    assert attempt(username="bob", password=PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count(alice):
    for _ in range(25):
        assert attempt(password=PASSWORD).status_code == 302
    assert attempt(password=PASSWORD).status_code == 302


def test_limits_and_window_come_from_the_settings(alice, settings):
    settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = 2
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60
    fail(2)
    assert_refused(attempt(password=PASSWORD), window=60)
    fail(1, username="bob")
    assert_refused(attempt(username="carol"), window=60)


def test_the_login_page_still_shows_while_refusing(alice):
    fail(20)
    assert Client(REMOTE_ADDR="10.0.0.1").get("/accounts/login/").status_code == 200


def test_the_address_behind_the_trusted_proxy_is_counted(alice, settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    for _ in range(20):
        Client(REMOTE_ADDR="10.9.9.9").post(
            "/accounts/login/", {"username": "alice", "password": "wrong"}, HTTP_X_FORWARDED_FOR="1.2.3.4"
        )
    refused = Client(REMOTE_ADDR="10.9.9.9").post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert refused.status_code == 429
    other = Client(REMOTE_ADDR="10.9.9.9").post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="5.6.7.8"
    )
    assert other.status_code == 302
