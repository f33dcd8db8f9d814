"""SPEC §2.7: the device authorization grant (RFC 8628), from the client's first request to its tokens."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_device_grant_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import DEFAULTS as DOT_DEFAULTS
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import set_oauthlib_user_to_device_request_user
from oauthlib.oauth2.rfc8628.grant_types import DeviceCodeGrant

from tests.dpop_keys import DPoPKey
from tests.users.client_side import basic_auth
from users import device_flow
from users.forms import ApplicationForm
from users.models import Application, DPoPBinding

DeviceGrant = get_device_grant_model()
FORM = "application/x-www-form-urlencoded"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"


def device_authorization(data: dict, **headers):
    """RFC 8628 §3.1: a form-urlencoded POST (oauthlib refuses any other body here)."""
    return Client().post("/o/device-authorization/", urlencode(data), content_type=FORM, **headers)


@pytest.fixture
def device_client(make_application):
    return make_application(
        grant=Application.GRANT_DEVICE_CODE, client_type="public", allowed_scopes="read write", name="Terminal"
    )


@pytest.fixture
def start(db):
    def post(application, scope="read", **extra) -> dict:
        response = device_authorization({"client_id": application.client_id, "scope": scope, **extra})
        assert response.status_code == 200, response.content
        return response.json()

    return post


@pytest.fixture
def poll(db):
    def post(application, device_code, **headers):
        return Client().post(
            "/o/token/",
            {"grant_type": GRANT_TYPE, "device_code": device_code, "client_id": application.client_id},
            **headers,
        )

    return post


@pytest.fixture
def no_pace(monkeypatch):
    """Polls are never too soon (the pace has tests of its own)."""
    monkeypatch.setattr(device_flow, "poll_too_soon", lambda device_code: False)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def approve(browser: Client, user_code: str, scopes=("read",), decide="allow"):
    return browser.post("/o/device/", {"user_code": user_code, "granted_scopes": list(scopes), "decide": decide})


# --- the device authorization endpoint ------------------------------------------------------------------


def test_device_authorization_answers_the_codes_and_where_to_type_them(device_client, start):
    body = start(device_client)
    assert set(body) == {
        "device_code",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
        "expires_in",
        "interval",
    }
    assert re.fullmatch(r"[BCDFGHJKMNPQRTVWXY]{4}-[BCDFGHJKMNPQRTVWXY]{4}", body["user_code"])
    assert body["verification_uri"] == "http://testserver/o/device/"
    assert body["verification_uri_complete"] == f"http://testserver/o/device/?user_code={body['user_code']}"
    assert (body["expires_in"], body["interval"]) == (600, 5)
    grant = DeviceGrant.objects.get()
    assert grant.user_code == body["user_code"].replace("-", "")
    assert timedelta(seconds=590) < grant.expires - timezone.now() <= timedelta(seconds=600)


def test_the_user_code_alphabet_has_no_look_alikes():
    assert not set(device_flow.USER_CODE_ALPHABET) & set("0O1IL5S2ZAEU8B"[:-1])
    assert len(device_flow.new_user_code()) == 8


@pytest.mark.parametrize(
    "case, data, status, error",
    [
        ("unknown client", {"client_id": "nobody", "scope": "read"}, 401, "invalid_client"),
        ("no client", {"scope": "read"}, 400, "invalid_request"),
        ("scope the client may not have", {"scope": "groups"}, 400, "invalid_scope"),
        ("unknown scope", {"scope": "admin"}, 400, "invalid_scope"),
    ],
)
def test_device_authorization_errors_are_rfc_6749_json(device_client, case, data, status, error):
    data = {"client_id": device_client.client_id, **data} if "client_id" not in data and case != "no client" else data
    response = device_authorization(data)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == error
    assert not DeviceGrant.objects.exists()


def test_a_client_without_the_device_grant_is_refused(make_application):
    other = make_application(grant=Application.GRANT_AUTHORIZATION_CODE, redirect_uris="https://a.example/cb")
    response = device_authorization({"client_id": other.client_id, "scope": "read"})
    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("unauthorized_client", "invalid_client")
    assert not DeviceGrant.objects.exists()


def test_a_confidential_client_authenticates_with_http_basic(make_application):
    confidential = make_application(grant=Application.GRANT_DEVICE_CODE, allowed_scopes="read")
    auth = basic_auth(confidential.client_id, confidential.raw_secret)
    response = device_authorization({"scope": "read"}, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 200, response.content
    wrong = basic_auth(confidential.client_id, "w" * 64)
    refused = device_authorization({"scope": "read"}, HTTP_AUTHORIZATION=wrong)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"


def test_a_nul_in_the_request_is_a_400(device_client):
    response = device_authorization({"client_id": device_client.client_id, "scope": "re\x00ad"})
    assert response.status_code == 400


# --- the verification page --------------------------------------------------------------------------------


def test_the_page_asks_to_sign_in_first(db):
    response = Client().get("/o/device/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_complete_uri_fills_in_the_code(device_client, start, alice):
    body = start(device_client)
    page = signed_in(alice).get(body["verification_uri_complete"].removeprefix("http://testserver"))
    assert page.status_code == 200
    assert body["user_code"] in page.content.decode()
    assert page["Cache-Control"].count("no-store") == 1


@pytest.mark.parametrize("spelling", [str.lower, lambda code: code.replace("-", ""), lambda code: f" {code} "])
def test_case_and_dash_do_not_matter(device_client, start, alice, spelling):
    body = start(device_client, scope="read write")
    page = signed_in(alice).post("/o/device/", {"user_code": spelling(body["user_code"])})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Authorize Terminal?" in html
    assert html.count('type="checkbox"') == 2
    assert html.count("checked") == 2
    assert page["X-Frame-Options"] == "DENY"
    assert "no-store" in page["Cache-Control"]


def test_a_wrong_code_is_refused_on_the_page(device_client, start, alice):
    start(device_client)
    page = signed_in(alice).post("/o/device/", {"user_code": "BCDF-GHJK"})
    assert page.status_code == 400
    assert "not valid" in page.content.decode()


@pytest.mark.parametrize("typed", ["\x00", "x" * 100, ""])
def test_malformed_codes_are_a_400(alice, typed):
    assert signed_in(alice).post("/o/device/", {"user_code": typed}).status_code == 400


# --- polling ----------------------------------------------------------------------------------------------


def test_from_code_to_tokens(device_client, start, poll, alice, no_pace):
    body = start(device_client, scope="read write")
    pending = poll(device_client, body["device_code"])
    assert pending.status_code == 400
    assert pending.json()["error"] == "authorization_pending"
    assert approve(signed_in(alice), body["user_code"], scopes=["read"]).status_code == 200
    tokens = poll(device_client, body["device_code"])
    assert tokens.status_code == 200, tokens.content
    issued = tokens.json()
    assert issued["scope"] == "read"  # only what was checked
    assert issued["token_type"] == "Bearer"
    assert issued["refresh_token"]
    again = poll(device_client, body["device_code"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"  # a code works once
    refreshed = Client().post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], "client_id": device_client.client_id},
    )
    assert refreshed.status_code == 200, refreshed.content


def test_unchecking_every_scope_is_a_denial(device_client, start, poll, alice, no_pace):
    body = start(device_client)
    done = approve(signed_in(alice), body["user_code"], scopes=[])
    assert "Device refused" in done.content.decode()
    assert poll(device_client, body["device_code"]).json()["error"] == "access_denied"


def test_cancel_is_a_denial(device_client, start, poll, alice, no_pace):
    body = start(device_client)
    approve(signed_in(alice), body["user_code"], decide="deny")
    assert poll(device_client, body["device_code"]).json()["error"] == "access_denied"


def test_an_expired_code_is_expired_token(device_client, start, poll, alice, no_pace):
    body = start(device_client)
    DeviceGrant.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert poll(device_client, body["device_code"]).json()["error"] == "expired_token"
    assert approve(signed_in(alice), body["user_code"]).status_code == 400  # no longer on the page either


@pytest.mark.parametrize("device_code", ["unknown", "x" * 500])
def test_an_unknown_device_code_is_invalid_grant_not_a_500(device_client, poll, device_code):
    response = poll(device_client, device_code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_unknown_device_codes_count_as_failed_logins_at_the_token_endpoint(device_client, poll, settings):
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 2
    assert [poll(device_client, "guess").status_code for _ in range(3)] == [400, 400, 429]


def test_a_device_code_is_for_the_client_it_was_issued_to(device_client, make_application, start, poll, alice, no_pace):
    other = make_application(grant=Application.GRANT_DEVICE_CODE, client_type="public", allowed_scopes="read write")
    body = start(device_client)
    approve(signed_in(alice), body["user_code"])
    assert poll(other, body["device_code"]).json()["error"] == "invalid_grant"
    assert poll(device_client, body["device_code"]).status_code == 200


def test_polling_faster_than_the_interval_is_slow_down_and_the_interval_grows(device_client, start, poll, monkeypatch):
    body = start(device_client)
    assert poll(device_client, body["device_code"]).json()["error"] == "authorization_pending"
    assert poll(device_client, body["device_code"]).json()["error"] == "slow_down"
    assert device_flow.current_interval(body["device_code"]) == 10
    assert poll(device_client, body["device_code"]).json()["error"] == "slow_down"
    assert device_flow.current_interval(body["device_code"]) == 15


def test_the_interval_is_per_device_code(device_client, start, poll):
    first, second = start(device_client), start(device_client)
    poll(device_client, first["device_code"])
    assert poll(device_client, first["device_code"]).json()["error"] == "slow_down"
    assert poll(device_client, second["device_code"]).json()["error"] == "authorization_pending"
    assert device_flow.current_interval(second["device_code"]) == 5


def test_a_poll_with_a_dpop_proof_gets_a_bound_token(device_client, start, poll, alice, no_pace):
    key = DPoPKey()
    body = start(device_client)
    approve(signed_in(alice), body["user_code"])
    jkt = key.jkt
    tokens = poll(device_client, body["device_code"], HTTP_DPOP=key.proof())
    assert tokens.status_code == 200, tokens.content
    assert tokens.json()["token_type"] == "DPoP"
    assert DPoPBinding.objects.filter(jkt=jkt, access_token__isnull=False).count() == 1
    assert DPoPBinding.objects.filter(jkt=jkt, refresh_token__isnull=False).count() == 1  # a public client


def test_a_client_requiring_dpop_must_poll_with_a_proof(device_client, start, poll, alice, no_pace):
    device_client.require_dpop = True
    device_client.save()
    body = start(device_client)
    approve(signed_in(alice), body["user_code"])
    response = poll(device_client, body["device_code"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


# --- who a code belongs to ----------------------------------------------------------------------------------


def test_a_second_person_cannot_use_an_approved_code(device_client, start, poll, alice, bob, no_pace):
    body = start(device_client)
    approve(signed_in(alice), body["user_code"])
    late = approve(signed_in(bob), body["user_code"])
    assert late.status_code == 400
    tokens = poll(device_client, body["device_code"]).json()
    assert get_access_token_model().objects.get().user == alice
    assert tokens["access_token"]


def test_a_code_belongs_to_whoever_decides_first(device_client, start, alice, bob):
    """Both saw the consent page; the one who decides second is told the code is taken."""
    body = start(device_client)
    alice_browser, bob_browser = signed_in(alice), signed_in(bob)
    assert alice_browser.post("/o/device/", {"user_code": body["user_code"]}).status_code == 200
    assert bob_browser.post("/o/device/", {"user_code": body["user_code"]}).status_code == 200
    assert "Device connected" in approve(bob_browser, body["user_code"]).content.decode()
    assert approve(alice_browser, body["user_code"], decide="deny").status_code == 400
    grant = DeviceGrant.objects.get()
    assert (grant.user, grant.status) == (bob, DeviceGrant.AUTHORIZED)


# --- wrong codes are failed sign-ins -------------------------------------------------------------------------


def test_wrong_codes_count_as_failed_sign_ins(device_client, start, alice, settings):
    settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = 3
    body = start(device_client)
    browser = signed_in(alice)
    for _ in range(3):
        assert browser.post("/o/device/", {"user_code": "BCDF-GHJK"}).status_code == 400
    refused = browser.post("/o/device/", {"user_code": body["user_code"]})
    assert refused.status_code == 429
    assert refused["Retry-After"]
    # the same counters as the sign-in page: alice's password is refused too
    login = Client().post("/accounts/login/", {"username": "alice", "password": "correct-horse-battery"})
    assert login.status_code == 429


def test_failed_sign_ins_limit_the_code_page(device_client, start, alice, settings):
    settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = 2
    for _ in range(2):
        Client().post("/accounts/login/", {"username": "alice", "password": "wrong"})
    body = start(device_client)
    assert signed_in(alice).post("/o/device/", {"user_code": body["user_code"]}).status_code == 429


def test_right_codes_do_not_count(device_client, start, alice, settings):
    settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = 1
    browser = signed_in(alice)
    for _ in range(3):
        body = start(device_client)
        assert browser.post("/o/device/", {"user_code": body["user_code"]}).status_code == 200


# --- registration -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("client_type", ["public", "confidential"])
def test_staff_can_register_a_device_client_without_a_redirect_uri(db, client_type):
    form = ApplicationForm(
        data={
            "name": "CLI",
            "client_type": client_type,
            "authorization_grant_type": Application.GRANT_DEVICE_CODE,
            "allowed_scopes": "read",
            "redirect_uris": "",
            "allowed_origins": "",
        }
    )
    assert form.is_valid(), form.errors
    assert "/o/device/" in form.fields["authorization_grant_type"].help_text


# --- what we lean on in DOT 3.4.1 and oauthlib (fails on an upgrade that changes it) ---------------------------


def test_the_device_pieces_of_dot_and_oauthlib_are_as_users_device_flow_reads_them():
    # DOT's pre-token hook raises DoesNotExist for an unknown device_code (a 500): our settings drop it.
    assert DOT_DEFAULTS["OAUTH_PRE_TOKEN_VALIDATION"] == [set_oauthlib_user_to_device_request_user]
    assert oauth2_settings.OAUTH_PRE_TOKEN_VALIDATION == []
    # oauthlib asks the validator for a code's status; DOT 3.4.1 does not answer (ours does).
    assert "validate_device_code" not in vars(OAuth2Validator)
    assert (
        DeviceCodeGrant.DEVICE_CODE_PENDING,
        DeviceCodeGrant.DEVICE_CODE_SLOW_DOWN,
        DeviceCodeGrant.DEVICE_CODE_EXPIRED,
        DeviceCodeGrant.DEVICE_CODE_DENIED,
    ) == ("authorization_pending", "slow_down", "expired_token", "access_denied")
    # The statuses DOT's model stores, which users/device_flow.py filters on.
    assert {value for value, _ in DeviceGrant.DEVICE_FLOW_STATUS} == {
        "authorized",
        "authorization-pending",
        "expired",
        "denied",
    }
