"""SPEC §4: `me`, `user`, `users`, `User` and `updateMe`."""

import pytest
from django.contrib.auth.models import Permission
from graphql_relay import to_global_id

from users.models import User


def test_me_returns_the_token_user(graphql, alice, make_token):
    response = graphql("{ me { id username firstName lastName isStaff dateJoined email } }", token=make_token(alice))
    assert response.status == 200
    me = response.data["me"]
    assert me["id"] == to_global_id("User", alice.pk)
    assert (me["username"], me["firstName"], me["lastName"], me["isStaff"]) == ("alice", "Alice", "Liddell", False)
    assert me["email"] == "alice@example.com"
    assert me["dateJoined"]


def test_user_by_id(graphql, alice, bob, make_token):
    response = graphql(
        "query ($id: ID!) { user(id: $id) { username } }",
        token=make_token(alice),
        variables={"id": to_global_id("User", bob.pk)},
    )
    assert response.data == {"user": {"username": "bob"}}


@pytest.mark.parametrize(
    ("case", "global_id"),
    [("unknown", to_global_id("User", 424242)), ("a group id", to_global_id("Group", 1)), ("garbage", "???")],
)
def test_user_with_unknown_id_is_null_with_not_found(graphql, alice, make_token, case, global_id):
    response = graphql(
        "query ($id: ID!) { user(id: $id) { username } }", token=make_token(alice), variables={"id": global_id}
    )
    assert response.status == 200
    assert response.data == {"user": None}
    assert response.codes == ["NOT_FOUND"]


def test_email_hidden_from_other_users_without_error(graphql, alice, bob, make_token):
    response = graphql(
        "query ($id: ID!) { user(id: $id) { username email } }",
        token=make_token(alice),
        variables={"id": to_global_id("User", bob.pk)},
    )
    assert response.data == {"user": {"username": "bob", "email": None}}
    assert response.errors == []


def test_email_visible_with_view_user_permission(graphql, make_user, bob, make_token):
    viewer = make_user("hr", permissions=["users.view_user"])
    response = graphql(
        "query ($id: ID!) { user(id: $id) { email } }",
        token=make_token(viewer),
        variables={"id": to_global_id("User", bob.pk)},
    )
    assert response.data == {"user": {"email": "bob@example.com"}}


def test_email_hidden_from_client_credentials_tokens(graphql, alice, make_token):
    response = graphql("{ users { edges { node { username email } } } }", token=make_token(None, "read"))
    assert response.data == {"users": {"edges": [{"node": {"username": "alice", "email": None}}]}}


@pytest.fixture
def dormant(make_user):
    return make_user("dormant", is_active=False)


def test_inactive_users_hidden_from_non_staff(graphql, alice, dormant, make_token):
    token = make_token(alice)
    listed = graphql("{ users { totalCount edges { node { username } } } }", token=token)
    assert listed.data == {"users": {"totalCount": 1, "edges": [{"node": {"username": "alice"}}]}}
    by_id = graphql(
        "query ($id: ID!) { user(id: $id) { username } }",
        token=token,
        variables={"id": to_global_id("User", dormant.pk)},
    )
    assert by_id.codes == ["NOT_FOUND"]
    by_node = graphql(
        "query ($id: ID!) { node(id: $id) { id } }", token=token, variables={"id": to_global_id("User", dormant.pk)}
    )
    assert by_node.codes == ["NOT_FOUND"]


def test_inactive_users_visible_to_staff(graphql, make_user, dormant, make_token):
    admin = make_user("admin", is_staff=True)
    token = make_token(admin)
    listed = graphql("{ users { totalCount } }", token=token)
    assert listed.data == {"users": {"totalCount": 2}}
    by_node = graphql(
        "query ($id: ID!) { node(id: $id) { ... on User { username } } }",
        token=token,
        variables={"id": to_global_id("User", dormant.pk)},
    )
    assert by_node.data == {"node": {"username": "dormant"}}


