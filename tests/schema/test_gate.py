"""The scope gate: default deny, one gate for every path (node, fragments, aliases, nesting)."""

import graphene
import pytest
from django.test import RequestFactory
from graphql_relay import to_global_id

from schema.authentication import Principal
from schema.errors import Code
from schema.gate import Policy, check, install_gates, public, public_type, scoped, undeclared_fields
from schema.loaders import Loaders
from schema.schema import schema


def test_every_field_of_the_schema_declares_a_scope_policy():
    assert undeclared_fields(schema.graphql_schema) == []


def test_a_field_without_policy_is_found_and_denied():
    class Query(graphene.ObjectType):
        declared = scoped(graphene.String(), "read")
        open = public(graphene.String())
        forgotten = graphene.String()

        def resolve_open(root, info):
            return "hello"

        def resolve_forgotten(root, info):
            return "secret"

    probe = graphene.Schema(query=Query)
    install_gates(probe.graphql_schema)
    assert undeclared_fields(probe.graphql_schema) == ["Query.forgotten"]
    request = RequestFactory().get("/")
    request.principal = Principal(None, None, None, frozenset({"read", "write", "groups"}), object())
    result = probe.execute("{ open forgotten }", context_value=request)
    assert result.data == {"open": "hello", "forgotten": None}
    assert result.errors[0].extensions["code"] == Code.FORBIDDEN


def test_a_filter_argument_without_policy_is_found_and_denied(db):
    from django.contrib.auth.models import Group
    from graphene_django import DjangoObjectType

    from schema.connections import ConnectionField, CountedConnection
    from schema.filters import GroupFilter

    @public_type
    class ProbeGroup(DjangoObjectType):
        class Meta:
            model = Group
            name = "ProbeGroup"
            interfaces = (graphene.relay.Node,)
            connection_class = CountedConnection
            fields = ("name",)

    class Query(graphene.ObjectType):
        declared = scoped(ConnectionField(ProbeGroup, filterset_class=GroupFilter), "read", arguments={"search": []})
        forgotten = scoped(ConnectionField(ProbeGroup, filterset_class=GroupFilter), "read")

    probe = graphene.Schema(query=Query)
    install_gates(probe.graphql_schema)
    assert undeclared_fields(probe.graphql_schema) == [
        "Query.declared(orderBy:)",
        "Query.forgotten(search:)",
        "Query.forgotten(orderBy:)",
    ]
    request = principal_request({"read"})
    result = probe.execute(
        '{ forgotten(search: "a") { totalCount } declared(search: "a") { totalCount } }', context_value=request
    )
    assert result.data == {"forgotten": None, "declared": {"totalCount": 0}}
    assert [e.extensions["code"] for e in result.errors] == [Code.FORBIDDEN]
    assert "`search` argument has no scope policy" in result.errors[0].message


def principal_request(scopes, user=None):
    request = RequestFactory().get("/")
    request.principal = Principal(user, None, None, frozenset(scopes), object())
    request.loaders = Loaders(request)
    return request


@pytest.mark.parametrize(
    ("case", "policy", "scopes", "error"),
    [
        ("public", Policy(), set(), None),
        ("has the scope", Policy(frozenset({"read"})), {"read"}, None),
        ("lacks the scope", Policy(frozenset({"read"})), {"groups"}, Code.INSUFFICIENT_SCOPE),
        ("has one of two", Policy(frozenset({"write", "groups"})), {"write"}, Code.INSUFFICIENT_SCOPE),
        ("needs a user, has none", Policy(frozenset({"read"}), needs_user=True), {"read"}, Code.FORBIDDEN),
    ],
)
def test_check_alone(case, policy, scopes, error):
    request = principal_request(scopes)
    if error is None:
        check(policy, request)
    else:
        with pytest.raises(Exception) as raised:
            check(policy, request)
        assert raised.value.extensions["code"] == error


def test_check_permission_denied_without_the_django_permission(alice):
    policy = Policy(frozenset({"write"}), permission="auth.add_group")
    with pytest.raises(Exception) as raised:
        check(policy, principal_request({"write"}, user=alice))
    assert raised.value.extensions["code"] == Code.FORBIDDEN


def test_check_permission_allowed_with_the_django_permission(make_user):
    editor = make_user("editor", permissions=["auth.add_group"])
    check(Policy(frozenset({"write"}), permission="auth.add_group"), principal_request({"write"}, user=editor))


def test_gated_fields_describe_their_scopes_in_the_schema():
    sdl = str(schema)
    assert '"""Requires scopes: groups."""\n  groups(' in sdl
    assert "Requires scopes: groups, write." in sdl


