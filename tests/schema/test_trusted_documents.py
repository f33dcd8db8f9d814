"""SPEC §8 on /graphql: requests by id (POST, GET, Apollo's extension), text and id together, each
client's own documents, the three policies, parsing once, and the log line's `document_id`."""

import hashlib
import json
import logging

import pytest
from django.test import Client

from schema import documents, limits
from schema.trusted_documents import vet
from tests.conftest import RECOMMENDED_ACCEPT
from users.builtin_clients import GRAPHIQL_CLIENT_ID
from users.models import Application, DocumentSighting, TrustedDocument
from users.trusted_documents import Candidate, add_documents, remove_documents, set_policy

ME = "query Me { me { username } }"
USERS = "query Users($first: Int) { users(first: $first) { edges { node { username } } } }"
RENAME = 'mutation Rename { updateMe(input: {firstName: "Al"}) { user { firstName } } }'
UNTRUSTED = "query Other { me { firstName } }"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def trust(application: Application, *texts: str) -> None:
    vetted, problems = vet([Candidate(digest(t), t, t) for t in texts], application.allowed_scope_set)
    assert problems == []
    add_documents(application, vetted)


@pytest.fixture
def app(make_application):
    application = make_application(name="mobile")
    trust(application, ME, USERS, RENAME)
    return application


@pytest.fixture
def token(alice, make_token, app):
    return make_token(alice, "read write", application=app)


def send(body: dict | None = None, token=None, method="post", params=None, accept=RECOMMENDED_ACCEPT):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if method == "get":
        response = Client().get("/graphql", params, **headers)
    else:
        response = Client().post("/graphql", json.dumps(body), content_type="application/json", **headers)
    return response, json.loads(response.content)


def codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


# --- A request may name a trusted document instead of sending its text ----------------------------


def test_post_with_document_id_runs_the_trusted_document(token):
    response, body = send({"documentId": f"sha256:{digest(ME)}"}, token)
    assert response.status_code == 200
    assert body["data"] == {"me": {"username": "alice"}}


def test_document_id_takes_variables_and_its_cost_follows_them(token, bob):
    small = send({"documentId": f"sha256:{digest(USERS)}", "variables": {"first": 1}}, token)[1]
    large = send({"documentId": f"sha256:{digest(USERS)}", "variables": {"first": 100}}, token)[1]
    assert len(small["data"]["users"]["edges"]) == 1
    assert small["extensions"]["cost"]["nodeCount"] == 1
    assert large["extensions"]["cost"]["nodeCount"] == 100


def test_get_with_document_id_runs_a_query(token):
    response, body = send(token=token, method="get", params={"documentId": f"sha256:{digest(ME)}"})
    assert response.status_code == 200
    assert body["data"] == {"me": {"username": "alice"}}


def test_get_with_document_id_of_a_mutation_is_405(token):
    response, body = send(token=token, method="get", params={"documentId": f"sha256:{digest(RENAME)}"})
    assert response.status_code == 405
    assert codes(body) == ["METHOD_NOT_ALLOWED"]


def test_post_with_document_id_runs_a_mutation(token, alice):
    response, body = send({"documentId": f"sha256:{digest(RENAME)}"}, token)
    assert body["data"] == {"updateMe": {"user": {"firstName": "Al"}}}


def test_apollo_persisted_query_extension_runs_the_trusted_document(token):
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest(ME)}}
    response, body = send({"extensions": extensions, "operationName": "Me"}, token)
    assert response.status_code == 200
    assert body["data"] == {"me": {"username": "alice"}}


def test_apollo_persisted_query_extension_by_get(token):
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest(ME)}})
    response, body = send(token=token, method="get", params={"extensions": extensions, "operationName": "Me"})
    assert response.status_code == 200
    assert body["data"] == {"me": {"username": "alice"}}


