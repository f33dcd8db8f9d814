"""SPEC §5: every bad request gets a 4xx with a code (a GraphQL request error: 200 for legacy
application/json clients), never a 500, and changes nothing."""

import base64
import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from graphql_relay import to_global_id

from users.models import User

ME = "{ me { username } }"
DEEP = "{ me { groups { edges { node { members { edges { node { groups { edges { node { name } } } } } } } } } } }"
NESTED_LIST = "[" * 5000 + "]" * 5000


def snapshot():
    return (
        list(User.objects.order_by("pk").values_list("username", "first_name", "last_name", "email")),
        list(Group.objects.order_by("pk").values_list("name", flat=True)),
    )


def body(query, variables=None, **extra):
    return json.dumps({"query": query, "variables": variables, **extra})


# (label, method, content type, raw body or GET params, expected status, expected code)
CASES = [
    (
        "form-encoded body",
        "post",
        "application/x-www-form-urlencoded",
        "query=%7B+me+%7B+id+%7D+%7D",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    ("text/plain body", "post", "text/plain", body(ME), 415, "UNSUPPORTED_MEDIA_TYPE"),
    ("multipart body", "post", "multipart/form-data; boundary=x", "--x--", 415, "UNSUPPORTED_MEDIA_TYPE"),
    ("malformed JSON", "post", "application/json", "{not json", 400, "BAD_REQUEST"),
    ("truncated JSON", "post", "application/json", '{"query": "{ me ', 400, "BAD_REQUEST"),
    ("invalid UTF-8", "post", "application/json", b"\xff\xfe{}", 400, "BAD_REQUEST"),
    ("JSON string", "post", "application/json", '"{ me { id } }"', 400, "BAD_REQUEST"),
    ("JSON number", "post", "application/json", "42", 400, "BAD_REQUEST"),
    ("JSON null", "post", "application/json", "null", 400, "BAD_REQUEST"),
    ("batched array", "post", "application/json", json.dumps([{"query": ME}, {"query": ME}]), 400, "BAD_REQUEST"),
    ("whitespace body", "post", "application/json", "  \n ", 400, "BAD_REQUEST"),
    ("no query", "post", "application/json", "{}", 400, "BAD_REQUEST"),
    ("query null", "post", "application/json", '{"query": null}', 400, "BAD_REQUEST"),
    ("query is a number", "post", "application/json", '{"query": 5}', 400, "BAD_REQUEST"),
    ("query is a list", "post", "application/json", '{"query": ["{ me { id } }"]}', 400, "BAD_REQUEST"),
    ("blank query", "post", "application/json", body("   "), 400, "BAD_REQUEST"),
    (
        "variables is a string",
        "post",
        "application/json",
        json.dumps({"query": ME, "variables": "x"}),
        400,
        "BAD_REQUEST",
    ),
    (
        "variables is a list",
        "post",
        "application/json",
        json.dumps({"query": ME, "variables": [1]}),
        400,
        "BAD_REQUEST",
    ),
    (
        "operationName is a number",
        "post",
        "application/json",
        json.dumps({"query": ME, "operationName": 3}),
        400,
        "BAD_REQUEST",
    ),
    (
        "unknown operationName",
        "post",
        "application/json",
        json.dumps({"query": "query A { me { id } }", "operationName": "B"}),
        400,
        "BAD_REQUEST",
    ),
    (
        "two operations, no name",
        "post",
        "application/json",
        body("query A { me { id } } query B { me { id } }"),
        400,
        "BAD_REQUEST",
    ),
    ("syntax error", "post", "application/json", body("{ me { "), 400, "GRAPHQL_PARSE_FAILED"),
    ("NUL byte in document", "post", "application/json", body("{ me\u0000 { id } }"), 400, "GRAPHQL_PARSE_FAILED"),
    ("unicode garbage", "post", "application/json", body("{ ☃ }"), 400, "GRAPHQL_PARSE_FAILED"),
    ("unknown field", "post", "application/json", body("{ me { password } }"), 400, "GRAPHQL_VALIDATION_FAILED"),
    ("unknown root field", "post", "application/json", body("{ secrets }"), 400, "GRAPHQL_VALIDATION_FAILED"),
    (
        "unknown argument",
        "post",
        "application/json",
        body("{ users(offset: 1) { totalCount } }"),
        400,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    (
        "wrong literal type",
        "post",
        "application/json",
        body('{ users(first: "ten") { totalCount } }'),
        400,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    (
        "missing required argument",
        "post",
        "application/json",
        body("{ user { id } }"),
        400,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    (
        "scalar with selection",
        "post",
        "application/json",
        body("{ me { username { x } } }"),
        400,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    ("object without selection", "post", "application/json", body("{ me }"), 400, "GRAPHQL_VALIDATION_FAILED"),
    (
        "fragment cycle",
        "post",
        "application/json",
        body("{ me { ...A } } fragment A on User { ...B } fragment B on User { ...A }"),
        400,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    ("subscription", "post", "application/json", body("subscription { me { id } }"), 400, "BAD_REQUEST"),
    (
        "variable of wrong type",
        "post",
        "application/json",
        body("query ($n: Int) { users(first: $n) { totalCount } }", {"n": "lots"}),
        400,
        "BAD_REQUEST",
    ),
    (
        "variable too big for Int",
        "post",
        "application/json",
        body("query ($n: Int) { users(first: $n) { totalCount } }", {"n": 2**40}),
        400,
        "BAD_REQUEST",
    ),
    (
        "Int variable given a float",
        "post",
        "application/json",
        body("query ($n: Int) { users(first: $n) { totalCount } }", {"n": 1.5}),
        400,
        "BAD_REQUEST",
    ),
    (
        "missing required variable",
        "post",
        "application/json",
        body("query ($id: ID!) { user(id: $id) { id } }", {}),
        400,
        "BAD_REQUEST",
    ),
    (
        "huge nested variable",
        "post",
        "application/json",
        body("query ($id: ID!) { user(id: $id) { id } }", {"id": json.loads(NESTED_LIST[:200] + NESTED_LIST[-200:])}),
        400,
        "BAD_REQUEST",
    ),
    (
        "document over 15,000 characters",
        "post",
        "application/json",
        body("{ me { id } }" + " " * 15_001),
        400,
        "QUERY_TOO_LARGE",
    ),
    ("over 2,000 tokens", "post", "application/json", body("{ " + "me { id } " * 600 + "}"), 400, "QUERY_TOO_LARGE"),
    ("too deep", "post", "application/json", body(DEEP), 400, "QUERY_TOO_DEEP"),
    (
        "too many aliases",
        "post",
        "application/json",
        body("{ " + " ".join(f"a{i}: me {{ id }}" for i in range(16)) + " }"),
        400,
        "TOO_MANY_ALIASES",
    ),
    (
        "alias bomb through a fragment",
        "post",
        "application/json",
        body(
            "{ x: me { ...G } y: me { ...G } z: me { ...G } }"
            " fragment G on User { a: username b: username c: username d: username e: username }"
        ),
        400,
        "TOO_MANY_ALIASES",
    ),
    (
        "too costly",
        "post",
        "application/json",
        body(
            "{ users(first: 100) { edges { node { groups(first: 100) { edges { node { members(first: 100) { totalCount } } } } } } } }"
        ),
        400,
        "QUERY_TOO_COMPLEX",
    ),
    (
        "too costly through variables",
        "post",
        "application/json",
        body(
            "query ($n: Int) { users(first: $n) { edges { node { groups(first: $n) { edges { node { members(first: $n) { totalCount } } } } } } } }",
            {"n": 50},
        ),
        400,
        "QUERY_TOO_COMPLEX",
    ),
    (
        "mutation over GET",
        "get",
        None,
        {"query": 'mutation { updateMe(input: {firstName: "x"}) { errors { code } } }'},
        405,
        "METHOD_NOT_ALLOWED",
    ),
    ("GET with invalid variables JSON", "get", None, {"query": ME, "variables": "{nope"}, 400, "BAD_REQUEST"),
    ("GET without query", "get", None, {"variables": "{}"}, 400, "BAD_REQUEST"),
    # Form bodies in every charset, multipart with or without a boundary: 415, never a 500 (SPEC §5).
    *[
        (f"form body, {ctype}", "post", ctype, b"query=%7B+me+%7B+id+%7D+%7D", 415, "UNSUPPORTED_MEDIA_TYPE")
        for ctype in (
            "application/x-www-form-urlencoded; charset=latin-1",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded; charset=no-such-charset",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=x; charset=utf-16",
        )
    ],
    (
        "form body in UTF-16",
        "post",
        "application/x-www-form-urlencoded; charset=utf-16",
        "query=x".encode("utf-16"),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    ("JSON in UTF-16", "post", "application/json", body(ME).encode("utf-16"), 400, "BAD_REQUEST"),
    ("JSON in UTF-32", "post", "application/json; charset=utf-32", body(ME).encode("utf-32"), 400, "BAD_REQUEST"),
    # Lone surrogates: valid JSON escapes, not Unicode text (SPEC §5; PostgreSQL refuses them).
    *[
        (f"lone surrogate {label}", "post", "application/json", raw, 400, code)
        for label, raw, code in (
            (
                "in a search variable",
                '{"query": "query ($s: String) { users(search: $s) { totalCount } }", "variables": {"s": "a\\ud800b"}}',
                "BAD_USER_INPUT",
            ),
            (
                "low half",
                '{"query": "query ($s: String) { groups(search: $s) { totalCount } }", "variables": {"s": "\\udfff"}}',
                "BAD_USER_INPUT",
            ),
            (
                "in an id variable",
                '{"query": "query ($id: ID!) { user(id: $id) { id } }", "variables": {"id": "\\ud83d"}}',
                "BAD_USER_INPUT",
            ),
            (
                "in a group variable",
                '{"query": "query ($g: String) { users(group: $g) { totalCount } }", "variables": {"g": "\\ud800"}}',
                "BAD_USER_INPUT",
            ),
            ("in an unused variable", '{"query": "{ me { id } }", "variables": {"x": ["\\ud800"]}}', "BAD_USER_INPUT"),
            ("in the document", '{"query": "{ users(search: \\"\\ud800\\") { totalCount } }"}', "GRAPHQL_PARSE_FAILED"),
            (
                "escaped in the document",
                '{"query": "{ users(search: \\"\\\\ud800\\") { totalCount } }"}',
                "GRAPHQL_PARSE_FAILED",
            ),
            ("in operationName", '{"query": "query Q { me { id } }", "operationName": "\\ud800"}', "BAD_REQUEST"),
        )
    ],
]


# Well-formed HTTP requests whose GraphQL request fails (document, operation, variables, limits): a
# legacy application/json client gets them with 200 and `errors` (SPEC §5 "Media types"). Every other
# case is a malformed HTTP request, or a method or content-type refusal, and keeps its status.
GRAPHQL_REQUEST_ERRORS = {
    "unknown operationName",
    "two operations, no name",
    "syntax error",
    "NUL byte in document",
    "unicode garbage",
    "unknown field",
    "unknown root field",
    "unknown argument",
    "wrong literal type",
    "missing required argument",
    "scalar with selection",
    "object without selection",
    "fragment cycle",
    "subscription",
    "variable of wrong type",
    "variable too big for Int",
    "Int variable given a float",
    "missing required variable",
    "huge nested variable",
    "document over 15,000 characters",
    "over 2,000 tokens",
    "too deep",
    "too many aliases",
    "alias bomb through a fragment",
    "too costly",
    "too costly through variables",
    "lone surrogate in a search variable",
    "lone surrogate low half",
    "lone surrogate in an id variable",
    "lone surrogate in a group variable",
    "lone surrogate in an unused variable",
    "lone surrogate in the document",
    "lone surrogate escaped in the document",
    "lone surrogate in operationName",
}
MEDIA_TYPES = [
    ("graphql-response+json", "application/graphql-response+json, application/json;q=0.9"),
    ("json", "application/json"),
]


def test_every_graphql_request_error_is_a_case():
    assert GRAPHQL_REQUEST_ERRORS <= {case[0] for case in CASES}


@pytest.mark.parametrize(("media_type", "accept"), MEDIA_TYPES, ids=[media_type for media_type, _ in MEDIA_TYPES])
@pytest.mark.parametrize(
    ("label", "method", "content_type", "payload", "status", "code"), CASES, ids=[case[0] for case in CASES]
)
def test_malformed_request(
    alice, make_token, group_factory, media_type, accept, label, method, content_type, payload, status, code
):
    """The status is this SPEC's under application/graphql-response+json; under application/json a GraphQL
    request error is 200. Either way: `errors` with the code, no `data`, and nothing changed."""
    group_factory("editors", members=[alice])
    before = snapshot()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(alice, 'read write groups')}", HTTP_ACCEPT=accept)
    if method == "get":
        response = client.get("/graphql", payload)
    else:
        response = client.generic("POST", "/graphql", payload, content_type=content_type)
    legacy = media_type == "json" and label in GRAPHQL_REQUEST_ERRORS
    assert response.status_code == (200 if legacy else status), response.content
    assert response["Content-Type"] == f"application/{media_type}"
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors][:1] == [code]
    assert "data" not in response.json()
    assert "Traceback" not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_are_405(alice, make_token, method):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(alice)}")
    response = client.generic(method, "/graphql", body(ME), content_type="application/json")
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(("case", "first"), [("zero", 0), ("negative", -5), ("huge", 2**31 - 1), ("just over", 101)])
def test_absurd_page_sizes_are_errors(graphql, alice, make_token, case, first):
    response = graphql(
        "query ($n: Int) { users(first: $n) { totalCount } }", token=make_token(alice), variables={"n": first}
    )
    assert response.status == 200  # a refused page costs nothing: the resolver's own error answers it
    assert response.data == {"users": None}
    assert response.codes == ["BAD_USER_INPUT"]
    assert response.errors[0]["message"] == f"`first` must be between 1 and 100; got {first}."


@pytest.mark.parametrize("global_id", ["", "=", "VXNlcjo=", to_global_id("User", "1 OR 1=1"), "\u0000", "a" * 5000])
def test_invalid_global_ids_are_not_found(graphql, alice, make_token, global_id):
    response = graphql(
        "query ($id: ID!) { user(id: $id) { id } }", token=make_token(alice), variables={"id": global_id}
    )
    assert response.status == 200
    assert response.codes == ["NOT_FOUND"]


def test_error_messages_hide_suggestions_from_anonymous_callers(graphql, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = True
    response = graphql("{ __schema { queryTyp { name } } }")
    assert response.status == 400
    assert "Did you mean" not in response.errors[0]["message"]


def test_error_messages_keep_suggestions_for_token_holders(graphql, alice, make_token):
    response = graphql("{ me { usernam } }", token=make_token(alice))
    assert "Did you mean 'username'?" in response.errors[0]["message"]


def test_introspection_is_not_limited_by_depth(graphql, alice, make_token):
    query = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }"
    assert graphql(query, token=make_token(alice)).status == 200


def encoded(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("case", "order", "cursor"),
    [
        ("an offset cursor of graphql-relay", "", b64("arrayconnection:0")),
        ("not base64", "", "not base64!"),
        ("empty", "", ""),
        ("base64 of no JSON", "", b64("pk:1")),
        ("JSON but no list", "", encoded({"pk": 1})),
        ("a list without a key", "", encoded(["pk"])),
        ("another order's cursor", "", encoded(["users.user:username", "a"])),
        ("another list's cursor", "", encoded(["auth.group:pk", 1])),
        ("a key too many", "", encoded(["users.user:pk", 1, 2])),
        ("text for a number", "", encoded(["users.user:pk", "one"])),
        ("a number past 64 bits", "", encoded(["users.user:pk", 10**22])),
        ("a float", "", encoded(["users.user:pk", 1.5])),
        ("a boolean", "", encoded(["users.user:pk", True])),
        ("a null", "", encoded(["users.user:pk", None])),
        ("a nested list", "", encoded(["users.user:pk", [1]])),
        ("too long", "", encoded(["users.user:pk", "9" * 600])),
        ("a NUL in text", 'orderBy: "username", ', encoded(["users.user:username", "a\u0000b"])),
        ("a lone surrogate", 'orderBy: "username", ', b64('["users.user:username", "\\ud800"]')),
        ("not a date", 'orderBy: "dateJoined", ', encoded(["users.user:date_joined,pk", "yesterday", 1])),
        ("a date out of range", 'orderBy: "dateJoined", ', encoded(["users.user:date_joined,pk", "99999-01-01", 1])),
    ],
)
@pytest.mark.parametrize("argument", ["after", "before"])
def test_malformed_cursors_are_bad_input(graphql, make_user, make_token, case, order, cursor, argument):
    """SPEC §2, §5: a cursor is opaque, and anything that is not one of ours is a 400, on every database."""
    user = make_user("cursor")
    response = graphql(
        f"query ($c: String) {{ users({order}first: 5, {argument}: $c) {{ edges {{ node {{ username }} }} }} }}",
        token=make_token(user),
        variables={"c": cursor},
    )
    assert response.codes == ["BAD_USER_INPUT"], response.body
    assert response.errors[0]["message"] == f"`{argument}` is not a valid cursor."


def test_a_cursor_from_the_api_seeks_past_its_row(graphql, make_user, make_token):
    user = make_user("cursor")
    make_user("cursor2")
    query = "query ($c: String) { users(first: 1, after: $c) { edges { cursor node { username } } } }"
    first = graphql(query, token=make_token(user))
    cursor = first.data["users"]["edges"][0]["cursor"]
    response = graphql(query, token=make_token(user), variables={"c": cursor})
    assert [e["node"]["username"] for e in response.data["users"]["edges"]] == ["cursor2"]


def test_fragment_bomb_is_refused_quickly(graphql, alice, make_token):
    fragments = ["fragment F0 on User { username }"]
    for level in range(1, 25):
        fragments.append(f"fragment F{level} on User {{ ...F{level - 1} a: username ...F{level - 1} }}")
    query = "{ me { ...F24 } } " + " ".join(fragments)
    response = graphql(query, token=make_token(alice))
    assert response.status == 400
    assert response.codes[0] in {"QUERY_TOO_COMPLEX", "GRAPHQL_VALIDATION_FAILED"}


def test_aliases_inside_introspection_count(graphql, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = True
    query = "{ __schema { " + " ".join(f"a{i}: types {{ name }}" for i in range(16)) + " } }"
    response = graphql(query)
    assert response.status == 400
    assert response.codes == ["TOO_MANY_ALIASES"]


def test_variable_defaults_count_in_the_cost(graphql, alice, make_token):
    query = "query ($n: Int = 100) { users(first: $n) { edges { node { groups(first: $n) { edges { node { members(first: $n) { totalCount } } } } } } } }"
    response = graphql(query, token=make_token(alice, "read groups"))
    assert response.status == 400
    assert response.codes == ["QUERY_TOO_COMPLEX"]


def test_deeply_nested_json_body_is_400(alice, make_token):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(alice)}")
    response = client.generic("POST", "/graphql", "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_too_many_query_parameters_is_400(alice, make_token):
    params = "&".join(f"p{i}=1" for i in range(1200))
    response = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(alice)}").get(
        f"/graphql?{params}", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_token_in_a_form_body_is_400_invalid_request(alice, make_token):
    token = make_token(alice)
    response = Client().post("/graphql", {"access_token": token, "query": ME})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_REQUEST"


def test_body_over_djangos_limit_is_400(alice, make_token):
    body = json.dumps({"query": ME, "variables": {"x": "y" * 3_000_000}})
    response = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(alice)}").generic(
        "POST", "/graphql", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_deeply_nested_variables_are_a_400_not_a_500(graphql, alice, make_token):
    junk = []
    for _ in range(900):
        junk = [junk]
    response = graphql("{ me { id } }", token=make_token(alice), variables={"junk": junk})
    assert response.status == 400
    assert "nest deeper" in response.errors[0]["message"]


@pytest.mark.parametrize(
    ("case", "query", "cursor"),
    [
        (
            "a key past 64 bits, as text",
            "group(id: $g) { members(first: 1, after: $c) { totalCount } }",
            ["auth.group:pk", "9" * 30],
        ),
        (
            "a member key past 64 bits, as text",
            "group(id: $g) { members(first: 1, after: $c) { totalCount } }",
            ["users.user:pk", "9" * 30],
        ),
        (
            "a date past year 9999 in UTC",
            'users(orderBy: "dateJoined", first: 1, after: $c) { totalCount }',
            ["users.user:date_joined,pk", "9999-12-31T23:59:59-14:00", 1],
        ),
        (
            "a date before year 1 in UTC",
            'users(orderBy: "dateJoined", first: 1, after: $c) { totalCount }',
            ["users.user:date_joined,pk", "0001-01-01T00:00:00+14:00", 1],
        ),
    ],
)
def test_forged_cursor_keys_are_bad_input(graphql, alice, make_token, group_factory, case, query, cursor):
    from graphql_relay import to_global_id

    group = group_factory("g", members=[alice])
    response = graphql(
        f"query ($g: ID, $c: String) {{ {query} }}".replace("$g: ID", "$g: ID!")
        if "$g" in query
        else f"query ($c: String) {{ {query} }}",
        token=make_token(alice, "read groups"),
        variables={"c": encoded(cursor), **({"g": to_global_id("Group", group.pk)} if "$g" in query else {})},
    )
    assert response.codes == ["BAD_USER_INPUT"], response.body
