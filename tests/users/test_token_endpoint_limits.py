"""Failed logins at /o/token/ are limited per client and per address (429 with Retry-After), and client
secrets use the fast hasher only because the server makes them long and random."""

import base64

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from project import settings as project_settings
from users.models import Application


def token_request(client_id, secret, address="10.0.0.1", **data):
    auth = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return Client(REMOTE_ADDR=address).post(
        "/o/token/", {"grant_type": "client_credentials", **data}, HTTP_AUTHORIZATION=auth
    )


@pytest.fixture
def server(make_application):
    return make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes="read")


def test_failed_client_authentications_are_limited_per_client_and_address(server, settings):
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 3
    for _ in range(3):
        assert token_request(server.client_id, "x" * 64, address="10.0.0.1").status_code == 401
    refused = token_request(server.client_id, server.raw_secret, address="10.0.0.1")
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    assert 1 <= int(refused["Retry-After"]) <= settings.TOKEN_FAILURE_WINDOW_SECONDS


def test_failures_from_other_addresses_cannot_lock_a_client_out(server, settings):
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 3
    for n in range(10):
        assert token_request(server.client_id, "x" * 64, address=f"10.0.1.{n}").status_code == 401
    assert token_request(server.client_id, server.raw_secret, address="10.0.0.99").status_code == 200


def test_the_address_comes_from_the_trusted_proxy_header(server, settings):
    settings.TOKEN_FAILURES_PER_ADDRESS = 1
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    behind = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert behind.post("/o/token/", {"grant_type": "client_credentials"}).status_code == 401
    other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.8")
    auth = "Basic " + base64.b64encode(f"{server.client_id}:{server.raw_secret}".encode()).decode()
    assert other.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=auth).status_code == 200


def test_failed_logins_are_limited_per_address(make_application, settings):
    settings.TOKEN_FAILURES_PER_ADDRESS = 2
    clients = [make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, name=f"c{n}") for n in range(3)]
    assert token_request(clients[0].client_id, "y" * 64).status_code == 401
    assert token_request(clients[1].client_id, "y" * 64).status_code == 401
    assert token_request(clients[2].client_id, clients[2].raw_secret).status_code == 429
    assert token_request(clients[2].client_id, clients[2].raw_secret, address="10.9.9.9").status_code == 200


def test_wrong_user_passwords_count_as_failures(make_application, alice, settings):
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 2
    client = make_application(grant=Application.GRANT_PASSWORD)
    for _ in range(2):
        response = token_request(
            client.client_id, client.raw_secret, grant_type="password", username="alice", password="nope"
        )
        assert response.status_code == 400
    blocked = token_request(
        client.client_id, client.raw_secret, grant_type="password", username="alice", password="correct-horse-battery"
    )
    assert blocked.status_code == 429


def test_successes_do_not_count(server, settings):
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 1
    for _ in range(3):
        assert token_request(server.client_id, server.raw_secret).status_code == 200


def test_client_secrets_are_stored_with_the_client_secret_hasher(server):
    assert identify_hasher(server.client_secret).algorithm == "client_secret_sha256"
    assert server.raw_secret not in server.client_secret


def test_user_passwords_keep_djangos_default_hasher(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert identify_hasher(make_password("a user's password")).algorithm == "pbkdf2_sha256"


def test_a_short_secret_is_refused_without_hashing(make_application):
    weak = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS)
    Application.objects.filter(pk=weak.pk).update(client_secret=make_password("short", hasher="client_secret_sha256"))
    assert token_request(weak.client_id, "short").status_code == 401


def test_an_admin_cannot_set_a_short_secret(server):
    server.client_secret = "hunter2"
    with pytest.raises(ValidationError) as raised:
        server.full_clean()
    assert "client_secret" in raised.value.message_dict