@pytest.mark.parametrize(
    ("label", "accept", "status"),
    [("graphql-response+json", RECOMMENDED_ACCEPT, 400), ("legacy json", "application/json", 200)],
)
def test_unknown_id_is_a_request_error_persisted_query_not_found(token, label, accept, status):
    response, body = send({"documentId": f"sha256:{digest('{ me { id } }')}"}, token, accept=accept)
    assert response.status_code == status
    assert codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert "data" not in body


def test_apollo_hash_alone_unknown_is_persisted_query_not_found(token):
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest(UNTRUSTED)}}
    response, body = send({"extensions": extensions}, token)
    assert response.status_code == 400
    assert codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_another_clients_document_id_is_not_found(app, alice, make_token, make_application):
    other = make_token(alice, "read write", application=make_application(name="web"))
    response, body = send({"documentId": f"sha256:{digest(ME)}"}, other)
    assert response.status_code == 400
    assert codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_document_id_without_a_token_is_refused(app, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = True
    response, body = send({"documentId": f"sha256:{digest(ME)}"})
    assert response.status_code == 400
    assert codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    ("label", "body"),
    [
        ("no prefix", {"documentId": digest(ME)}),
        ("upper case", {"documentId": f"sha256:{digest(ME).upper()}"}),
        ("not a string", {"documentId": 7}),
        ("persisted query version 2", {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": digest(ME)}}}),
        ("persisted query without hash", {"extensions": {"persistedQuery": {"version": 1}}}),
        (
            "documentId and persistedQuery disagree",
            {
                "documentId": f"sha256:{digest(ME)}",
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest(USERS)}},
            },
        ),
    ],
)
def test_malformed_document_ids_are_bad_requests(token, label, body):
    response, answer = send(body, token)
    assert response.status_code == 400
    assert codes(answer) == ["BAD_REQUEST"]


def test_text_and_id_that_disagree_are_a_bad_request(token):
    response, body = send({"query": UNTRUSTED, "documentId": f"sha256:{digest(ME)}"}, token)
    assert response.status_code == 400
    assert codes(body) == ["BAD_REQUEST"]
    assert "hashes to" in body["errors"][0]["message"]


def test_text_and_apollo_hash_that_agree_run_as_the_text_and_register_nothing(token, app):
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest(UNTRUSTED)}}
    response, body = send({"query": UNTRUSTED, "extensions": extensions}, token)
    assert response.status_code == 200
    assert body["data"] == {"me": {"firstName": "Alice"}}
    assert not TrustedDocument.objects.filter(sha256=digest(UNTRUSTED)).exists()
    again = send({"extensions": extensions}, token)[1]
    assert codes(again) == ["PERSISTED_QUERY_NOT_FOUND"]


# --- Policies ---------------------------------------------------------------------------------------


def test_policy_any_is_the_default_and_runs_any_text(token, app):
    assert app.trusted_documents == "any"
    response, body = send({"query": UNTRUSTED}, token)
    assert body["data"] == {"me": {"firstName": "Alice"}}
    assert DocumentSighting.objects.count() == 0


def test_the_builtin_graphiql_client_is_any(db):
    assert Application.objects.get(client_id=GRAPHIQL_CLIENT_ID).trusted_documents == "any"


def test_policy_audit_records_untrusted_text_per_client_and_hash(token, app):
    set_policy(app, "audit")
    for _ in range(3):
        assert send({"query": UNTRUSTED}, token)[0].status_code == 200
    send({"query": "{ me { lastName } }"}, token)
    send({"query": ME}, token)  # trusted, as text
    send({"documentId": f"sha256:{digest(ME)}"}, token)  # trusted, by id
    rows = {row.sha256: row for row in DocumentSighting.objects.filter(application=app)}
    assert set(rows) == {digest(UNTRUSTED), digest("{ me { lastName } }")}
    assert rows[digest(UNTRUSTED)].count == 3
    assert rows[digest(UNTRUSTED)].operation_name == "Other"
    assert rows[digest(UNTRUSTED)].first_seen <= rows[digest(UNTRUSTED)].last_seen


