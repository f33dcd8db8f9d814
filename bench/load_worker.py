"""One connection of the load check: a user with a token pair, cycling through queries, mutations and
refreshes, and remembering every write it attempted and whether the server acknowledged it."""

import threading
import time
from dataclasses import dataclass, field

import requests

PASSWORD = "load-check-Password-42"
REFRESH_EVERY = 50
MEMBERS_PER_WORKER = 4  # 40 member users, 4 per worker (overlapping past 10 workers: their groups differ)
TIMEOUT = 10  # seconds per request

ME = "{ me { id username firstName } }"
USERS = (
    "{ users(first: 20) { totalCount edges { node { id username groups(first: 10) { edges { node { name } } } } } } }"
)
GROUPS = "{ groups(first: 20) { totalCount edges { node { id name } } } }"
UPDATE_ME = "mutation($name: String) { updateMe(input: {firstName: $name}) { user { firstName } errors { code } } }"
MEMBERSHIP = "mutation($g: ID!, $u: ID!) { %s(input: {groupId: $g, userId: $u}) { group { id } errors { code } } }"
ADD, REMOVE = MEMBERSHIP % "addGroupMember", MEMBERSHIP % "removeGroupMember"
CREATE = "mutation($name: String!) { createGroup(input: {name: $name}) { group { id } errors { code } } }"
# 6 queries and 3 mutations in every 10 requests; every REFRESH_EVERY-th request is a token refresh instead.
CYCLE = ["me", "users", "groups", "update_me", "users", "membership", "me", "groups", "create_group", "users"]


@dataclass
class Worker:
    index: int
    username: str
    group_id: str  # global id of the worker's own group: only this worker changes its members
    member_ids: list[str]  # global ids of the users it adds to and removes from that group
    base_url: str
    client: tuple[str, str]  # client id and secret (HTTP Basic)
    access: str = ""
    refresh: str = ""
    samples: list[tuple[str, int, float]] = field(default_factory=list)  # kind, status (0: no answer), seconds
    error_bodies: int = 0  # 200s carrying GraphQL errors: every request here is valid and allowed
    masked: int = 0  # of which carrying an INTERNAL_SERVER_ERROR
    # Every attempted write as (value, acknowledged), in order.
    first_names: list[tuple[str, bool]] = field(default_factory=list)
    memberships: dict[str, list[tuple[bool, bool]]] = field(default_factory=dict)
    created: list[tuple[str, bool]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.session = requests.Session()

    def token_request(self, kind: str, data: dict[str, str]) -> bool:
        started = time.perf_counter()
        try:
            response = self.session.post(f"{self.base_url}/o/token/", data=data, auth=self.client, timeout=TIMEOUT)
        except requests.RequestException:
            self.samples.append((kind, 0, time.perf_counter() - started))
            return False
        self.samples.append((kind, response.status_code, time.perf_counter() - started))
        if response.status_code != 200:
            return False
        pair = response.json()
        self.access, self.refresh = pair["access_token"], pair["refresh_token"]
        return True

    def login(self) -> bool:
        grant = {"grant_type": "password", "username": self.username, "password": PASSWORD}
        return self.token_request("password_grant", {**grant, "scope": "read write groups"})

    def graphql(self, kind: str, query: str, variables: dict | None = None) -> dict | None:
        """The response body of a 200, else None."""
        started = time.perf_counter()
        try:
            response = self.session.post(
                f"{self.base_url}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {self.access}"},
                timeout=TIMEOUT,
            )
        except requests.RequestException:
            self.samples.append((kind, 0, time.perf_counter() - started))
            return None
        self.samples.append((kind, response.status_code, time.perf_counter() - started))
        if response.status_code != 200:
            return None
        body = response.json()
        self.error_bodies += bool(body.get("errors"))
        if any(e.get("extensions", {}).get("code") == "INTERNAL_SERVER_ERROR" for e in body.get("errors", [])):
            self.masked += 1
        return body

    def mutate(self, kind: str, query: str, variables: dict) -> bool:
        """True when the mutation was acknowledged: a 200 with its payload and no errors at all."""
        body = self.graphql(kind, query, variables)
        if body is None or body.get("errors"):
            return False
        payload = next(iter((body.get("data") or {}).values()), None)
        return payload is not None and payload["errors"] == []

    def step(self, n: int) -> None:
        if n % REFRESH_EVERY == 0:
            if not self.token_request("refresh", {"grant_type": "refresh_token", "refresh_token": self.refresh}):
                self.login()  # keep going with a fresh pair; the failed refresh is already counted
            return
        kind = CYCLE[n % len(CYCLE)]
        if kind == "me":
            self.graphql(kind, ME)
        elif kind == "users":
            self.graphql(kind, USERS)
        elif kind == "groups":
            self.graphql(kind, GROUPS)
        elif kind == "update_me":
            name = f"w{self.index}-{n}"
            self.first_names.append((name, self.mutate(kind, UPDATE_ME, {"name": name})))
        elif kind == "membership":
            user_id = self.member_ids[(n // len(CYCLE)) % len(self.member_ids)]
            history = self.memberships.setdefault(user_id, [])
            join = not (history and history[-1][0])  # alternate add / remove per user
            acked = self.mutate(kind, ADD if join else REMOVE, {"g": self.group_id, "u": user_id})
            history.append((join, acked))
        elif kind == "create_group":
            name = f"lc-{self.index}-{n}"
            self.created.append((name, self.mutate(kind, CREATE, {"name": name})))

    def run(self, stop: threading.Event) -> None:
        n = 1
        while not stop.is_set():
            self.step(n)
            n += 1