@pytest.fixture
def people(make_user, group_factory):
    users = [
        make_user("anna", first_name="Anna", last_name="Zed", is_staff=True),
        make_user("ben", first_name="Ben", last_name="Young"),
        make_user("cleo", first_name="Cleo", last_name="Annadottir"),
    ]
    group_factory("editors", members=users[:2])
    return users


@pytest.mark.parametrize(
    ("case", "arguments", "expected"),
    [
        ("search username", 'search: "BEN"', ["ben"]),
        ("search first or last name", 'search: "anna"', ["anna", "cleo"]),
        ("staff only", "isStaff: true", ["anna"]),
        ("not staff", "isStaff: false", ["ben", "cleo"]),
        ("by group name", 'group: "editors"', ["anna", "ben"]),
        ("unknown group", 'group: "nobody"', []),
        ("order by username desc", 'orderBy: "-username"', ["cleo", "ben", "anna"]),
        ("order by date joined", 'orderBy: "dateJoined"', ["anna", "ben", "cleo"]),
        ("order by date joined desc", 'orderBy: "-dateJoined"', ["cleo", "ben", "anna"]),
    ],
)
def test_users_filters(graphql, people, make_token, case, arguments, expected):
    token = make_token(people[0], "read groups")
    response = graphql(f"{{ users({arguments}) {{ edges {{ node {{ username }} }} }} }}", token=token)
    assert response.status == 200, response.body
    assert [e["node"]["username"] for e in response.data["users"]["edges"]] == expected


@pytest.mark.parametrize(
    ("case", "query", "variables"),
    [
        ("literal", '{ users(group: "editors") { totalCount } }', None),
        ("variable", "query ($g: String) { users(group: $g) { totalCount } }", {"g": "editors"}),
        ("default", 'query ($g: String = "editors") { users(group: $g) { totalCount } }', None),
        ("alias", '{ a: users(group: "editors") { edges { node { username } } } }', None),
        ("fragment", '{ ...F } fragment F on Query { users(group: "editors") { totalCount } }', None),
        ("inline fragment", '{ ... on Query { users(group: "nobody") { totalCount } } }', None),
    ],
)
def test_group_argument_needs_the_groups_scope(graphql, people, make_token, case, query, variables):
    """SPEC §4: `users(group:)` reveals memberships, so it needs `groups` too, however it is spelled."""
    response = graphql(query, token=make_token(people[0], "read"), variables=variables)
    assert response.status == 403
    assert response.codes == ["INSUFFICIENT_SCOPE"]
    assert response.errors[0]["extensions"]["requiredScopes"] == ["groups", "read"]
    assert response.headers["WWW-Authenticate"] == (
        'Bearer error="insufficient_scope", scope="groups read", '
        'resource_metadata="http://testserver/.well-known/oauth-protected-resource/graphql"'
    )
    assert response.headers["X-Accepted-OAuth-Scopes"] == "groups, read"
    assert "data" not in response.body  # SPEC §3: a 403 has no data


def test_group_argument_denied_beside_an_allowed_field_is_partial(graphql, people, make_token):
    response = graphql('{ me { username } users(group: "editors") { totalCount } }', token=make_token(people[0]))
    assert response.status == 200
    assert response.data == {"me": {"username": "anna"}, "users": None}
    assert response.codes == ["INSUFFICIENT_SCOPE"]
    assert response.errors[0]["path"] == ["users"]


@pytest.mark.parametrize(
    ("case", "query", "variables"),
    [
        ("literal null", "{ users(group: null) { totalCount } }", None),
        ("variable null", "query ($g: String) { users(group: $g) { totalCount } }", {"g": None}),
        ("variable unset", "query ($g: String) { users(group: $g) { totalCount } }", None),
    ],
)
def test_null_group_argument_needs_nothing_more(graphql, people, make_token, case, query, variables):
    response = graphql(query, token=make_token(people[0], "read"), variables=variables)
    assert (response.status, response.data) == (200, {"users": {"totalCount": 3}})
    assert response.headers["X-Accepted-OAuth-Scopes"] == "read"  # the gate asked for nothing more


