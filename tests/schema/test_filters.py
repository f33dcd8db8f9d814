"""Lists without filter arguments skip the FilterSet (schema/filters.py): the same query as with it."""

import pytest
from django.contrib.auth.models import Group

from schema.filters import GroupFilter, UserFilter
from users.selectors import users_visible_to


@pytest.mark.parametrize(
    "case, filterset, queryset",
    [
        ("users", UserFilter, lambda: users_visible_to(None)),
        ("users, ordered", UserFilter, lambda: users_visible_to(None).order_by("-date_joined")),
        ("groups", GroupFilter, lambda: Group.objects.all()),
        ("a manager", GroupFilter, lambda: Group.objects),
    ],
)
def test_no_filter_argument_is_the_filtersets_own_result(db, case, filterset, queryset):
    built = filterset(data={}, queryset=queryset())
    assert built.is_valid()
    assert str(filterset.unfiltered(queryset()).query) == str(built.qs.query)


def test_a_list_without_filter_arguments_reads_the_same_rows(graphql, make_user, make_token):
    users = [make_user(f"user{n}") for n in range(3)]
    token = make_token(users[0], "read")
    unfiltered = graphql("{ users(first: 2) { edges { node { username } } } }", token=token)
    searched = graphql('{ users(first: 2, search: "user") { edges { node { username } } } }', token=token)
    assert unfiltered.data == searched.data
    assert [e["node"]["username"] for e in unfiltered.data["users"]["edges"]] == ["user0", "user1"]


@pytest.mark.parametrize("order", ["-dateJoined,username", "username,dateJoined", "username,username"])
def test_order_by_takes_one_order(graphql, alice, make_token, order):
    """SPEC §4: one of username, -username, dateJoined, -dateJoined; a list would sort by a combination
    no index serves (the whole table sorted for one page)."""
    response = graphql(f'{{ users(first: 1, orderBy: "{order}") {{ totalCount }} }}', token=make_token(alice))
    assert response.codes == ["BAD_USER_INPUT"]
    assert "takes one order" in response.errors[0]["message"]
