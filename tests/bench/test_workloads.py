"""What a right answer is, checked before the rounds (and, for `errors`, by wrk during them)."""

import json

import pytest

from bench.workloads import Workload, count_nodes, problem, same_data

LIST = Workload("list", "POST", "/graphql", {}, graphql=True, shape=(2, 1))


def users(*group_counts: int) -> dict:
    edges = [
        {"node": {"id": str(n), "groups": {"edges": [{"node": {"name": "g"}}] * groups}}}
        for n, groups in enumerate(group_counts)
    ]
    return {"data": {"users": {"edges": edges}}}


def body(value) -> bytes:
    return json.dumps(value).encode()


def test_the_listed_shape_is_a_right_answer():
    assert problem(LIST, 200, body(users(1, 1))) is None


@pytest.mark.parametrize(
    ("label", "status", "value", "reason"),
    [
        ("a 200 carrying errors", 200, {**users(1, 1), "errors": [{"message": "denied"}]}, "carries errors"),
        ("a 500", 500, {"errors": []}, "status 500"),
        ("too few users", 200, users(1), "1 users"),
        ("a user without groups", 200, users(1, 0), "[0, 1] groups"),
        ("no users at all", 200, {"data": {"users": None}}, "does not list"),
    ],
)
def test_wrong_answers_are_named(label, status, value, reason):
    assert reason in problem(LIST, status, body(value))


def test_errors_in_a_non_graphql_body_are_data():
    assert problem(Workload("token", "POST", "/o/token/", {}), 200, body({"errors": 0})) is None


def test_nodes_are_users_and_their_groups():
    assert count_nodes(users(3, 2)) == 2 + 5


@pytest.mark.parametrize(
    ("label", "prefetch", "same"),
    [
        ("the same data", users(1, 1), True),
        ("other data", users(1, 2), False),
        ("more than data", {**users(1, 1), "extensions": {}}, False),
    ],
)
def test_the_prefetch_view_must_answer_graphql_s_data(label, prefetch, same):
    graphql = {**users(1, 1), "extensions": {"cost": {"nodeCount": 4}}}
    assert same_data(graphql, prefetch) is same