def test_users_unknown_order_is_a_clear_error(graphql, people, make_token):
    response = graphql('{ users(orderBy: "password") { totalCount } }', token=make_token(people[0]))
    assert response.data == {"users": None}
    assert response.codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("case", "arguments"),
    [("first 0", "first: 0"), ("first 101", "first: 101"), ("last -1", "last: -1"), ("last 1000", "last: 1000")],
)
def test_page_size_out_of_range_is_an_error_not_a_clamp(graphql, alice, make_token, case, arguments):
    response = graphql(f"{{ users({arguments}) {{ totalCount }} }}", token=make_token(alice))
    assert response.data == {"users": None}
    assert response.codes == ["BAD_USER_INPUT"]
    assert "between 1 and 100" in response.errors[0]["message"]


def test_invalid_cursor_is_an_error(graphql, alice, make_token):
    response = graphql('{ users(after: "not-a-cursor") { totalCount } }', token=make_token(alice))
    assert response.codes == ["BAD_USER_INPUT"]


def test_default_page_is_20(graphql, make_user, make_token):
    for n in range(25):
        make_user(f"user{n:02}")
    response = graphql(
        "{ users { totalCount edges { node { username } } pageInfo { hasNextPage endCursor } } }",
        token=make_token(User.objects.first()),
    )
    page = response.data["users"]
    assert (page["totalCount"], len(page["edges"]), page["pageInfo"]["hasNextPage"]) == (25, 20, True)


