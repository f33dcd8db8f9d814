"""SPEC §5: the node limit, the per-token hourly budget, and `extensions.cost` on every executed response."""

import pytest
from django.core.cache import cache

USERS_AND_GROUPS = "{ users(first: 50) { edges { node { groups(first: 10) { edges { node { id } } } } } } }"
RATE_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Used",
    "X-RateLimit-Reset",
    "X-RateLimit-Resource",
)


@pytest.fixture(autouse=True)
def fresh_budget():
    cache.clear()


def test_executed_responses_report_cost(graphql, alice, make_token):
    response = graphql(USERS_AND_GROUPS, token=make_token(alice, "read groups"))
    cost = response.body["extensions"]["cost"]
    assert cost["nodeCount"] == 50 + 50 * 10
    assert cost["requestedQueryCost"] == 8  # 550 nodes, 2 reads, and preparing the new document
    assert cost["remaining"] == 5000 - 8
    assert cost["resetAt"].endswith(":00:00Z")


def test_default_page_counts_as_twenty_nodes(graphql, alice, make_token):
    cost = graphql("{ users { totalCount } }", token=make_token(alice)).body["extensions"]["cost"]
    assert (cost["nodeCount"], cost["requestedQueryCost"]) == (20, 3)  # 20 nodes, 3 reads, a new document


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


def test_budget_is_shared_by_every_token_of_a_user(graphql, alice, bob, make_token, settings):
    """SPEC §5: per user, so a refresh (a new token) does not start a fresh budget."""
    settings.GRAPHQL_RATE_BUDGET = 10
    token, refreshed = make_token(alice, "read groups"), make_token(alice, "read groups")
    assert graphql(USERS_AND_GROUPS, token=token).body["extensions"]["cost"]["remaining"] == 2  # 8 points
    assert graphql("{ me { id } }", token=refreshed).body["extensions"]["cost"]["remaining"] == 0  # 2 points
    throttled = graphql(USERS_AND_GROUPS, token=refreshed)
    assert throttled.status == 429
    assert throttled.codes == ["THROTTLED"]
    assert 1 <= int(throttled.headers["Retry-After"]) <= 3600
    assert graphql(USERS_AND_GROUPS, token=make_token(bob, "read groups")).status == 200


def test_client_credentials_tokens_share_their_clients_budget(graphql, make_application, make_token, settings):
    settings.GRAPHQL_RATE_BUDGET = 10
    server, other = make_application(name="server"), make_application(name="other")
    first, second = make_token(None, "read", application=server), make_token(None, "read", application=server)
    # 3 points the first time (the document is new to the process), 1 point after.
    assert graphql("{ users(first: 20) { totalCount } }", token=first).headers["X-RateLimit-Remaining"] == "7"
    assert graphql("{ users(first: 20) { totalCount } }", token=second).headers["X-RateLimit-Remaining"] == "6"
    assert (
        graphql("{ users { totalCount } }", token=make_token(None, "read", application=other)).headers[
            "X-RateLimit-Remaining"
        ]
        == "7"
    )


def test_rate_limit_headers_on_every_response_to_a_valid_token(graphql, alice, make_token, settings):
    settings.GRAPHQL_RATE_BUDGET = 100
    token = make_token(alice, "read groups")
    executed = graphql(USERS_AND_GROUPS, token=token)
    headers = {name: executed.headers[name] for name in RATE_HEADERS}
    assert headers["X-RateLimit-Limit"] == "100"
    assert (headers["X-RateLimit-Used"], headers["X-RateLimit-Remaining"]) == ("8", "92")
    assert headers["X-RateLimit-Resource"] == "graphql"
    assert int(headers["X-RateLimit-Reset"]) % 3600 == 0
    refused = graphql("{ me {", token=token)  # refused before execution: one point (SPEC §5), reported
    assert refused.status == 400
    assert (refused.headers["X-RateLimit-Used"], refused.headers["X-RateLimit-Remaining"]) == ("9", "91")


def test_no_rate_limit_headers_without_a_valid_token(graphql, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = True
    response = graphql("{ __schema { queryType { name } } }")
    assert response.status == 200
    assert not any(name in response.headers for name in RATE_HEADERS)


def test_rate_limit_field_reports_this_request_included(graphql, alice, make_token, settings):
    settings.GRAPHQL_RATE_BUDGET = 50
    token = make_token(alice, "read groups")
    graphql(USERS_AND_GROUPS, token=token)
    response = graphql("{ rateLimit { limit cost remaining used resetAt } users { totalCount } }", token=token)
    assert response.status == 200
    rate = response.data["rateLimit"]
    assert (rate["limit"], rate["cost"], rate["used"], rate["remaining"]) == (50, 3, 11, 39)  # both new: 8 + 3
    assert rate["resetAt"].endswith(":00:00+00:00")
    assert response.headers["X-RateLimit-Remaining"] == "39"


def test_rate_limit_field_needs_no_scope(graphql, alice, make_token):
    response = graphql("{ rateLimit { remaining } }", token=make_token(alice, "write"))
    assert response.status == 200
    assert response.data["rateLimit"]["remaining"] == 4998  # 2 points: a new document


def test_a_refused_request_costs_nothing(graphql, alice, make_token, settings):
    settings.GRAPHQL_RATE_BUDGET = 3
    token = make_token(alice, "read groups")
    assert graphql(USERS_AND_GROUPS, token=token).status == 429
    assert graphql("{ me { id } }", token=token).body["extensions"]["cost"]["remaining"] == 1  # 2 points: new


def test_throttled_requests_run_nothing(graphql, alice, make_token, settings):
    settings.GRAPHQL_RATE_BUDGET = 0
    response = graphql(
        'mutation { updateMe(input: {firstName: "Z"}) { errors { code } } }', token=make_token(alice, "write")
    )
    assert response.status == 429
    alice.refresh_from_db()
    assert alice.first_name == "Alice"