def test_an_argument_that_needs_more_scopes_says_so_on_the_argument():
    """SPEC §4: `users`' description ends with its scopes; `group`'s (it also needs `groups`) with its own."""
    users = schema.graphql_schema.query_type.fields["users"]
    assert users.description.endswith("Requires scopes: read.")
    assert users.args["group"].description.endswith("Requires scopes: groups, read.")
    assert users.args["search"].description is None


# --- no path around a gate ---------------------------------------------------------------------


def test_node_uses_the_gate_of_the_type_it_resolves_to(graphql, alice, group_factory, make_token):
    group = group_factory("staff", members=[alice])
    query = "query ($id: ID!) { node(id: $id) { id ... on Group { name } } }"
    response = graphql(query, token=make_token(alice, "read"), variables={"id": to_global_id("Group", group.pk)})
    assert response.status == 403
    assert "data" not in response.body  # SPEC §3: a 403 has no data
    assert response.codes == ["INSUFFICIENT_SCOPE"]


def test_node_returns_an_allowed_type(graphql, alice, group_factory, make_token):
    group = group_factory("staff")
    query = "query ($id: ID!) { node(id: $id) { ... on Group { name } } }"
    response = graphql(query, token=make_token(alice, "groups"), variables={"id": to_global_id("Group", group.pk)})
    assert response.data == {"node": {"name": "staff"}}


@pytest.mark.parametrize(
    ("case", "global_id"),
    [
        ("unknown pk", to_global_id("User", 999999)),
        ("not base64", "%%%"),
        ("non-numeric pk", to_global_id("User", "abc")),
        ("unknown type", to_global_id("Secret", 1)),
        ("structural type", to_global_id("PageInfo", 1)),
        ("empty", ""),
    ],
)
def test_node_with_a_bad_id_is_not_found(graphql, alice, make_token, case, global_id):
    response = graphql(
        "query ($id: ID!) { node(id: $id) { id } }", token=make_token(alice), variables={"id": global_id}
    )
    assert response.status == 200
    assert response.data == {"node": None}
    assert response.codes == ["NOT_FOUND"]


def test_aliases_pass_the_same_gate(graphql, alice, make_token):
    response = graphql("{ a: groups { totalCount } b: groups { totalCount } }", token=make_token(alice, "read"))
    assert response.status == 403
    assert sorted(e["path"][0] for e in response.errors) == ["a", "b"]
    assert response.codes == ["INSUFFICIENT_SCOPE", "INSUFFICIENT_SCOPE"]


def test_fragments_pass_the_same_gate(graphql, alice, group_factory, make_token):
    group_factory("staff", members=[alice])
    query = """
        query { me { ...WithGroups } }
        fragment WithGroups on User { username groups { totalCount } }
    """
    response = graphql(query, token=make_token(alice, "read"))
    assert response.status == 200
    assert response.data == {"me": {"username": "alice", "groups": None}}
    assert [e["path"] for e in response.errors] == [["me", "groups"]]


def test_inline_fragments_pass_the_same_gate(graphql, alice, make_token):
    response = graphql("{ me { ... on User { groups { totalCount } } } }", token=make_token(alice, "read"))
    assert response.data == {"me": {"groups": None}}
    assert response.codes == ["INSUFFICIENT_SCOPE"]


def test_nested_members_need_read_as_well_as_groups(graphql, alice, group_factory, make_token):
    group_factory("staff", members=[alice])
    query = "{ groups { edges { node { name members { totalCount } } } } }"
    response = graphql(query, token=make_token(alice, "groups"))
    assert response.status == 200
    assert response.data == {"groups": {"edges": [{"node": {"name": "staff", "members": None}}]}}
    assert response.errors[0]["path"] == ["groups", "edges", 0, "node", "members"]
    assert response.errors[0]["extensions"]["requiredScopes"] == ["groups", "read"]


def test_user_fields_under_a_group_need_read(graphql, alice, group_factory, make_token):
    group_factory("staff", members=[alice])
    query = "{ groups { edges { node { members { edges { node { username } } } } } } }"
    assert graphql(query, token=make_token(alice, "groups read")).status == 200
    assert graphql(query, token=make_token(alice, "groups")).codes == ["INSUFFICIENT_SCOPE"]


def test_typename_always_works(graphql, alice, make_token):
    response = graphql("{ __typename }", token=make_token(alice, ""))
    assert response.status == 200
    assert response.data == {"__typename": "Query"}