@pytest.mark.parametrize("count", [6, 7])
def test_cursor_pagination_walks_the_whole_list(graphql, make_user, make_token, count):
    for n in range(count):
        make_user(f"user{n}")
    token = make_token(User.objects.first())
    seen, after = [], None
    while True:
        response = graphql(
            'query ($after: String) { users(first: 3, after: $after, orderBy: "username") {'
            " edges { node { username } } pageInfo { hasNextPage endCursor } } }",
            token=token,
            variables={"after": after},
        )
        page = response.data["users"]
        seen += [e["node"]["username"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"user{n}" for n in range(count)]


def test_connections_take_no_offset_argument(graphql, alice, make_token):
    response = graphql("{ users(offset: 2) { totalCount } }", token=make_token(alice))
    assert response.status == 400
    assert response.codes == ["GRAPHQL_VALIDATION_FAILED"]


# --- updateMe -------------------------------------------------------------------------------------

UPDATE_ME = """
mutation ($input: UpdateMeInput!) {
  updateMe(input: $input) { user { firstName lastName email } errors { field code message } }
}
"""


def test_update_me_changes_the_token_user(graphql, alice, make_token):
    response = graphql(
        UPDATE_ME,
        token=make_token(alice, "read write"),
        variables={"input": {"firstName": "Alicia", "email": "alicia@example.org"}},
    )
    assert response.status == 200
    assert response.data["updateMe"] == {
        "user": {"firstName": "Alicia", "lastName": "Liddell", "email": "alicia@example.org"},
        "errors": [],
    }
    alice.refresh_from_db()
    assert (alice.first_name, alice.email) == ("Alicia", "alicia@example.org")


@pytest.mark.parametrize(
    ("case", "changes", "field", "code"),
    [
        ("invalid email", {"firstName": "Zed", "email": "not-an-email"}, "email", "invalid"),
        ("first name too long", {"firstName": "x" * 151, "lastName": "Ok"}, "firstName", "max_length"),
        ("last name too long", {"lastName": "y" * 151}, "lastName", "max_length"),
    ],
)
def test_update_me_bad_input_saves_nothing(graphql, alice, make_token, case, changes, field, code):
    response = graphql(UPDATE_ME, token=make_token(alice, "read write"), variables={"input": changes})
    assert response.status == 200
    payload = response.data["updateMe"]
    assert len(payload["errors"]) == 1
    assert (payload["errors"][0]["field"], payload["errors"][0]["code"]) == (field, code)
    alice.refresh_from_db()
    assert (alice.first_name, alice.last_name, alice.email) == ("Alice", "Liddell", "alice@example.com")


def test_update_me_with_client_credentials_token_is_forbidden(graphql, make_token):
    response = graphql(UPDATE_ME, token=make_token(None, "read write"), variables={"input": {"firstName": "X"}})
    assert response.data == {"updateMe": None}
    assert response.codes == ["FORBIDDEN"]


def test_update_me_over_get_is_405(graphql, alice, make_token):
    response = graphql(
        UPDATE_ME, token=make_token(alice, "read write"), variables={"input": {"firstName": "X"}}, method="get"
    )
    assert response.status == 405
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_update_me_with_write_only_token_changes_but_cannot_read_back(graphql, alice, make_token):
    response = graphql(UPDATE_ME, token=make_token(alice, "write"), variables={"input": {"firstName": "W"}})
    assert response.data == {"updateMe": {"user": None, "errors": []}}
    assert set(response.codes) == {"INSUFFICIENT_SCOPE"}
    alice.refresh_from_db()
    assert alice.first_name == "W"


def test_email_visible_with_view_user_permission_through_a_group(graphql, make_user, bob, group_factory, make_token):
    viewer = make_user("hr")
    group_factory("hr", members=[viewer]).permissions.add(Permission.objects.get(codename="view_user"))
    response = graphql(
        "query ($id: ID!) { user(id: $id) { email } }",
        token=make_token(viewer),
        variables={"id": to_global_id("User", bob.pk)},
    )
    assert response.data == {"user": {"email": "bob@example.com"}}


def test_update_me_with_nul_characters_saves_nothing(graphql, alice, make_token):
    response = graphql(
        UPDATE_ME, token=make_token(alice, "read write"), variables={"input": {"lastName": "Lid\u0000dell"}}
    )
    assert response.data["updateMe"]["errors"] == [
        {"field": "lastName", "code": "null_characters_not_allowed", "message": "Null characters are not allowed."}
    ]
    alice.refresh_from_db()
    assert alice.last_name == "Liddell"


@pytest.mark.parametrize("field", ["firstName", "lastName", "email"])
@pytest.mark.parametrize("text", ["\ud800", "Lid\udfffdell", "\ud83d"])
def test_update_me_with_a_lone_surrogate_is_a_payload_error_and_saves_nothing(graphql, alice, make_token, field, text):
    """SPEC §4, §5: invalid Unicode in mutation input is a payload error (PostgreSQL answered 500)."""
    input = {"firstName": "Changed", field: text}
    response = graphql(UPDATE_ME, token=make_token(alice, "read write"), variables={"input": input})
    assert response.status == 200
    assert response.data["updateMe"]["errors"] == [
        {
            "field": field,
            "code": "invalid_unicode",
            "message": "The text is not valid Unicode (it holds a lone surrogate).",
        }
    ]
    alice.refresh_from_db()
    assert (alice.first_name, alice.last_name, alice.email) == ("Alice", "Liddell", "alice@example.com")


def test_search_with_nul_characters_is_bad_user_input(graphql, alice, make_token):
    response = graphql('{ users(search: "a\\u0000b") { totalCount } }', token=make_token(alice))
    assert response.codes == ["BAD_USER_INPUT"]


def test_backward_pagination_with_last(graphql, make_user, make_token):
    for n in range(5):
        make_user(f"user{n}")
    response = graphql(
        '{ users(last: 2, orderBy: "username") { totalCount edges { node { username } } pageInfo { hasPreviousPage } } }',
        token=make_token(User.objects.first()),
    )
    page = response.data["users"]
    assert [e["node"]["username"] for e in page["edges"]] == ["user3", "user4"]
    assert (page["totalCount"], page["pageInfo"]["hasPreviousPage"]) == (5, True)
