"""SPEC §5: a document's shape is limited before graphql-core validates it (schema/shape.py), so that
validation costs milliseconds whatever the document; refused documents cost a point; introspection
is limited per operation, answered once per process, and anonymous callers are limited per address."""

import pytest
from graphql import get_introspection_query

from schema import documents

USER_FIELDS = "id username firstName lastName email isStaff dateJoined"


def doubling(levels: int, leaf: str = "id username") -> str:
    """F0 has two fields; each F(n) spreads F(n-1) twice: F(levels) expands to 2^(levels+1) fields."""
    fragments = [f"fragment F0 on User {{ {leaf} }}"]
    fragments += [f"fragment F{n} on User {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, levels + 1)]
    return " ".join(fragments)


PAST_THE_SELECTION_LIMIT = [
    ("fragments spread twice per level", "{ me { ...F9 } } " + doubling(9)),
    (
        "inline fragments around a fragment",
        "{ me { " + " ".join(["... on User { ...F5 }"] * 20) + " } } " + doubling(5),
    ),
    (
        "one fragment spread in many places",
        "{ me { " + " ".join(["...F"] * 400) + " } } fragment F on User { id username }",
    ),
    ("an unused fragment", "{ me { id } } " + doubling(9).replace("fragment F9", "fragment Unused")),
    (
        "a fragment cycle",
        "{ me { ...A } } fragment A on User { id groups { edges { node { members { edges { node { ...A } } } } } } }",
    ),
]


@pytest.fixture
def validations(monkeypatch):
    """Documents graphql-core validated: the limits must refuse before it."""
    seen = []
    validate = documents.validate

    def counting(schema, document, rules):
        seen.append(document)
        return validate(schema, document, rules)

    monkeypatch.setattr(documents, "validate", counting)
    documents.DOCUMENTS.clear()
    return seen


@pytest.mark.parametrize(("case", "query"), PAST_THE_SELECTION_LIMIT, ids=[c for c, _ in PAST_THE_SELECTION_LIMIT])
def test_documents_past_the_selection_limit_are_refused_before_validation(
    graphql, alice, make_token, validations, case, query
):
    response = graphql(query, token=make_token(alice))
    assert response.status == 400, response.body
    assert response.codes == ["QUERY_TOO_COMPLEX"]
    assert validations == []


def test_a_large_document_within_the_limits_is_validated_and_runs(graphql, alice, make_token):
    member = f"{USER_FIELDS} groups {{ totalCount }}"
    one = f"me {{ groups(first: 1) {{ edges {{ node {{ name members(first: 1) {{ edges {{ node {{ {member} }} }} }} }} }} }} }}"
    response = graphql("{ " + " ".join([one] * 28) + " }", token=make_token(alice, "read groups"))
    assert response.status == 200, response.body
    assert response.data["me"]["groups"]["edges"] == []


@pytest.mark.parametrize(
    ("case", "query"),
    [
        ("990 repeated fields", "{ me { " + " ".join(["id"] * 990) + " } }"),
        (
            "the same key through fragments",
            "{ me { "
            + " ".join(f"...F{i}" for i in range(40))
            + " } } "
            + " ".join(f"fragment F{i} on User {{ id }}" for i in range(40)),
        ),
        ("one root field 31 times", "{ " + " ".join(["me { id }"] * 31) + " }"),
        ("sub-selections of same-key fields merged", "{ " + " ".join(["me { id id }"] * 16) + " }"),
        ("inline fragments", "{ me { " + " ".join(["... on User { id }"] * 31) + " } }"),
    ],
)
def test_many_fields_sharing_a_response_key_are_refused_before_validation(
    graphql, alice, make_token, validations, case, query
):
    response = graphql(query, token=make_token(alice))
    assert response.status == 400, response.body
    assert response.codes == ["QUERY_TOO_COMPLEX"]
    assert "in one selection set" in response.errors[0]["message"]
    assert validations == []


def test_a_key_selected_a_few_times_is_fine(graphql, alice, make_token):
    response = graphql("{ me { id id username } me { id } }", token=make_token(alice))
    assert response.status == 200
    assert response.data["me"]["username"] == "alice"


@pytest.mark.parametrize(
    ("case", "query", "message"),
    [
        ("two __schema", "{ a: __schema { queryType { name } } b: __schema { queryType { name } } }", "`__schema` 2"),
        (
            "__schema through fragments",
            "{ ...Q ...R } fragment Q on Query { __schema { queryType { name } } } "
            "fragment R on Query { s: __schema { queryType { name } } }",
            "`__schema` 2",
        ),
        (
            "eleven __type",
            "{ " + " ".join(f't{i}: __type(name: "User") {{ name }}' for i in range(11)) + " }",
            "`__type` 11",
        ),
    ],
)
def test_introspection_is_limited_per_operation(graphql, alice, make_token, validations, case, query, message):
    response = graphql(query, token=make_token(alice))
    assert response.status == 400, response.body
    assert response.codes == ["QUERY_TOO_COMPLEX"]
    assert message in response.errors[0]["message"]
    assert validations == []


def test_ten_type_lookups_and_the_standard_introspection_query_work(graphql, alice, make_token):
    token = make_token(alice)
    ten = "{ " + " ".join(f't{i}: __type(name: "User") {{ name }}' for i in range(10)) + " }"
    assert graphql(ten, token=token).status == 200
    response = graphql(get_introspection_query(), token=token)
    assert response.status == 200
    assert response.data["__schema"]["queryType"]["name"] == "Query"


def test_introspection_is_answered_once_per_document(graphql, alice, make_token, monkeypatch):
    from schema import execution

    executions = []
    execute_operation = execution.execute_operation

    def counting(*args, **kwargs):
        executions.append(1)
        return execute_operation(*args, **kwargs)

    monkeypatch.setattr(execution, "execute_operation", counting)
    documents.DOCUMENTS.clear()
    token = make_token(alice)
    answers = [graphql(get_introspection_query(), token=token) for _ in range(3)]
    assert len(executions) == 1
    assert answers[0].body["data"] == answers[2].body["data"]


@pytest.mark.parametrize(
    ("case", "query", "points"),
    [
        # 96 tokens parsed before the limit refused it: paid past the free ones (schema.pricing.FREE_TOKENS)
        ("a limit before validation", "{ me { ...F9 } } " + doubling(9), [3, 3]),
        ("bad syntax", "{ me {", [1, 1]),
        ("refused by validation", "{ nope }", [2, 2]),  # validated again for every copy: never cached
        ("refused for its variables", "query ($n: Int!) { users(first: $n) { totalCount } }", [2, 1]),  # cached
    ],
)
def test_a_refused_document_costs_an_authenticated_caller_what_reading_it_cost(
    graphql, alice, make_token, case, query, points
):
    """SPEC §5: a point at least; a document that went through validation pays for its preparation too
    (schema.pricing.PREPARE_UNITS) when this request did that work, as an executed one does."""
    token = make_token(alice)
    used = int(graphql("{ me { id } }", token=token).headers["X-RateLimit-Used"])
    for charged in points:  # the same refusal twice
        refused = graphql(query, token=token)
        assert refused.status == 400
        used += charged
        assert int(refused.headers["X-RateLimit-Used"]) == used


def test_anonymous_callers_are_limited_per_address(graphql, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = True
    settings.GRAPHQL_ANONYMOUS_BUDGET = 3
    query = "{ __schema { queryType { name } } }"
    assert [graphql(query).status for _ in range(3)] == [200, 200, 200]
    refused = graphql(query)
    assert refused.status == 429
    assert refused.codes == ["THROTTLED"]
    assert int(refused.headers["Retry-After"]) > 0
    other = graphql(query, headers={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status == 200


def test_the_document_cache_is_bounded_by_size_and_keeps_refused_documents_out(graphql, alice, make_token):
    cache = documents.DocumentCache(max_documents=100, max_chars=1_000)
    prepared = documents.prepare("{ me { id } }")
    for i in range(50):
        cache.put("{ me { id } }" + " " * (40 + i), prepared)
    assert cache._chars <= 1_000 and len(cache) < 50
    cache.put("x" * 1_001, prepared)
    assert "x" * 1_001 not in cache._entries
    documents.DOCUMENTS.clear()
    graphql("{ me { ...F9 } } " + doubling(9), token=make_token(alice))
    graphql("{ nope }", token=make_token(alice))
    assert len(documents.DOCUMENTS) == 0
