"""The benchmark's hand-written prefetch view is a fair yardstick: it answers exactly the `data` /graphql
answers for the list workload, with the same token authentication, visibility rules and query count."""

import json

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from bench.views import prefetch_users
from bench.workloads import USERS


def prefetch(token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return prefetch_users(RequestFactory().get("/bench/prefetch-users", **headers))


@pytest.fixture
def viewer_token(make_user, group_factory, make_token):
    """A viewer without users.view_user (so others' emails are hidden), an inactive user, groups out of order."""
    viewer = make_user("viewer")
    bob = make_user("bob")
    make_user("carol")
    make_user("gone", is_active=False)
    group_factory("zeta", [viewer, bob])
    group_factory("alpha", [bob])
    return make_token(viewer, scopes="read groups")


def test_the_same_data_as_graphql(graphql, viewer_token):
    expected = graphql(USERS, token=viewer_token)
    answer = json.loads(prefetch(viewer_token).content)
    assert expected.status == 200 and expected.errors == []
    assert answer == {"data": expected.data}
    emails = [edge["node"]["email"] for edge in answer["data"]["users"]["edges"]]
    assert emails == ["viewer@example.com", None, None]  # the rules are exercised, not vacuous


def test_the_same_queries_as_graphql_but_the_permission(graphql, viewer_token):
    """Token, users, their groups and the viewer's permission: the same work in the database, except that
    the view asks the permission as hand-written Django does (has_perm: ModelBackend's two queries) and
    /graphql in one (users.selectors.may_view_all_emails_in_one_query, issue 21)."""
    captures = []
    for ask in (lambda: graphql(USERS, token=viewer_token), lambda: prefetch(viewer_token)):
        ask()  # the second request shows the steady state (e.g. the cached document)
        with CaptureQueriesContext(connection) as captured:
            ask()
        captures.append([query["sql"] for query in captured])
    graphql_queries, view_queries = captures
    assert len(graphql_queries) == len(view_queries) - 1 == 4
    assert [sum('"auth_permission"' in sql for sql in queries) for queries in captures] == [1, 2]


@pytest.mark.parametrize(
    ("label", "token", "status"),
    [("no token", None, 401), ("an unknown token", "nope", 401)],
)
def test_refused_as_graphql_refuses(db, label, token, status):
    assert prefetch(token).status_code == status


def test_a_token_without_the_groups_scope_is_refused(make_user, make_token):
    assert prefetch(make_token(make_user("viewer"), scopes="read")).status_code == 403
