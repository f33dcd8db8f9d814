"""SPEC §6 and README: the demo seed on a fresh and on an existing database."""

import re
from io import StringIO

from django.core.management import call_command
from django.test import Client

from tests.users.client_side import basic_auth
from users.models import Application


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def secret_of(output: str, name: str) -> tuple[str, str]:
    match = re.search(rf"client {name} .*client_id=(\S+) client_secret=(\S+)", output)
    assert match, output
    return match.groups()


def client_credentials_token(client_id: str, secret: str) -> int:
    response = Client().post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic_auth(client_id, secret)
    )
    return response.status_code


def test_the_demo_spa_may_call_from_its_own_origin(db):
    seed()
    assert Application.objects.get(name="demo-spa").allowed_origins == "http://127.0.0.1:5173"


def test_a_second_run_lists_the_clients_and_new_secrets_brings_working_credentials_back(db):
    first = seed()
    client_id, _ = secret_of(first, "demo-server")
    again = seed()
    assert f"client demo-server (client-credentials, scopes: read groups): client_id={client_id} (secret" in again
    assert "client_secret=" not in again
    assert "http://127.0.0.1:8000/graphql" in again
    renewed = seed("--new-secrets")
    assert secret_of(renewed, "demo-server")[0] == client_id
    assert client_credentials_token(*secret_of(renewed, "demo-server")) == 200
    assert client_credentials_token(*secret_of(first, "demo-server")) == 401  # the old secret is gone


def test_the_demo_spa_documents_are_trusted_so_it_keeps_working_under_only(db, alice, make_token):
    output = seed()
    spa = Application.objects.get(name="demo-spa")
    assert [d.text for d in spa.documents.all()] == ["{ me { username } }"]  # what spa.js sends
    assert f"demo-spa trusted documents (policy any): {spa.documents.get().document_id}" in output
    seed()  # idempotent
    assert spa.documents.count() == 1
    call_command("trusted_documents", "policy", spa.client_id, "only", stdout=StringIO())
    token = make_token(alice, "read", application=spa)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    sent = Client().post("/graphql", {"query": "{ me { username } }"}, content_type="application/json", **headers)
    assert sent.status_code == 200
    other = Client().post("/graphql", {"query": "{ me { email } }"}, content_type="application/json", **headers)
    assert other.status_code == 403
