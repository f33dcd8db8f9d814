"""SPEC §5 "Media types": `Accept` chooses application/graphql-response+json or application/json, else 406;
a GraphQL request error is 200 only for legacy application/json clients; every other refusal keeps its
status under both, and no refusal (403 included, SPEC §3) carries `data`."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from schema.media_types import GRAPHQL_RESPONSE, JSON, choose

ME = "{ me { username } }"
RECOMMENDED = "application/graphql-response+json, application/json;q=0.9"
MEDIA_TYPES = [(GRAPHQL_RESPONSE, RECOMMENDED), (JSON, "application/json"), (JSON, None)]
MEDIA_TYPE_IDS = ["graphql-response+json", "json", "no Accept"]


@pytest.fixture(autouse=True)
def fresh_budget():
    cache.clear()


@pytest.mark.parametrize(
    ("label", "accept", "chosen"),
    [
        ("absent", None, JSON),
        ("empty", "", JSON),
        ("anything", "*/*", JSON),
        ("json", "application/json", JSON),
        ("json with a charset", "application/json; charset=utf-8", JSON),
        ("any application type", "application/*", JSON),
        ("graphql-response+json", "application/graphql-response+json", GRAPHQL_RESPONSE),
        ("the README's header", RECOMMENDED, GRAPHQL_RESPONSE),
        ("case and spaces", " Application/GraphQL-Response+JSON ;Q=1 ", GRAPHQL_RESPONSE),
        ("graphql-response+json beside anything", "application/graphql-response+json, */*", GRAPHQL_RESPONSE),
        ("json preferred by q", "application/graphql-response+json;q=0.5, application/json", JSON),
        (
            "equal q: graphql-response+json",
            "application/json;q=0.8, application/graphql-response+json;q=0.8",
            GRAPHQL_RESPONSE,
        ),
        ("graphql-response+json excluded", "application/graphql-response+json;q=0, */*", JSON),
        ("a browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
        ("xml", "application/xml", None),
        ("html", "text/html", None),
        ("any text", "text/*", None),
        ("anything at q=0", "*/*;q=0", None),
        ("json excluded", "application/json;q=0", None),
        ("json excluded beside anything", "*/*, application/json;q=0", None),
        ("everything excluded", "application/graphql-response+json;q=0, application/json;q=0", None),
        ("a weight that is no number", "application/json;q=x", None),
        ("garbage", "nonsense", JSON),
    ],
)
def test_accept_chooses_the_media_type(label, accept, chosen):
    assert choose(accept) == chosen


def post(body, accept=None, token=None, content_type="application/json", method="POST"):
    headers = {}
    if accept is not None:
        headers["HTTP_ACCEPT"] = accept
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    payload = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return Client().generic(method, "/graphql", payload, content_type=content_type, **headers)


@pytest.mark.parametrize(("media_type", "accept"), MEDIA_TYPES, ids=MEDIA_TYPE_IDS)
def test_an_answer_is_in_the_negotiated_media_type(alice, make_token, media_type, accept):
    response = post({"query": ME}, accept, make_token(alice))
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert response.json()["data"] == {"me": {"username": "alice"}}
    assert {"Accept", "Authorization"} <= {name.strip() for name in response["Vary"].split(",")}


@pytest.mark.parametrize(
    "accept",
    ["application/xml", "text/html", "text/*", "*/*;q=0", "application/json;q=0", "image/png, text/plain;q=0.5"],
)
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_an_accept_that_allows_neither_is_406(alice, make_token, accept, method):
    client = Client(HTTP_ACCEPT=accept, HTTP_AUTHORIZATION=f"Bearer {make_token(alice)}")
    if method == "GET":
        response = client.get("/graphql", {"query": ME})
    else:
        response = client.post("/graphql", json.dumps({"query": ME}), content_type="application/json")
    assert response.status_code == 406
    assert response["Content-Type"] == JSON
    assert response.json() == {
        "errors": [
            {
                "message": "Accept application/graphql-response+json or application/json.",
                "extensions": {"code": "NOT_ACCEPTABLE"},
            }
        ]
    }


@pytest.mark.parametrize(("media_type", "accept"), MEDIA_TYPES, ids=MEDIA_TYPE_IDS)
def test_partial_data_is_200_under_both(alice, make_token, media_type, accept):
    response = post({"query": "{ me { username } groups { totalCount } }"}, accept, make_token(alice, "read"))
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    body = response.json()
    assert body["data"] == {"me": {"username": "alice"}, "groups": None}
    assert [error["extensions"]["code"] for error in body["errors"]] == ["INSUFFICIENT_SCOPE"]


def refusal(case, alice, make_token, settings, accept):
    """(response, expected status, expected code) of a refusal that keeps its status whatever Accept says."""
    if case == "no token":
        settings.GRAPHQL_PUBLIC_INTROSPECTION = False
        return post({"query": ME}, accept), 401, "UNAUTHENTICATED"
    if case == "no token, data":
        return post({"query": ME}, accept), 401, "UNAUTHENTICATED"
    if case == "malformed header":
        response = Client().post(
            "/graphql", json.dumps({"query": ME}), content_type="application/json",
            HTTP_AUTHORIZATION="Basic abc", **({"HTTP_ACCEPT": accept} if accept else {}),
        )  # fmt: skip
        return response, 400, "INVALID_REQUEST"
    if case == "token in the body":
        return post({"query": ME, "access_token": "x"}, accept, make_token(alice)), 400, "INVALID_REQUEST"
    if case == "unknown token":
        return post({"query": ME}, accept, "no-such-token"), 401, "INVALID_TOKEN"
    if case == "every root field denied":
        return (
            post({"query": "{ groups { totalCount } }"}, accept, make_token(alice, "read")),
            403,
            "INSUFFICIENT_SCOPE",
        )
    if case == "mutation without write":
        mutation = 'mutation { updateMe(input: {firstName: "Eve"}) { user { id } } }'
        return post({"query": mutation}, accept, make_token(alice, "read")), 403, "INSUFFICIENT_SCOPE"
    if case == "mutation over GET":
        client = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(alice, 'read write')}")
        headers = {"HTTP_ACCEPT": accept} if accept else {}
        return client.get("/graphql", {"query": "mutation { __typename }"}, **headers), 405, "METHOD_NOT_ALLOWED"
    if case == "another method":
        return post({"query": ME}, accept, make_token(alice), method="PUT"), 405, "METHOD_NOT_ALLOWED"
    if case == "form body":
        return (
            post("query=x", accept, make_token(alice), "application/x-www-form-urlencoded"),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        )
    if case == "malformed JSON":
        return post("{not json", accept, make_token(alice)), 400, "BAD_REQUEST"
    if case == "no query":
        return post({"variables": {}}, accept, make_token(alice)), 400, "BAD_REQUEST"
    if case == "extensions not a map":
        return post({"query": ME, "extensions": "x"}, accept, make_token(alice)), 400, "BAD_REQUEST"
    if case == "throttled":
        settings.GRAPHQL_RATE_BUDGET = 2
        token = make_token(alice)
        post({"query": ME}, accept, token)  # 2 points: the document is new to the process (schema.pricing)
        return post({"query": ME}, accept, token), 429, "THROTTLED"
    raise AssertionError(case)


REFUSALS = [
    "no token",
    "no token, data",
    "malformed header",
    "token in the body",
    "unknown token",
    "every root field denied",
    "mutation without write",
    "mutation over GET",
    "another method",
    "form body",
    "malformed JSON",
    "no query",
    "extensions not a map",
    "throttled",
]


@pytest.mark.parametrize(("media_type", "accept"), MEDIA_TYPES, ids=MEDIA_TYPE_IDS)
@pytest.mark.parametrize("case", REFUSALS)
def test_refusals_keep_their_status_under_both_media_types(alice, make_token, settings, case, media_type, accept):
    response, status, code = refusal(case, alice, make_token, settings, accept)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == media_type
    body = response.json()
    assert "data" not in body
    assert [error["extensions"]["code"] for error in body["errors"]] == [code]


@pytest.mark.parametrize(
    ("label", "body", "code"),
    [
        ("parse", {"query": "{"}, "GRAPHQL_PARSE_FAILED"),
        ("validation", {"query": "{ nothingHere }"}, "GRAPHQL_VALIDATION_FAILED"),
        (
            "variables",
            {"query": "query ($n: String!) { __type(name: $n) { name } }", "variables": {"n": None}},
            "BAD_REQUEST",
        ),
        ("operation name", {"query": "query A { __typename }", "operationName": "B"}, "BAD_REQUEST"),
        ("a limit", {"query": "{ " + "a: __typename " * 16 + "}"}, "TOO_MANY_ALIASES"),
    ],
)
@pytest.mark.parametrize(("media_type", "accept"), MEDIA_TYPES, ids=MEDIA_TYPE_IDS)
@pytest.mark.parametrize("with_token", [True, False], ids=["token", "anonymous"])
def test_a_graphql_request_error_is_400_or_200_for_legacy_clients(
    alice, make_token, label, body, code, media_type, accept, with_token
):
    """The audits' 572B, FDE2, 7B9B (legacy: 200) and 556A, 74FF, 86EE, D586, 5E5B (400, no data)."""
    response = post(body, accept, make_token(alice) if with_token else None)
    assert response.status_code == (400 if media_type == GRAPHQL_RESPONSE else 200), response.content
    assert response["Content-Type"] == media_type
    answer = response.json()
    assert "data" not in answer
    assert [error["extensions"]["code"] for error in answer["errors"]] == [code]