def test_device_code_grant_without_device_code_is_a_json_400_not_a_500(server):
    response = token_request(
        server.client_id, server.raw_secret, grant_type="urn:ietf:params:oauth:grant-type:device_code"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "unauthorized_client"  # a client-credentials client


def test_client_credentials_token_costs_two_queries(server):
    with CaptureQueriesContext(connection) as captured:
        assert token_request(server.client_id, server.raw_secret).status_code == 200
    statements = [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == 2, statements  # the client, the new token


def test_a_public_client_cannot_use_the_password_grant(make_application, alice):
    public = make_application(grant=Application.GRANT_PASSWORD, client_type="public")
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "password",
            "username": "alice",
            "password": "correct-horse-battery",
            "client_id": public.client_id,
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize("grant", [Application.GRANT_PASSWORD, Application.GRANT_CLIENT_CREDENTIALS])
def test_public_clients_cannot_be_registered_for_secret_grants(make_application, grant):
    application = make_application(grant=grant, client_type="public")
    with pytest.raises(ValidationError) as raised:
        application.full_clean()
    assert "client_type" in raised.value.message_dict


def test_too_many_form_fields_is_a_json_400(server):
    data = {f"f{i}": "1" for i in range(1200)}
    response = token_request(server.client_id, server.raw_secret, **data)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def b64(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


def non_canonical(encoded: str) -> str:
    """The same bytes with the unused low bits of the last character set (RFC 4648 §3.5 says zero)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    data = encoded.rstrip("=")
    assert encoded.endswith("=="), "needs a last quantum with 4 unused bits"
    return data[:-1] + alphabet[alphabet.index(data[-1]) | 0b1111] + "=="


# Every way a client may spell its credentials that decodes to (client id, secret). The secret's length
# (65) leaves a last base64 quantum with unused bits and padding to play with.
SPELLINGS = {
    "canonical": lambda cid, secret: {"HTTP_AUTHORIZATION": "Basic " + b64(f"{cid}:{secret}")},
    "lower-case-scheme": lambda cid, secret: {"HTTP_AUTHORIZATION": "basic " + b64(f"{cid}:{secret}")},
    "upper-case-scheme": lambda cid, secret: {"HTTP_AUTHORIZATION": "BASIC " + b64(f"{cid}:{secret}")},
    "unpadded": lambda cid, secret: {"HTTP_AUTHORIZATION": "Basic " + b64(f"{cid}:{secret}").rstrip("=")},
    "over-padded": lambda cid, secret: {"HTTP_AUTHORIZATION": "Basic " + b64(f"{cid}:{secret}") + "=="},
    "non-canonical-bits": lambda cid, secret: {"HTTP_AUTHORIZATION": "Basic " + non_canonical(b64(f"{cid}:{secret}"))},
    "percent-encoded-id": lambda cid, secret: {
        "HTTP_AUTHORIZATION": "Basic " + b64("".join(f"%{ord(c):02X}" for c in cid) + f":{secret}")
    },
    "plus-and-spaces": lambda cid, secret: {"HTTP_AUTHORIZATION": "Basic   " + b64(f"{cid}:{secret}") + " "},
    "in-the-body": lambda cid, secret: {"client_id": cid, "client_secret": secret},
}


def spelled(spelling: str, client_id: str, secret: str, address="10.0.0.1", **data):
    """A client-credentials request with the credentials in ``spelling``; returns the response."""
    parts = SPELLINGS[spelling](client_id, secret)
    headers = {k: v for k, v in parts.items() if k.startswith("HTTP_")}
    body = {"grant_type": "client_credentials", **{k: v for k, v in parts.items() if k not in headers}, **data}
    return Client(REMOTE_ADDR=address).post("/o/token/", body, **headers)


@pytest.fixture
def secret_65(make_application):
    """A client whose secret is 65 characters long (see SPELLINGS)."""
    application = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes="read")
    application.raw_secret = "s" * 65
    application.client_secret = application.raw_secret
    application.save()
    return application


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_every_spelling_of_the_credentials_authenticates(secret_65, spelling):
    response = spelled(spelling, secret_65.client_id, secret_65.raw_secret)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_failures_count_against_the_decoded_client_however_spelled(secret_65, settings, spelling):
    """Issue 7 item 12: the limit keyed the raw header, so a spelling only DOT decoded escaped it."""
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 2
    for _ in range(2):
        assert spelled(spelling, secret_65.client_id, "w" * 65).status_code == 401
    refused = token_request(secret_65.client_id, secret_65.raw_secret)  # the canonical spelling
    assert refused.status_code == 429
    assert token_request(secret_65.client_id, secret_65.raw_secret, address="10.0.0.2").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(lambda cid, s: "Basic " + b64(f"{cid}:{s}")[:8] + "!" + b64(f"{cid}:{s}")[8:], id="junk-char"),
        pytest.param(lambda cid, s: "Basic " + b64(f"{cid}:{s}")[:8] + "\t" + b64(f"{cid}:{s}")[8:], id="tab-inside"),
        pytest.param(lambda cid, s: "Basic " + b64(f"{cid}:{s}")[:-3], id="truncated"),
    ],
)
def test_spellings_that_only_a_lenient_decoder_reads_authenticate_nobody(secret_65, settings, header):
    """DOT's decoder skips characters outside base64's alphabet (and authenticated such headers); ours
    refuses them, so no spelling authenticates without counting against its client."""
    settings.TOKEN_FAILURES_PER_ADDRESS = 2
    auth = header(secret_65.client_id, secret_65.raw_secret)
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(2):
        response = client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=auth)
        assert response.status_code == 401
        assert response.json() == {"error": "invalid_client"}
    assert token_request(secret_65.client_id, secret_65.raw_secret).status_code == 429  # the address's limit


@pytest.mark.parametrize(
    ("data", "counted"),
    [
        pytest.param({"grant_type": "password", "username": "alice", "password": "nope"}, True, id="wrong-password"),
        pytest.param({"grant_type": "password", "username": "nobody", "password": "x"}, True, id="unknown-user"),
        pytest.param({"grant_type": "refresh_token", "refresh_token": "no-such-token"}, False, id="unknown-refresh"),
        pytest.param({"grant_type": "password", "username": "alice"}, False, id="missing-password"),
        pytest.param(
            {"grant_type": "password", "username": "alice", "password": "correct-horse-battery", "scope": "bogus"},
            False,
            id="bad-scope",
        ),
    ],
)
def test_only_failed_logins_count(make_application, alice, settings, data, counted):
    """The validator says which answers were failed logins (issue 8 item 4); other errors cost nothing."""
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 1
    client = make_application(grant=Application.GRANT_PASSWORD)
    assert token_request(client.client_id, client.raw_secret, **data).status_code == 400
    after = token_request(
        client.client_id, client.raw_secret, grant_type="password", username="alice", password="correct-horse-battery"
    )
    assert after.status_code == (429 if counted else 200)


ENDPOINTS = {
    "token": ("/o/token/", {"grant_type": "client_credentials"}),
    "revocation": ("/o/revoke_token/", {"token": "anything"}),
    "introspection": ("/o/introspect/", {"token": "anything"}),
}


@pytest.mark.parametrize("failing_at", list(ENDPOINTS))
@pytest.mark.parametrize("refused_at", list(ENDPOINTS))
def test_failed_client_secrets_count_at_every_endpoint_that_checks_them(server, settings, failing_at, refused_at):
    """SPEC §2: revocation and introspection check client secrets too, so they share the failure limit:
    a secret cannot be guessed at one endpoint while another refuses the address."""
    settings.TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = 2
    path, data = ENDPOINTS[failing_at]
    wrong = "Basic " + base64.b64encode(f"{server.client_id}:{'x' * 64}".encode()).decode()
    for _ in range(2):
        assert Client(REMOTE_ADDR="10.0.0.5").post(path, data, HTTP_AUTHORIZATION=wrong).status_code == 401
    path, data = ENDPOINTS[refused_at]
    right = "Basic " + base64.b64encode(f"{server.client_id}:{server.raw_secret}".encode()).decode()
    refused = Client(REMOTE_ADDR="10.0.0.5").post(path, data, HTTP_AUTHORIZATION=right)
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    assert 1 <= int(refused["Retry-After"]) <= settings.TOKEN_FAILURE_WINDOW_SECONDS
