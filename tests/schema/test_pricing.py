"""SPEC §5, cost bounds work: what a request is charged follows what it makes the server do
(schema/pricing.py): nodes, reads (one statement each, however many parents), and the text of a
document this process has not prepared before."""

import pytest

from schema import documents
from schema.pricing import (
    CHARS_PER_UNIT,
    COUNT_READS,
    FREE_CHARS,
    FREE_TOKENS,
    PREPARE_UNITS,
    READ_WEIGHT,
    TOKEN_UNITS,
    UNITS_PER_POINT,
    query_cost,
    refusal_cost,
    text_units,
    tokens,
)


def cost_of(graphql, token, query, variables=None):
    response = graphql(query, token=token, variables=variables)
    assert response.status == 200, response.body
    return response.body["extensions"]["cost"]


@pytest.mark.parametrize(
    ("case", "query", "nodes", "reads"),
    [
        ("a page", "{ users(first: 50) { edges { node { id } } } }", 50, 1),
        ("a page and its count", "{ users(first: 50) { totalCount edges { node { id } } } }", 50, 1 + COUNT_READS),
        (
            "nested pages: one read per level",
            "{ users(first: 10) { edges { node { groups(first: 5) { edges { node { id } } } } } } }",
            60,
            2,
        ),
        (
            "aliases of one page read once",
            "{ a: users(first: 5) { totalCount } b: users(first: 5) { totalCount } }",
            10,
            1 + COUNT_READS,
        ),
        (
            "different pages read apart",
            "{ a: users(first: 5) { totalCount } b: users(first: 6) { totalCount } }",
            11,
            2 * (1 + COUNT_READS),
        ),
        ("a lookup by id", '{ user(id: "VXNlcjox") { id } }', 0, 1),
        ("the token's user costs no read", "{ me { id } }", 0, 0),
        ("a filter: a FilterSet to build", '{ users(first: 5, orderBy: "username") { edges { cursor } } }', 5, 1 + 3),
        (
            "a filter and its count",
            '{ users(first: 5, orderBy: "username") { totalCount } }',
            5,
            (1 + COUNT_READS) * (1 + 3),
        ),
        ("a search scans the table", '{ users(first: 5, search: "a") { edges { node { id } } } }', 5, 1 + 3 + 8),
        (
            "a search and its count",
            '{ groups(first: 5, search: "a") { totalCount } }',
            5,
            (1 + COUNT_READS) * (1 + 3 + 8),
        ),
        ("the schema, described", "{ __schema { queryType { name } } }", 0, 20),
        ("a type, described", '{ __type(name: "User") { name } }', 0, 1),
    ],
)
def test_reads_are_priced(graphql, alice, make_token, case, query, nodes, reads):
    cost = cost_of(graphql, make_token(alice, "read groups"), query)
    assert cost["nodeCount"] == nodes
    aliases = query.count(": users(") + query.count(": group(")  # each aliased field: ALIAS_UNITS
    assert cost["requestedQueryCost"] == query_cost(nodes, reads, query, aliases=aliases)  # new to the process


def test_fifteen_different_pages_cost_more_than_one(graphql, alice, make_token, group_factory):
    group = group_factory("g", members=[alice])
    from graphql_relay import to_global_id

    pages = " ".join(f"p{i}: members(first: {i + 1}) {{ totalCount }}" for i in range(15))
    query = f"query ($g: ID!) {{ group(id: $g) {{ {pages} }} }}"
    cost = cost_of(graphql, make_token(alice, "read groups"), query, {"g": to_global_id("Group", group.pk)})
    reads, aliases = 1 + 15 * (1 + COUNT_READS), 15
    assert cost["requestedQueryCost"] == query_cost(sum(range(1, 16)), reads, query, aliases=aliases)
    assert cost["requestedQueryCost"] > 7


def test_a_long_document_pays_for_its_text_once_per_process(graphql, alice, make_token):
    documents.DOCUMENTS.clear()
    token = make_token(alice)
    query = "{ me { id " + " ".join(["username"] * 20) + " } }" + " " * 1000
    first = cost_of(graphql, token, query)["requestedQueryCost"]
    again = cost_of(graphql, token, query)["requestedQueryCost"]
    assert first == query_cost(0, 0, query) > 1
    assert again == 1


def test_a_refused_long_document_costs_more_than_a_point(graphql, alice, make_token):
    token = make_token(alice)
    used = int(graphql("{ me { id } }", token=token).headers["X-RateLimit-Used"])
    query = "{ me { " + " ".join(["id"] * 990) + " } }"  # refused: `id` more than 30 times
    refused = graphql(query, token=token)
    assert refused.status == 400
    assert int(refused.headers["X-RateLimit-Used"]) == used + refusal_cost(query)


def test_a_new_document_pays_for_its_preparation_once_per_process(graphql, alice, make_token):
    """Preparing `{ me { id } }` (parse, limits, validation, analysis, plan) costs more than running it."""
    token = make_token(alice)
    first = cost_of(graphql, token, "{ me { id } }")["requestedQueryCost"]
    again = cost_of(graphql, token, "{ me { id } }")["requestedQueryCost"]
    assert (first, again) == (query_cost(0, 0, "{ me { id } }"), query_cost(0, 0)) == (2, 1)
    assert PREPARE_UNITS > UNITS_PER_POINT


