"""SPEC §5: unexpected exceptions are masked, logged with a request id, and roll back mutations."""

import json
import logging

import pytest

from schema.errors import json_bytes
from users import services


@pytest.fixture
def broken_email_rule(monkeypatch):
    def explode(viewer, user):
        raise RuntimeError("SELECT secret FROM users_user -- do not leak")

    monkeypatch.setattr("schema.users.can_view_email", explode)


def test_unexpected_exception_is_masked_with_a_request_id(graphql, alice, make_token, broken_email_rule, caplog):
    with caplog.at_level(logging.ERROR, logger="graphql"):
        response = graphql("{ me { username email } }", token=make_token(alice))
    assert response.status == 200
    [error] = response.errors
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    request_id = error["extensions"]["requestId"]
    assert "SELECT" not in str(response.body) and "Traceback" not in str(response.body)
    [record] = [r for r in caplog.records if r.name == "graphql"]
    assert request_id in record.getMessage()
    assert record.exc_info is not None


def test_mutation_failing_midway_changes_nothing(graphql, alice, make_token, monkeypatch):
    real_update = services.update_profile

    def update_then_fail(user, changes):
        real_update(user, changes)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "update_profile", update_then_fail)
    response = graphql(
        'mutation { updateMe(input: {firstName: "Half"}) { errors { code } } }', token=make_token(alice, "write")
    )
    assert response.codes == ["INTERNAL_SERVER_ERROR"]
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_failure_outside_execution_is_a_json_500_without_trace(graphql, alice, make_token, monkeypatch, caplog):
    token = make_token(alice)

    def explode(query):
        raise RuntimeError("parser exploded: /etc/passwd")

    monkeypatch.setattr("schema.operations.prepare", explode)
    with caplog.at_level(logging.ERROR, logger="graphql"):
        response = graphql("{ me { id } }", token=token)
    assert response.status == 500
    assert response.codes == ["INTERNAL_SERVER_ERROR"]
    assert "passwd" not in str(response.body)
    assert response.errors[0]["extensions"]["requestId"] in caplog.text


def test_database_failure_during_authentication_is_a_json_500(graphql, alice, make_token, monkeypatch):
    token = make_token(alice)

    def down(raw_token):
        raise ConnectionError("could not connect to server at 10.0.0.5")

    monkeypatch.setattr("schema.authentication.principal_for_token", down)
    response = graphql("{ me { id } }", token=token)
    assert response.status == 500
    assert response.codes == ["INTERNAL_SERVER_ERROR"]
    assert "10.0.0.5" not in str(response.body)


@pytest.mark.parametrize(
    "case, body",
    [
        ("plain", {"data": {"name": "Zoë"}, "extensions": {"cost": {"nodeCount": 1}}}),
        ("lone surrogate", {"errors": [{"message": "bad \ud800 text"}]}),
        ("integer past 64 bits", {"data": {"n": 2**70}}),
    ],
)
def test_every_body_is_written_as_json(case, body):
    """orjson writes the bodies; what it refuses, the standard library writes (never a 500)."""
    written = json_bytes(body)
    assert json.loads(written) == body
