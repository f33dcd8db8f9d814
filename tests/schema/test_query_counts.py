"""No N+1: nested connections load for a whole page at once (SPEC §4, issue: core service)."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from schema.cursors import Order

USERS_WITH_GROUPS = """
query ($n: Int!) {
  users(first: $n) { edges { node { username email groups(first: 10) { totalCount edges { node { name } } } } } }
}
"""


PAST_THE_END = Order.by_primary_key(Group).cursor_of(Group(pk=2**40))


@pytest.fixture
def populated(make_user, group_factory):
    def make(count):
        groups = [group_factory(f"group{g}") for g in range(10)]
        users = [make_user(f"user{n:03}") for n in range(count)]
        for group in groups:
            group.user_set.add(*users)
        return users

    return make


@pytest.mark.parametrize("count", [5, 50])
def test_users_with_groups_is_a_constant_number_of_queries(graphql, populated, make_token, count):
    users = populated(count)
    token = make_token(users[0], "read groups")
    with CaptureQueriesContext(connection) as queries:
        response = graphql(USERS_WITH_GROUPS, token=token, variables={"n": count})
    assert response.status == 200
    edges = response.data["users"]["edges"]
    assert len(edges) == count
    assert all(len(e["node"]["groups"]["edges"]) == 10 for e in edges)
    # token, user page, every page member's groups, one grouped COUNT for their totalCount, and the
    # viewer's permission to see e-mails, once (users.selectors.may_view_all_emails_in_one_query).
    assert len(queries) == 5, [q["sql"] for q in queries]
    assert sum("COUNT(" in q["sql"] for q in queries) == 1
    assert sum('"auth_permission"' in q["sql"] for q in queries) == 1


def test_groups_with_members_is_a_constant_number_of_queries(graphql, populated, make_token):
    users = populated(30)
    token = make_token(users[0], "read groups")
    query = "{ groups(first: 10) { edges { node { name members(first: 30) { edges { node { username } } } } } } }"
    with CaptureQueriesContext(connection) as queries:
        response = graphql(query, token=token)
    assert all(len(e["node"]["members"]["edges"]) == 30 for e in response.data["groups"]["edges"])
    assert len(queries) == 3, [q["sql"] for q in queries]  # token, group page, every page member's members


def test_total_count_runs_a_count_only_when_asked(graphql, populated, make_token):
    users = populated(3)
    token = make_token(users[0], "read")
    with CaptureQueriesContext(connection) as without:
        graphql("{ users(first: 2) { edges { node { username } } } }", token=token)
    with CaptureQueriesContext(connection) as with_count:
        response = graphql("{ users(first: 2) { totalCount edges { node { username } } } }", token=token)
    assert response.data["users"]["totalCount"] == 3
    assert len(with_count) == len(without) + 1
    assert not any("COUNT" in q["sql"] for q in without)


def test_the_next_level_loads_only_for_the_returned_page(graphql, populated, make_token, group_instances):
    users = populated(30)  # 10 groups, everyone in all of them
    token = make_token(users[0], "read groups")
    query = "{ groups(first: 1) { edges { node { members(first: 2) { edges { node { groups(first: 3) { edges { node { name } } } } } } } } } }"
    group_instances.clear()
    with CaptureQueriesContext(connection) as queries:
        response = graphql(query, token=token)
    members = response.data["groups"]["edges"][0]["node"]["members"]["edges"]
    assert [len(m["node"]["groups"]["edges"]) for m in members] == [3, 3]
    assert len(queries) == 4  # token, groups, members, their groups
    # Group rows read: the page of one (and one more), then 3 (and one more) for each of the 2 returned
    # members only, not for all 30 members of the group.
    assert len(group_instances) == 2 + 2 * 4


@pytest.fixture
def group_instances():
    seen = []

    def count(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(count, sender=Group)
    yield seen
    post_init.disconnect(count, sender=Group)


@pytest.mark.parametrize(
    ("case", "page"),
    [("no groups at all", "first: 5"), ("a cursor past the end", f'first: 5, after: "{PAST_THE_END}"')],
)
def test_total_count_of_empty_nested_pages_is_one_query(graphql, make_user, group_factory, make_token, case, page):
    """Parents with nothing in their page still count together, not one COUNT each (an N+1)."""
    users = [make_user(f"lonely{n:02}") for n in range(30)]
    group_factory("only", members=users[:2])
    query = f"{{ users(first: 30) {{ edges {{ node {{ groups({page}) {{ totalCount }} }} }} }} }}"
    token = make_token(users[0], "read groups")
    with CaptureQueriesContext(connection) as queries:
        response = graphql(query, token=token)
    assert response.status == 200
    assert [e["node"]["groups"]["totalCount"] for e in response.data["users"]["edges"]] == [1, 1] + [0] * 28
    # token, user page, the nested pages, one grouped count for the parents with an empty page
    assert len(queries) == 4, [q["sql"] for q in queries]


def test_the_same_object_and_page_asked_by_fifteen_aliases_are_read_once(graphql, populated, make_token):
    users = populated(5)
    token = make_token(users[0], "read groups")
    group_id = to_global_id("Group", Group.objects.get(name="group0").pk)
    aliases = " ".join(
        f"a{i}: group(id: $g) {{ members(first: 2) {{ edges {{ node {{ username }} }} }} }}" for i in range(15)
    )
    with CaptureQueriesContext(connection) as queries:
        response = graphql(f"query ($g: ID!) {{ {aliases} }}", token=token, variables={"g": group_id})
    assert response.status == 200
    assert {len(response.data[f"a{i}"]["members"]["edges"]) for i in range(15)} == {2}
    assert len(queries) == 3, [q["sql"] for q in queries]  # token, the group, its page


def test_each_mutation_reads_what_the_mutations_before_it_changed(graphql, make_user, group_factory, make_token):
    admin = make_user("admin", permissions=["auth.change_group"])
    member = make_user("member")
    group = group_factory("team", members=[admin])
    ids = {"g": to_global_id("Group", group.pk), "u": to_global_id("User", member.pk)}
    page = "group { members { edges { node { username } } } }"
    response = graphql(
        f"mutation ($g: ID!, $u: ID!) {{ before: removeGroupMember(input: {{groupId: $g, userId: $u}}) {{ {page} }}"
        f" added: addGroupMember(input: {{groupId: $g, userId: $u}}) {{ {page} }}"
        f" removed: removeGroupMember(input: {{groupId: $g, userId: $u}}) {{ {page} }} }}",
        token=make_token(admin, "read write groups"),
        variables=ids,
    )
    assert response.status == 200, response.body
    names = {
        key: [e["node"]["username"] for e in response.data[key]["group"]["members"]["edges"]] for key in response.data
    }
    assert names == {"before": ["admin"], "added": ["admin", "member"], "removed": ["admin"]}


def test_me_with_its_email_is_the_token_query_alone(graphql, make_user, make_token):
    """One's own e-mail needs no permission: the permission queries run only for others' e-mails."""
    viewer = make_user("viewer")
    token = make_token(viewer, "read")
    with CaptureQueriesContext(connection) as queries:
        response = graphql("{ me { id username email } }", token=token)
    assert response.data["me"]["email"] == "viewer@example.com"
    assert len(queries) == 1, [q["sql"] for q in queries]
