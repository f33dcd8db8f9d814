"""SPEC §2, RFC 8707: /graphql accepts a token whose audience is unset or names its own resource URL
(the `resource` of its RFC 9728 metadata) and refuses any other as invalid_token (issue 16, item 5)."""

import secrets
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from tests.users.client_side import PASSWORD, basic_auth

AccessToken = get_access_token_model()
OWN = "http://testserver/graphql"  # the test client's origin + /graphql
OTHER = "https://other-api.example/"


@pytest.fixture
def token_for(alice, make_application):
    def make(resource: list[str]) -> str:
        raw = secrets.token_urlsafe(30)
        AccessToken.objects.create(
            user=alice,
            application=make_application(),
            token=raw,
            scope="read",
            expires=timezone.now() + timedelta(minutes=5),
            resource=resource,
        )
        return raw

    return make


@pytest.mark.parametrize(
    "label, resource, status",
    [
        ("unrestricted", [], 200),
        ("this resource", [OWN], 200),
        ("this and another", [OTHER, OWN], 200),
        ("another resource", [OTHER], 401),
        ("this origin's other path", ["http://testserver/api"], 401),
        ("this resource on another origin", ["https://evil.example/graphql"], 401),
    ],
)
def test_graphql_accepts_only_tokens_for_itself(graphql, token_for, label, resource, status):
    response = graphql("{ me { username } }", token=token_for(resource))
    assert response.status == status
    if status == 401:
        assert response.codes == ["INVALID_TOKEN"]
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_the_resource_graphql_accepts_is_the_one_its_metadata_publishes(graphql, token_for):
    published = Client().get("/.well-known/oauth-protected-resource/graphql").json()["resource"]
    assert graphql("{ me { username } }", token=token_for([published])).status == 200


def test_a_token_requested_for_another_resource_is_refused_at_graphql(graphql, alice, make_application):
    client = make_application()
    issued = Client().post(
        "/o/token/",
        {"grant_type": "password", "username": "alice", "password": PASSWORD, "scope": "read", "resource": OTHER},
        HTTP_AUTHORIZATION=basic_auth(client.client_id, client.raw_secret),
    )
    assert issued.status_code == 200, issued.content
    response = graphql("{ me { username } }", token=issued.json()["access_token"])
    assert (response.status, response.codes) == (401, ["INVALID_TOKEN"])