def test_policy_audit_records_documents_that_do_not_parse_too(token, app):
    set_policy(app, "audit")
    response, body = send({"query": "query Broken {"}, token)
    assert codes(body) == ["GRAPHQL_PARSE_FAILED"]
    assert DocumentSighting.objects.get(application=app).operation_name == "Broken"


def remaining(response) -> int:
    return int(response["X-RateLimit-Remaining"])


@pytest.mark.parametrize(
    ("label", "query"),
    [
        ("an untrusted query", UNTRUSTED),
        ("text that does not parse", "query {"),
        ("introspection", "{ __schema { queryType { name } } }"),
        ("__typename", "{ __typename }"),
    ],
)
def test_policy_only_refuses_anything_else_403_before_parsing_and_charges_nothing(token, app, label, query):
    set_policy(app, "only")
    before = remaining(send({"documentId": f"sha256:{digest(ME)}"}, token)[0])
    response, body = send({"query": query}, token)
    assert response.status_code == 403
    assert codes(body) == ["PERSISTED_QUERY_NOT_ALLOWED"]
    assert "data" not in body
    assert remaining(response) == before


def test_policy_only_refusal_is_403_for_legacy_clients_too(token, app):
    set_policy(app, "only")
    response, body = send({"query": UNTRUSTED}, token, accept="application/json")
    assert response.status_code == 403
    assert codes(body) == ["PERSISTED_QUERY_NOT_ALLOWED"]


def test_policy_only_runs_trusted_documents_by_id_and_as_their_exact_text(token, app):
    set_policy(app, "only")
    by_id = send({"documentId": f"sha256:{digest(ME)}"}, token)
    by_text = send({"query": ME}, token)
    assert by_id[1]["data"] == by_text[1]["data"] == {"me": {"username": "alice"}}
    respaced = send({"query": ME + " "}, token)
    assert respaced[0].status_code == 403


def test_policy_only_with_an_unknown_id_is_not_found(token, app):
    set_policy(app, "only")
    response, body = send({"documentId": f"sha256:{digest(UNTRUSTED)}"}, token)
    assert codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]


# --- Changes apply on the next request; compiled once --------------------------------------------


def test_policy_change_applies_on_the_next_request(token, app):
    assert send({"query": UNTRUSTED}, token)[0].status_code == 200
    set_policy(app, "only")
    assert send({"query": UNTRUSTED}, token)[0].status_code == 403
    set_policy(app, "any")
    assert send({"query": UNTRUSTED}, token)[0].status_code == 200


def test_documents_change_applies_on_the_next_request(token, app):
    document_id = f"sha256:{digest(ME)}"
    assert send({"documentId": document_id}, token)[0].status_code == 200
    remove_documents(app, [digest(ME)])
    assert codes(send({"documentId": document_id}, token)[1]) == ["PERSISTED_QUERY_NOT_FOUND"]
    trust(app, ME)
    assert send({"documentId": document_id}, token)[0].status_code == 200


def test_a_request_by_id_neither_parses_nor_validates(token, app, monkeypatch):
    send({"documentId": f"sha256:{digest(USERS)}", "variables": {"first": 2}}, token)  # first use in this process
    documents.DOCUMENTS.clear()

    def refuse(*args, **kwargs):
        raise AssertionError("parsed or validated per request")

    monkeypatch.setattr(limits, "parse", refuse)
    monkeypatch.setattr(documents, "validate", refuse)
    for first in (1, 3):
        response, body = send({"documentId": f"sha256:{digest(USERS)}", "variables": {"first": first}}, token)
        assert response.status_code == 200, body
        assert body["extensions"]["cost"]["nodeCount"] == first


def test_log_line_names_the_document_id_it_ran(token, caplog):
    with caplog.at_level(logging.INFO, logger="request"):
        send({"documentId": f"sha256:{digest(ME)}"}, token)
        send({"query": ME}, token)
        send({"query": UNTRUSTED}, token)
    lines = [r for r in caplog.records if r.name == "request"]
    assert [r.document_id for r in lines] == [f"sha256:{digest(ME)}", f"sha256:{digest(ME)}", None]
