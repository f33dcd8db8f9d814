"""SPEC §3: how /graphql answers each kind of credential, row by row."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from schema.authentication import principal_for_token
from users.models import User

# RFC 9728 §5.1 (SPEC §2.5): every 401 and 403 challenge names the protected-resource metadata.
RESOURCE_METADATA = ', resource_metadata="http://testserver/.well-known/oauth-protected-resource/graphql"'

ME = "{ me { username } }"


def test_no_authorization_header_is_401_unauthenticated(graphql, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = False
    response = graphql(ME)
    assert response.status == 401
    assert response.codes == ["UNAUTHENTICATED"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="graphql"' + RESOURCE_METADATA


def test_no_authorization_header_is_401_even_with_public_introspection_for_data(graphql, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = True
    response = graphql(ME)
    assert response.status == 401
    assert response.codes == ["UNAUTHENTICATED"]


def test_introspection_without_token_when_public(graphql, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = True
    response = graphql("{ __schema { queryType { name } } }")
    assert response.status == 200
    assert response.data == {"__schema": {"queryType": {"name": "Query"}}}


def test_introspection_without_token_is_401_when_not_public(graphql, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = False
    response = graphql("{ __schema { queryType { name } } }")
    assert response.status == 401
    assert response.codes == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Basic dXNlcjpwYXNz", id="not-bearer"),
        pytest.param("Bearer", id="empty-token"),
        pytest.param("Bearer ", id="blank-token"),
        pytest.param("Bearer abc def", id="two-credentials"),
        pytest.param("Bearer abc, Bearer def", id="two-bearers"),
        pytest.param("Bearer tökén", id="non-ascii"),
        pytest.param("Bearer " + "a" * 1100, id="over-1-KiB"),
        pytest.param("Token abc", id="other-scheme"),
    ],
)
def test_malformed_authorization_header_is_400_invalid_request(graphql, header):
    response = graphql(ME, headers={"HTTP_AUTHORIZATION": header})
    assert response.status == 400
    assert response.codes == ["INVALID_REQUEST"]
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_request"'


def test_token_in_query_string_is_400(db, alice, make_token):
    token = make_token(alice)
    response = Client().get("/graphql", {"query": ME, "access_token": token}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_REQUEST"


def test_token_in_body_is_400(db, alice, make_token):
    token = make_token(alice)
    body = {"query": ME, "access_token": token}
    response = Client().post("/graphql", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_REQUEST"


def test_unknown_token_is_401_invalid_token(graphql):
    response = graphql(ME, token="no-such-token")
    assert response.status == 401
    assert response.codes == ["INVALID_TOKEN"]
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token", error_description="')


def test_expired_token_is_401_invalid_token(graphql, alice, make_token):
    token = make_token(alice, expires_in=-1)
    response = graphql(ME, token=token)
    assert response.status == 401
    assert response.codes == ["INVALID_TOKEN"]


def test_revoked_token_is_refused_on_the_next_request(graphql, alice, make_token):
    token = make_token(alice)
    assert graphql(ME, token=token).status == 200
    get_access_token_model().objects.all().delete()  # what revocation does in DOT
    response = graphql(ME, token=token)
    assert response.status == 401
    assert response.codes == ["INVALID_TOKEN"]


def refused_token(kind: str, alice, make_token) -> str:
    if kind == "unknown":
        return "never-issued"
    if kind == "expired":
        return make_token(alice, expires_in=-5)
    token = make_token(alice)
    if kind == "revoked":
        get_access_token_model().objects.all().delete()  # what RFC 7009 revocation does in DOT
    if kind == "deactivated user":
        alice.is_active = False
        alice.save()
    return token


@pytest.mark.parametrize("kind", ["expired", "revoked", "deactivated user"])
def test_unknown_expired_revoked_and_deactivated_are_indistinguishable(graphql, alice, make_token, kind):
    """SPEC §3: one answer for every token that does not work, so a caller learns nothing from it."""
    unknown = graphql(ME, token="never-issued")
    refused = graphql(ME, token=refused_token(kind, alice, make_token))
    assert (refused.status, refused.codes) == (401, ["INVALID_TOKEN"])
    assert refused.body == unknown.body
    assert refused.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"]


def test_narrowing_a_client_narrows_its_live_tokens(graphql, alice, make_application, make_token):
    """SPEC §2, §3: the effective scopes are the grant cut down to what the client is allowed now."""
    client = make_application(allowed_scopes="read groups")
    token = make_token(alice, "read groups", application=client)
    assert graphql("{ me { groups { totalCount } } }", token=token).data == {"me": {"groups": {"totalCount": 0}}}
    client.allowed_scopes = "read"
    client.save()
    response = graphql("{ me { username groups { totalCount } } }", token=token)
    assert response.headers["X-OAuth-Scopes"] == "read"
    assert response.data == {"me": {"username": "alice", "groups": None}}
    assert response.codes == ["INSUFFICIENT_SCOPE"]
    assert response.errors[0]["extensions"]["grantedScopes"] == ["read"]
    client.allowed_scopes = "groups"
    client.save()
    assert graphql(ME, token=token).status == 403  # `read` is gone from the token too


def test_narrowing_a_client_costs_no_extra_query(
    graphql, alice, make_application, make_token, django_assert_num_queries
):
    token = make_token(alice, "read groups", application=make_application(allowed_scopes="read"))
    with django_assert_num_queries(1):
        assert graphql(ME, token=token).headers["X-OAuth-Scopes"] == "read"


def test_every_root_field_denied_is_403_insufficient_scope(graphql, alice, make_token):
    response = graphql("{ groups { totalCount } }", token=make_token(alice, "read"))
    assert response.status == 403
    assert response.codes == ["INSUFFICIENT_SCOPE"]
    assert (
        response.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="groups"' + RESOURCE_METADATA
    )
    assert "data" not in response.body


def test_mutation_without_write_is_403(graphql, alice, make_token):
    response = graphql('mutation { updateMe(input: {firstName: "Eve"}) { user { id } } }', token=make_token(alice))
    assert response.status == 403
    assert response.codes == ["INSUFFICIENT_SCOPE"]
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_some_fields_denied_is_200_with_partial_data(graphql, alice, make_token):
    response = graphql("{ me { username } groups { totalCount } }", token=make_token(alice, "read"))
    assert response.status == 200
    assert response.data == {"me": {"username": "alice"}, "groups": None}
    assert len(response.errors) == 1
    error = response.errors[0]
    assert error["path"] == ["groups"]
    assert error["message"] == "This field requires the 'groups' scope; the token has: read."
    assert error["extensions"] == {
        "code": "INSUFFICIENT_SCOPE",
        "requiredScopes": ["groups"],
        "grantedScopes": ["read"],
    }


def test_valid_token_responses_carry_scope_headers(graphql, alice, make_token):
    response = graphql("{ me { username groups { totalCount } } }", token=make_token(alice, "read groups write"))
    assert response.headers["X-OAuth-Scopes"] == "groups, read, write"
    assert response.headers["X-Accepted-OAuth-Scopes"] == "groups, read"
    assert "Authorization" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"


def test_scope_headers_also_on_error_responses_with_a_valid_token(graphql, alice, make_token):
    response = graphql("{ groups { totalCount } }", token=make_token(alice, "read"))
    assert response.status == 403
    assert response.headers["X-OAuth-Scopes"] == "read"
    assert response.headers["X-Accepted-OAuth-Scopes"] == "groups"


def test_session_cookie_does_not_authenticate_graphql(db, alice, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = False
    client = Client()
    client.force_login(alice)
    response = client.post("/graphql", {"query": ME}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_bearer_token_wins_over_session_user(db, alice, bob, make_token):
    client = Client()
    client.force_login(bob)
    response = client.post(
        "/graphql", {"query": ME}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {make_token(alice)}"
    )
    assert response.json()["data"] == {"me": {"username": "alice"}}


def test_one_sql_query_authenticates_a_request(graphql, alice, make_token, django_assert_num_queries):
    token = make_token(alice)
    with django_assert_num_queries(1):
        response = graphql("{ me { username } }", token=token)
    assert response.data == {"me": {"username": "alice"}}


def test_client_credentials_token_has_no_user(graphql, make_token):
    response = graphql("{ me { username } }", token=make_token(None, "read"))
    assert response.status == 200
    assert response.data == {"me": None}
    assert response.codes == ["FORBIDDEN"]
    assert "no user" in response.errors[0]["message"]


def test_expiry_is_checked_at_request_time(graphql, alice, make_token):
    token = make_token(alice)
    get_access_token_model().objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert graphql(ME, token=token).codes == ["INVALID_TOKEN"]


def test_a_post_needs_no_csrf_token_as_sessions_do_not_authenticate(alice, make_token):
    """No cookie carries authority on /graphql (SPEC §3), so Django's CSRF check does not apply."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/graphql",
        json.dumps({"query": "{ me { username } }"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {make_token(alice, 'read')}",
    )
    assert response.status_code == 200
    assert json.loads(response.content)["data"] == {"me": {"username": "alice"}}


def test_the_tokens_user_is_read_as_the_orm_reads_it(alice, make_token):
    """The lookup reads its row with a cursor: every field converted as the ORM converts it."""
    User.objects.filter(pk=alice.pk).update(last_login=timezone.now(), is_staff=True)
    principal = principal_for_token(make_token(alice, "read"))
    expected = User.objects.get(pk=alice.pk)
    fields = [field.attname for field in User._meta.concrete_fields]
    assert [getattr(principal.user, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert principal.user.is_staff is True and principal.user.last_login.tzinfo is not None
    assert (principal.user._state.adding, principal.user._state.db) == (False, "default")


@pytest.mark.parametrize(
    ("case", "query"),
    [
        ("a list", "{ groups { totalCount } }"),
        ("two fields, both denied", '{ groups { totalCount } group(id: "R3JvdXA6MQ==") { name } }'),
        ("through a fragment", "{ ...Q } fragment Q on Query { groups { totalCount } }"),
        ("node of a type the token may not see", '{ node(id: "R3JvdXA6MQ==") { id } }'),
        ("a mutation without write", 'mutation { updateMe(input: {firstName: "Eve"}) { user { id } } }'),
    ],
)
def test_a_403_is_decided_before_anything_runs(graphql, alice, make_token, case, query):
    """SPEC §3: every root field denied by scope is a 403, raised where it is decided (the gate depends on
    the token and the arguments only): no resolver runs, no SQL but the token's lookup."""
    token = make_token(alice, "read")
    with CaptureQueriesContext(connection) as queries:
        response = graphql(query, token=token)
    assert response.status == 403, response.body
    assert set(response.codes) == {"INSUFFICIENT_SCOPE"}
    assert all(error["path"] and error["locations"] for error in response.errors)
    assert "data" not in response.body
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_a_skipped_denied_field_is_left_to_execution(graphql, alice, make_token):
    query = "query ($on: Boolean!) { me { username } groups @include(if: $on) { totalCount } }"
    response = graphql(query, token=make_token(alice, "read"), variables={"on": False})
    assert (response.status, response.data) == (200, {"me": {"username": "alice"}})