def test_the_text_price_starts_past_the_free_characters():
    assert text_units("x" * FREE_CHARS) == 0  # one token
    assert text_units("x" * (FREE_CHARS + 300)) == int(300 / CHARS_PER_UNIT)
    assert query_cost(0, 4) == 1 and query_cost(0, 5) == 2 and READ_WEIGHT == 25


@pytest.mark.parametrize(
    ("case", "text", "count"),
    [
        ("names and punctuators", "query ($g: ID!) { a0: node(id: $g) { id } }", 22),
        ("a comment is no token", "{ a b # c d e\n }", 4),
        ("a string is one token", '{ a(s: "x { y } z") }', 8),
        ("a block string is one token", '{ a(s: """x "y" { z }""") }', 8),
        ("numbers and spreads", "{ a(n: -1.5e3) ...F }", 10),
        ("an escaped triple quote in a block string", '{ a(s: """\\""" x """) b(s: """y""") }', 14),
        ("numbers without separators", "{ a(n: [0-0-0-0]) }", 13),
    ],
)
def test_tokens_are_counted_as_graphql_splits_them(case, text, count):
    assert tokens(text) == count


def test_a_dense_document_pays_for_its_tokens_past_the_free_ones():
    """15 aliased lookups are 190 tokens in 386 characters: characters undercharged their validation."""
    text = "query ($g: ID!) { " + " ".join(f"a{i}: node(id: $g) {{ id }}" for i in range(15)) + " }"
    assert tokens(text) == 190 and len(text) < 400
    assert text_units(text) == (190 - FREE_TOKENS) * TOKEN_UNITS > (len(text) - FREE_CHARS) / CHARS_PER_UNIT


@pytest.mark.parametrize(
    ("case", "query", "rows", "reads"),
    [
        (
            "first and last read first",
            "{ groups(first: 10) { edges { node { members(first: 100, last: 1) { edges { node { id } } } } } } }",
            10 + 10 * 100,
            2,
        ),
        (
            "lookups with different ids are read apart",
            '{ a: group(id: "R3JvdXA6MQ==") { members(first: 3) { totalCount } } b: group(id: "R3JvdXA6Mg==") { members(first: 3) { totalCount } } }',
            6,
            2 * (1 + 1 + COUNT_READS),
        ),
        (
            "lookups with the same id are read once",
            '{ a: group(id: "R3JvdXA6MQ==") { members(first: 3) { totalCount } } b: group(id: "R3JvdXA6MQ==") { members(first: 3) { totalCount } } }',
            6,
            1 + 1 + COUNT_READS,
        ),
    ],
)
def test_the_price_follows_the_rows_read_and_the_reads_the_loaders_make(
    graphql, alice, make_token, case, query, rows, reads
):
    cost = cost_of(graphql, make_token(alice, "read groups"), query)
    assert cost["requestedQueryCost"] == query_cost(rows, reads, query, aliases=query.count(": group("))


def test_each_mutation_is_priced_and_reads_afresh(graphql, alice, make_token):
    from schema.pricing import WRITE_READS

    one = 'a: updateMe(input: {firstName: "x"}) { user { groups(first: 1) { totalCount } } }'
    fifteen = " ".join(one.replace("a:", f"a{i}:") for i in range(15))
    response = graphql(f"mutation {{ {fifteen} }}", token=make_token(alice, "read write groups"))
    assert response.status == 200, response.body
    reads = 15 * (WRITE_READS + 1 + COUNT_READS)
    text = f"mutation {{ {fifteen} }}"
    assert response.body["extensions"]["cost"]["requestedQueryCost"] == query_cost(15, reads, text, aliases=15)


def test_undeclared_variables_are_not_free(graphql, alice, make_token):
    from schema.pricing import request_units

    token = make_token(alice)
    graphql("{ me { id } }", token=token)  # the document is known now: only the variables are new
    junk = {"junk": ["x" * 100] * 20_000}
    response = graphql("{ me { id } }", token=token, variables=junk)
    assert response.status == 200
    assert response.body["extensions"]["cost"]["requestedQueryCost"] > 20
    assert request_units(1_000) == 0


@pytest.mark.parametrize(
    "argument",
    ["isStaff: true", 'group: "staff"'],  # group: every membership of the group read and sorted by user
)
def test_filters_that_read_a_whole_relation_are_priced_as_scans(graphql, alice, make_token, argument):
    from schema.pricing import FILTER_READS, SCAN_READS

    token = make_token(alice, "read groups")
    query = f"{{ users(first: 5, {argument}) {{ edges {{ node {{ id }} }} }} }}"
    cost = cost_of(graphql, token, query)
    assert cost["requestedQueryCost"] == query_cost(5, 1 + FILTER_READS + SCAN_READS, query)
