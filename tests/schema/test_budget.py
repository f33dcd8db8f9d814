"""SPEC §5: the node limit, the per-token hourly budget, and `extensions.cost` on every executed response."""

import pytest
from django.core.cache import cache

USERS_AND_GROUPS = "{ users(first: 50) { edges { node { groups(first: 10) { totalCount } } } } }"


@pytest.fixture(autouse=True)
def fresh_budget():
    cache.clear()


def test_executed_responses_report_cost(graphql, alice, make_token):
    response = graphql(USERS_AND_GROUPS, token=make_token(alice, "read groups"))
    cost = response.body["extensions"]["cost"]
    assert cost["nodeCount"] == 50 + 50 * 10
    assert cost["requestedQueryCost"] == 6
    assert cost["remaining"] == 5000 - 6
    assert cost["resetAt"].endswith(":00:00Z")


def test_default_page_counts_as_twenty_nodes(graphql, alice, make_token):
    cost = graphql("{ users { totalCount } }", token=make_token(alice)).body["extensions"]["cost"]
    assert (cost["nodeCount"], cost["requestedQueryCost"]) == (20, 1)


def test_cost_follows_variables_and_fragments(graphql, alice, make_token):
    query = """
      query ($n: Int!) { users(first: $n) { edges { node { ...G } } } }
      fragment G on User { groups(last: 3) { totalCount } }
    """
    cost = graphql(query, token=make_token(alice, "read groups"), variables={"n": 7}).body["extensions"]["cost"]
    assert cost["nodeCount"] == 7 + 7 * 3


def test_over_the_node_limit_is_400_with_cost_and_limit(graphql, alice, make_token):
    query = "{ users(first: 100) { edges { node { groups(first: 100) { edges { node { members(first: 2) { totalCount } } } } } } } }"
    response = graphql(query, token=make_token(alice, "read groups"))
    assert response.status == 400
    assert response.codes == ["QUERY_TOO_COMPLEX"]
    assert response.errors[0]["message"].startswith("The operation could return 30100 nodes; the limit is 10000.")


def test_budget_is_spent_per_token(graphql, alice, make_token, settings):
    settings.GRAPHQL_RATE_BUDGET = 10
    token, other = make_token(alice, "read groups"), make_token(alice, "read groups")
    assert graphql(USERS_AND_GROUPS, token=token).body["extensions"]["cost"]["remaining"] == 4
    assert graphql("{ me { id } }", token=token).body["extensions"]["cost"]["remaining"] == 3
    throttled = graphql(USERS_AND_GROUPS, token=token)
    assert throttled.status == 429
    assert throttled.codes == ["THROTTLED"]
    assert 1 <= int(throttled.headers["Retry-After"]) <= 3600
    assert graphql(USERS_AND_GROUPS, token=other).status == 200


def test_a_refused_request_costs_nothing(graphql, alice, make_token, settings):
    settings.GRAPHQL_RATE_BUDGET = 3
    token = make_token(alice, "read groups")
    assert graphql(USERS_AND_GROUPS, token=token).status == 429
    assert graphql("{ me { id } }", token=token).body["extensions"]["cost"]["remaining"] == 2


def test_throttled_requests_run_nothing(graphql, alice, make_token, settings):
    settings.GRAPHQL_RATE_BUDGET = 0
    response = graphql(
        'mutation { updateMe(input: {firstName: "Z"}) { errors { code } } }', token=make_token(alice, "write")
    )
    assert response.status == 429
    alice.refresh_from_db()
    assert alice.first_name == "Alice"
