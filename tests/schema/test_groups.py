"""SPEC §4: `groups`, `group`, `Group.members`, `User.groups` and the group mutations."""

import pytest
from django.contrib.auth.models import Group
from graphql_relay import to_global_id


def test_groups_list_with_search_and_order(graphql, alice, group_factory, make_token):
    for name in ("editors", "readers", "admins"):
        group_factory(name)
    token = make_token(alice, "groups")
    ordered = graphql('{ groups(orderBy: "-name") { totalCount edges { node { name } } } }', token=token)
    assert ordered.data == {
        "groups": {"totalCount": 3, "edges": [{"node": {"name": n}} for n in ("readers", "editors", "admins")]}
    }
    searched = graphql('{ groups(search: "EDIT") { edges { node { name } } } }', token=token)
    assert searched.data == {"groups": {"edges": [{"node": {"name": "editors"}}]}}


def test_group_by_id_with_members(graphql, alice, bob, make_user, group_factory, make_token):
    dormant = make_user("dormant", is_active=False)
    group = group_factory("editors", members=[alice, bob, dormant])
    response = graphql(
        "query ($id: ID!) { group(id: $id) { name members { totalCount edges { node { username } } } } }",
        token=make_token(alice, "groups read"),
        variables={"id": to_global_id("Group", group.pk)},
    )
    assert response.data == {
        "group": {
            "name": "editors",
            "members": {"totalCount": 2, "edges": [{"node": {"username": "alice"}}, {"node": {"username": "bob"}}]},
        }
    }


def test_group_unknown_id_is_not_found(graphql, alice, make_token):
    response = graphql(
        "query ($id: ID!) { group(id: $id) { name } }",
        token=make_token(alice, "groups"),
        variables={"id": to_global_id("Group", 9999)},
    )
    assert response.data == {"group": None}
    assert response.codes == ["NOT_FOUND"]


def test_user_groups_need_the_groups_scope(graphql, alice, group_factory, make_token):
    group_factory("editors", members=[alice])
    query = "{ me { groups { edges { node { name } } } } }"
    allowed = graphql(query, token=make_token(alice, "read groups"))
    assert allowed.data == {"me": {"groups": {"edges": [{"node": {"name": "editors"}}]}}}
    denied = graphql(query, token=make_token(alice, "read"))
    assert denied.data == {"me": {"groups": None}}
    assert denied.codes == ["INSUFFICIENT_SCOPE"]


def test_nested_pages_are_checked_too(graphql, alice, make_token):
    response = graphql("{ me { groups(first: 500) { totalCount } } }", token=make_token(alice, "read groups"))
    assert response.codes == ["BAD_USER_INPUT"]


# --- mutations -------------------------------------------------------------------------------------

CREATE = (
    "mutation ($name: String!) { createGroup(input: {name: $name}) { group { name } errors { field code message } } }"
)
ADD = """mutation ($g: ID!, $u: ID!) { addGroupMember(input: {groupId: $g, userId: $u}) {
  group { name } user { username } errors { field code } } }"""
REMOVE = ADD.replace("addGroupMember", "removeGroupMember")


@pytest.fixture
def editor(make_user):
    return make_user("editor", permissions=["auth.add_group", "auth.change_group"])


def test_create_group(graphql, editor, make_token):
    response = graphql(CREATE, token=make_token(editor, "write groups"), variables={"name": "ops"})
    assert response.data == {"createGroup": {"group": {"name": "ops"}, "errors": []}}
    assert Group.objects.filter(name="ops").count() == 1


@pytest.mark.parametrize(
    ("case", "name", "code"),
    [("duplicate", "taken", "unique"), ("blank", "   ", "blank"), ("too long", "g" * 151, "max_length")],
)
def test_create_group_bad_input_saves_nothing(graphql, editor, group_factory, make_token, case, name, code):
    group_factory("taken")
    response = graphql(CREATE, token=make_token(editor, "write groups"), variables={"name": name})
    payload = response.data["createGroup"]
    assert payload["group"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("name", code)]
    assert Group.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "scopes"), [("no groups scope", "write read"), ("no write scope", "groups read"), ("neither", "read")]
)
def test_create_group_needs_write_and_groups(graphql, editor, make_token, case, scopes):
    response = graphql(CREATE, token=make_token(editor, scopes), variables={"name": "ops"})
    assert response.status == 403
    assert response.codes == ["INSUFFICIENT_SCOPE"]
    assert not Group.objects.exists()


def test_create_group_needs_the_add_group_permission(graphql, alice, make_token):
    response = graphql(CREATE, token=make_token(alice, "write groups"), variables={"name": "ops"})
    assert response.data == {"createGroup": None}
    assert response.codes == ["FORBIDDEN"]
    assert not Group.objects.exists()


def test_add_and_remove_member(graphql, editor, alice, group_factory, make_token):
    group = group_factory("ops")
    token = make_token(editor, "write groups read")
    ids = {"g": to_global_id("Group", group.pk), "u": to_global_id("User", alice.pk)}
    added = graphql(ADD, token=token, variables=ids)
    assert added.data == {"addGroupMember": {"group": {"name": "ops"}, "user": {"username": "alice"}, "errors": []}}
    assert list(group.user_set.values_list("username", flat=True)) == ["alice"]
    removed = graphql(REMOVE, token=token, variables=ids)
    assert removed.data["removeGroupMember"]["errors"] == []
    assert not group.user_set.exists()


@pytest.mark.parametrize(
    ("case", "group_id", "user_id", "fields"),
    [
        ("unknown group", to_global_id("Group", 999), None, ["groupId"]),
        ("unknown user", None, to_global_id("User", 999), ["userId"]),
        ("swapped types", "user-as-group", "group-as-user", ["groupId", "userId"]),
        ("garbage ids", "!!", "??", ["groupId", "userId"]),
    ],
)
def test_membership_with_bad_ids_changes_nothing(
    graphql, editor, alice, group_factory, make_token, case, group_id, user_id, fields
):
    group = group_factory("ops")
    ids = {"g": group_id or to_global_id("Group", group.pk), "u": user_id or to_global_id("User", alice.pk)}
    if case == "swapped types":
        ids = {"g": to_global_id("User", alice.pk), "u": to_global_id("Group", group.pk)}
    response = graphql(ADD, token=make_token(editor, "write groups read"), variables=ids)
    assert [e["field"] for e in response.data["addGroupMember"]["errors"]] == fields
    assert not group.user_set.exists()


def test_membership_needs_the_change_group_permission(graphql, alice, bob, group_factory, make_token):
    group = group_factory("ops")
    ids = {"g": to_global_id("Group", group.pk), "u": to_global_id("User", bob.pk)}
    response = graphql(ADD, token=make_token(alice, "write groups"), variables=ids)
    assert response.codes == ["FORBIDDEN"]
    assert not group.user_set.exists()


def test_create_group_with_nul_characters_saves_nothing(graphql, editor, make_token):
    response = graphql(CREATE, token=make_token(editor, "write groups"), variables={"name": "o\u0000ps"})
    assert [e["code"] for e in response.data["createGroup"]["errors"]] == ["null_characters_not_allowed"]
    assert not Group.objects.exists()


def test_create_group_with_a_lone_surrogate_saves_nothing(graphql, editor, make_token):
    response = graphql(CREATE, token=make_token(editor, "write groups"), variables={"name": "o\ud800ps"})
    assert response.status == 200
    assert [e["code"] for e in response.data["createGroup"]["errors"]] == ["invalid_unicode"]
    assert not Group.objects.exists()
