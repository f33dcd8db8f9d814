"""SPEC §5: the static cost is the largest page each resolver can return, however the page is
spelled, and what a request reads from the database is bounded by that cost."""

import pytest
from django.contrib.auth.models import Group
from django.db.models.signals import post_init

from schema.cursors import Order
from users.models import User

H1 = (
    "query ($f: Int) { users(first: $f, last: 100) { edges { node { groups(first: $f, last: 100) { edges { node {"
    " members(first: $f, last: 100) { edges { node { username } } } } } } } } } }"
)


@pytest.fixture
def crowd(make_user, db):
    """25 users, each a member of each of 25 groups: every page of up to 25 is full."""
    viewer = make_user("viewer")
    users = [viewer, *User.objects.bulk_create(User(username=f"u{i:02}") for i in range(24))]
    groups = Group.objects.bulk_create(Group(name=f"g{i:02}") for i in range(25))
    Through = User.groups.through
    Through.objects.bulk_create(Through(user_id=u.pk, group_id=g.pk) for u in users for g in groups)
    return viewer


def returned_nodes(data) -> int:
    """Connection nodes in a response: every `edges` entry, at any depth."""
    if isinstance(data, dict):
        return sum(
            len(v) + sum(returned_nodes(e) for e in v) if k == "edges" else returned_nodes(v) for k, v in data.items()
        )
    return 0


TWO_LEVELS = (
    "query Q{vars} {{ users{outer} {{ edges {{ node {{ groups{inner} {{ edges {{ node {{ name }} }} }} }} }} }} }}"
)


def cursor_at(model, index: int) -> str:
    """The cursor of the ``index``-th row of a nested or default-ordered list (primary-key order)."""
    return Order.by_primary_key(model).cursor_of(model.objects.order_by("pk")[index])


@pytest.mark.parametrize(
    ("case", "vars", "outer", "inner", "variables", "per_level"),
    [
        ("both absent: the default", "", "", "", None, (20, 20)),
        ("literal first", "", "first: 5", "first: 3", None, (5, 3)),
        ("literal last", "", "last: 7", "last: 2", None, (7, 2)),
        ("first and last: the smaller", "", "first: 3, last: 5", "first: 6, last: 2", None, (3, 2)),
        ("variable", "($n: Int)", "first: $n", "last: $n", {"n": 4}, (4, 4)),
        ("variable unset beside last", "($f: Int)", "first: $f, last: 9", "first: $f, last: 4", None, (9, 4)),
        ("variable null beside last", "($f: Int)", "first: $f, last: 9", "last: 4", {"f": None}, (9, 4)),
        ("variable unset alone: the default", "($f: Int)", "first: $f", "first: $f", {}, (20, 20)),
        ("variable default", "($f: Int = 6)", "first: $f", "first: $f", None, (6, 6)),
        ("variable default overridden by null", "($f: Int = 6)", "first: $f", "last: 2", {"f": None}, (20, 2)),
        ("non-null variable with default", "($f: Int! = 8)", "last: $f", "first: 1", None, (8, 1)),
        ("after a cursor", "", 'first: 5, after: "{user_2}"', "first: 2", None, (5, 2)),
        ("last before a cursor", "", 'last: 4, before: "{user_22}"', 'last: 3, before: "{group_22}"', None, (4, 3)),
        ("first before a cursor", "", 'first: 4, before: "{user_22}"', "first: 5", None, (4, 5)),
    ],
)
def test_cost_is_exactly_what_full_pages_return(
    graphql, crowd, make_token, case, vars, outer, inner, variables, per_level
):
    cursors = {"user_2": cursor_at(User, 2), "user_22": cursor_at(User, 22), "group_22": cursor_at(Group, 22)}
    outer, inner = outer.format(**cursors), inner.format(**cursors)
    query = TWO_LEVELS.format(vars=vars, outer=f"({outer})" if outer else "", inner=f"({inner})" if inner else "")
    response = graphql(query, token=make_token(crowd, "read groups"), variables=variables)
    assert response.status == 200, response.body
    outer_size, inner_size = per_level
    expected = outer_size + outer_size * inner_size
    assert response.body["extensions"]["cost"]["nodeCount"] == expected
    assert returned_nodes(response.data) == expected  # the cost is the page, not a guess about it


@pytest.mark.parametrize(
    ("case", "variables"),
    [("unset", None), ("null", {"f": None}), ("a small page", {"f": 1})],
)
def test_first_variable_cannot_hide_last(graphql, crowd, make_token, case, variables):
    """The review's query: `last: 100` at three levels is 1,010,100 nodes whatever `$f` says."""
    response = graphql(H1, token=make_token(crowd, "read groups"), variables=variables)
    if case == "a small page":  # first: 1 and last: 100 return one node per level
        assert response.status == 200
        assert response.body["extensions"]["cost"]["nodeCount"] == 3
        return
    assert response.status == 400
    assert response.codes == ["QUERY_TOO_COMPLEX"]
    assert response.errors[0]["extensions"]["actual"] == 100 + 100 * 100 + 100 * 100 * 100


def test_refused_page_arguments_cost_nothing_below_them(graphql, crowd, make_token):
    response = graphql(
        "{ users(first: 500) { edges { node { groups(first: 100) { totalCount } } } } }",
        token=make_token(crowd, "read groups"),
    )
    assert response.status == 200
    assert response.codes == ["BAD_USER_INPUT"]
    assert response.body["extensions"]["cost"]["nodeCount"] == 0


@pytest.fixture
def user_instances():
    """Counts User rows turned into objects: what the request read from the database."""
    seen = []

    def count(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(count, sender=User)
    yield seen
    post_init.disconnect(count, sender=User)


@pytest.mark.parametrize(
    ("page", "read"),
    [("first: 1", 2), ("last: 1", 2), ("first: 2, last: 1", 3), ('first: 1, after: "{cursor}"', 2)],
)
def test_nested_page_reads_only_its_rows(graphql, make_user, make_token, user_instances, page, read):
    """SPEC §5: `members(first: 1)` on a big group reads its page's rows (and one more, which tells
    whether there is a next page), not the whole relation."""
    viewer = make_user("viewer")
    group = Group.objects.create(name="big")
    members = User.objects.bulk_create(User(username=f"m{i:04}") for i in range(600))
    group.user_set.add(*members)
    page = page.format(cursor=Order.by_primary_key(User).cursor_of(members[100]))
    aliases = " ".join(f"a{i}: members({page}) {{ edges {{ node {{ username }} }} }}" for i in range(5))
    user_instances.clear()
    response = graphql(f"{{ groups {{ edges {{ node {{ {aliases} }} }} }} }}", token=make_token(viewer, "read groups"))
    assert response.status == 200, response.body
    assert returned_nodes(response.data) == 1 + 5  # one group, one member per alias
    assert len(user_instances) == 1 + read  # the token's user, and one page: the aliases ask the same page
