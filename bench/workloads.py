"""What the benchmark sends, and what a right answer to each request looks like."""

import base64
import hashlib
import json
import statistics
from dataclasses import dataclass, field

from bench.seed import LIST_GROUPS, LIST_USERS, WIDE_GROUPS, WIDE_USERS

ME = "{ me { id username email } }"
USERS = "{ users(first: 50) { edges { node { id username email groups(first: 10) { edges { node { name } } } } } } }"
# Issue 12's scale case: the page after the first 50 holds the users in 50 groups each (bench/seed.py).
# groups(first: 99), not the 100: 100 + 100 x 100 nodes is over SPEC's static limit of 10,000
# and answers 400; 99 returns the same 50 groups at a cost of exactly 10,000.
SCALE = (
    "query($after: String) { users(first: 100, after: $after) { edges { node { id username email"
    " groups(first: 99) { edges { node { name } } } } } } }"
)
END_CURSOR = "{ users(first: 50) { pageInfo { endCursor } } }"

BARE, DRF, ME_NAME = "bare Django view", "DRF + DOT view", "graphql me"
LIST, PREFETCH = "graphql users(50) x groups(3)", "prefetch view users(50) x groups(3)"
NAIVE, SCALE_NAME = "naive graphene-django users(50) x groups(3)", "graphql users(100) x groups(50)"
UNPLANNED = "graphql users(50) x groups(3), plans off"
TOKEN = "/o/token/ client_credentials"
# Issue 19: the same two documents sent by id (trusted for the bench client by bench/seed.py).
ME_BY_ID, LIST_BY_ID = "graphql me by id", "graphql users(50) x groups(3) by id"
TRUSTED = (ME, USERS)


def document_id(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Workload:
    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""
    content_type: str = ""
    connections: int = 8
    threads: int = 2
    graphql: bool = False  # a 200 whose body carries "errors" is an error, not throughput
    shape: tuple[int, int] | None = None  # (users, groups per user) a right answer lists
    runs: list[dict[str, float]] = field(default_factory=list)
    queries: int | None = None
    nodes: int | None = None  # nodes in a right answer (users and groups), for the time per node

    def median(self, key: str) -> float:
        return statistics.median(run[key] for run in self.runs)


def workloads(seeded: dict[str, str], after: str) -> list[Workload]:
    bearer = {"Authorization": f"Bearer {seeded['token']}"}
    basic = base64.b64encode(f"{seeded['client_id']}:{seeded['client_secret']}".encode()).decode()
    graphql = {"method": "POST", "headers": bearer, "content_type": "application/json", "graphql": True}
    users = json.dumps({"query": USERS})
    page = (LIST_USERS, LIST_GROUPS)
    return [
        Workload(BARE, "GET", "/bench/bare", {}),
        Workload(DRF, "GET", "/bench/drf", bearer),
        Workload(ME_NAME, path="/graphql", body=json.dumps({"query": ME}), **graphql),
        Workload(LIST, path="/graphql", body=users, shape=page, **graphql),
        Workload(ME_BY_ID, path="/graphql", body=json.dumps({"documentId": document_id(ME)}), **graphql),
        Workload(
            LIST_BY_ID, path="/graphql", body=json.dumps({"documentId": document_id(USERS)}), shape=page, **graphql
        ),
        Workload(PREFETCH, "GET", "/bench/prefetch-users", bearer, graphql=True, shape=page),
        Workload(NAIVE, path="/bench/naive-graphql", body=users, shape=page, **graphql),
        Workload(UNPLANNED, path="/bench/graphql-unplanned", body=users, shape=page, **graphql),
        # 4 connections: enough to keep both workers busy without queueing multi-second requests.
        Workload(
            SCALE_NAME,
            path="/graphql",
            body=json.dumps({"query": SCALE, "variables": {"after": after}}),
            connections=4,
            shape=(WIDE_USERS, WIDE_GROUPS),
            **graphql,
        ),
        Workload(
            TOKEN,
            "POST",
            "/o/token/",
            {"Authorization": f"Basic {basic}"},
            body="grant_type=client_credentials&scope=read",
            content_type="application/x-www-form-urlencoded",
            connections=1,
            threads=1,
        ),
    ]


def count_nodes(value) -> int:
    """Objects under a "node" key, at any depth: users and their groups."""
    if isinstance(value, dict):
        return ("node" in value) + sum(count_nodes(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_nodes(v) for v in value)
    return 0


def problem(workload: Workload, status: int, body: bytes) -> str | None:
    """Why this answer is not a right one, or None."""
    if not 200 <= status < 300:
        return f"status {status}"
    try:
        data = json.loads(body)
    except ValueError:
        return "the body is not JSON"
    if workload.graphql and "errors" in data:
        return "the body carries errors"
    if workload.shape is not None:
        users, groups = workload.shape
        try:
            edges = data["data"]["users"]["edges"]
            sizes = [len(edge["node"]["groups"]["edges"]) for edge in edges]
        except (KeyError, TypeError):
            return "the body does not list users and their groups"
        if len(edges) != users or set(sizes) != {groups}:
            return f"{len(edges)} users with {sorted(set(sizes))} groups, not {users} with {groups}"
    return None


def same_data(graphql: dict, prefetch: dict) -> bool:
    """The prefetch view answers exactly /graphql's `data`, and nothing else.

    /graphql's body also carries `extensions.cost`, the rate budget's report, which is GraphQL's own.
    """
    return set(prefetch) == {"data"} and graphql.get("data") == prefetch["data"]


def check(workload: Workload, status: int, body: bytes) -> None:
    reason = problem(workload, status, body)
    if reason is not None:
        raise SystemExit(f"{workload.name}: wrong answer ({reason}): {body[:300]!r}")
