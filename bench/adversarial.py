"""Adversarial benchmark (issue 15): what a point of the rate budget can buy, in time, for hostile documents.

Seeds the benchmark's data (bench/seed.py) plus a group of 20,000 members ("big") and one of 3 ("few"),
serves bench.settings with gunicorn (2 sync workers, DEBUG off) on a free port of 127.0.0.1 (SQLite with
the in-process cache, or with --database postgres PostgreSQL from DATABASE_URL and Redis from REDIS_URL),
and sends each document of the corpus one at a time, best of --rounds, each round a text the server has not
seen (as an attacker would vary it, to make the server parse and validate it again). For each it prints the time, the
points charged (``extensions.cost.requestedQueryCost``; a refused document costs one point, SPEC §5),
the time per point and its ratio to the 50-user list's time per point, measured in the same run; for the
documents that page through a group, the ratio of the big group's time to the few's.

Exits 1 when a ratio passes its target (issue 15: time per point at most 3x the list's; big group at
most 3x the few), or when a document does not get the answer it should.

    .venv/bin/python bench/adversarial.py [--database sqlite|postgres] [--rounds 3]
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, ensure_tools, server_env  # noqa: E402
from bench.seed import seed  # noqa: E402
from bench.server import HOST, free_port, start_gunicorn, stop  # noqa: E402
from bench.workloads import USERS  # noqa: E402

BIG, FEW = 20_000, 3
ACCEPT = "application/graphql-response+json, application/json;q=0.9"  # refusals are 400 (SPEC §5)
POINT_RATIO_TARGET = 3.0  # time per charged point, against the 50-user list's
GROUP_RATIO_TARGET = 3.0  # a document on the big group, against the same on the few

MEMBER_PAGE = "members(first: 1) { edges { node { username } } }"
TWO_LEVELS = (
    "members(first: 1) {{ edges {{ node {{ groups(first: 1) {{ edges {{ node {{"
    ' members(first: 1, after: "{cursor}") {{ totalCount }} }} }} }} }} }} }}'
)


@dataclass
class Hostile:
    name: str
    build: object  # (group id, cursors of that group's members) -> (document, variables)
    per_group: bool = True  # measured on the big group and on the few
    expect: int = 200  # the status it must get
    writes: bool = False  # sent with a token that also holds `write`
    results: dict = field(default_factory=dict)  # group label -> (seconds, points, status)


def aliases(body) -> str:
    return " ".join(f"a{i}: {body(i)}" for i in range(15))


def on_group(selection) -> object:
    def build(group_id, cursors):
        return "query ($g: ID!) { " + aliases(lambda i: f"group(id: $g) {{ {selection(i, cursors)} }}") + " }", {
            "g": group_id
        }

    return build


def fixed(document: str, variables: dict | None = None):
    return lambda group_id, cursors: (document, variables)


CORPUS = [
    Hostile("a minimal document: { me { id } }", fixed("{ me { id } }"), per_group=False),
    Hostile("15 aliases of members(first: 1)", on_group(lambda i, c: MEMBER_PAGE)),
    Hostile(
        "15 different pages: members(first: i)",
        on_group(lambda i, c: f"members(first: {i + 1}) {{ pageInfo {{ hasNextPage }} }}"),
    ),
    Hostile(
        "15 pages after cursors from the API",
        on_group(lambda i, c: f'members(first: 1, after: "{c[i % len(c)]}") {{ edges {{ node {{ username }} }} }}'),
    ),
    Hostile(
        "15 x members(last: i)", on_group(lambda i, c: f"members(last: {i + 1}) {{ pageInfo {{ hasPreviousPage }} }}")
    ),
    Hostile(
        "15 x members(last: 1, before: cursor)",
        on_group(lambda i, c: f'members(last: 1, before: "{c[-1 - i % len(c)]}") {{ edges {{ cursor }} }}'),
    ),
    Hostile("two levels of nesting with cursors", on_group(lambda i, c: TWO_LEVELS.format(cursor=c[i % len(c)]))),
    Hostile(
        "15 x members(first: 1) { totalCount }", on_group(lambda i, c: f"members(first: {i + 1}) {{ totalCount }}")
    ),
    Hostile(
        "990 repeated fields",
        fixed("{ me { " + " ".join(["id"] * 990) + " } }"),
        per_group=False,
        expect=400,
    ),
    Hostile(
        "990 distinct aliases of one field",
        fixed("{ me { " + " ".join(f"f{i}: id" for i in range(990)) + " } }"),
        per_group=False,
        expect=400,
    ),
    Hostile(
        "selections past the limit through fragments",
        fixed(
            "{ me { ...F9 } } fragment F0 on User { id username } "
            + " ".join(f"fragment F{n} on User {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, 10))
        ),
        per_group=False,
        expect=400,
    ),
    Hostile(
        "12 x __schema { types { fields … } }",
        fixed(
            "{ "
            + " ".join(f"s{i}: __schema {{ types {{ ...T }} }}" for i in range(12))
            + " } fragment T on __Type { name fields { name type { name fields { name type { name fields {"
            + " name } } } } } }"
        ),
        per_group=False,
        expect=400,
    ),
    Hostile("the standard introspection query", fixed(None), per_group=False),  # filled in main()
    Hostile(
        "users(search) over every user",
        fixed('{ users(search: "zz-no-such", first: 100) { totalCount } }'),
        per_group=False,
    ),
    Hostile(
        "users(orderBy: -dateJoined, last: 1)",
        fixed('{ users(orderBy: "-dateJoined", last: 1) { edges { cursor node { id } } } }'),
        per_group=False,
    ),
    # From the review of this work (issue 15): each was cheap per point before the fix it names.
    Hostile(
        "first: 100 and last: 1 under 50 groups (priced by rows read)",
        fixed("{ groups(first: 50) { edges { node { members(first: 100, last: 1) { edges { node { id } } } } } } }"),
        per_group=False,
    ),
    Hostile(
        "a lookup beside a list (batched by identity)",
        fixed(
            "{ users(first: 100) { edges { node { id } } }"
            ' u: user(id: "VXNlcjox") { groups(first: 50) { edges { node { id } } } } }'
        ),
        per_group=False,
    ),
    Hostile("15 x node(id: $g) (read once)", on_group(lambda i, c: "id")),  # group(id:) replaced below
    Hostile(
        "15 mutations, each reading a count",
        fixed(
            "mutation { "
            + " ".join(
                f'u{i}: updateMe(input: {{firstName: "x{i}"}}) {{ user {{ groups(first: 1) {{ totalCount }} }} }}'
                for i in range(15)
            )
            + " }"
        ),
        per_group=False,
        writes=True,
    ),
    Hostile(
        "users(group: the big group, first: 1): every membership read and sorted",
        fixed('{ users(group: "adversarial-big", first: 1) { edges { node { id } } } }'),
        per_group=False,
    ),
    Hostile("2 MB of undeclared variables", fixed("{ me { id } }", {"junk": ["x" * 100] * 20_000}), per_group=False),
]


def post(url: str, token: str, document: str, variables: dict | None) -> tuple[float, int, dict]:
    body = json.dumps({"query": document, "variables": variables}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": ACCEPT}
    request = urllib.request.Request(url + "/graphql", data=body, headers=headers, method="POST")
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    return time.perf_counter() - began, status, json.loads(text)


def points_of(body: dict, sent: str) -> int:
    """What the request was charged: its ``requestedQueryCost``, or for a refused document what the
    server charges for one (``schema.pricing.refusal_cost``: the bench's documents are always new)."""
    from schema.pricing import refusal_cost

    cost = body.get("extensions", {}).get("cost")
    return cost["requestedQueryCost"] if cost else refusal_cost(sent)


def best(
    url: str, token: str, document: str, variables, rounds: int, fresh: bool = True
) -> tuple[float, int, int, dict]:
    """Best of ``rounds``; ``fresh``: each round a text the server has not seen (a comment differs), as an
    attacker sends them, so that each pays for parsing and validation."""
    sent = [f"{document}\n# {time.time_ns()}" if fresh else document for _ in range(rounds)]
    runs = [post(url, token, text, variables) for text in sent]
    seconds = min(run[0] for run in runs)
    _, status, body = runs[-1]
    return seconds, points_of(body, sent[-1]), status, body


def token_with(scopes: str) -> str:
    """Another token of the bench user (bench/seed.py), with ``scopes``: the same user's budget."""
    import secrets
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from bench.seed import BENCH_USERNAME
    from users.models import Application, User

    application = Application.objects.get(name="bench-password")
    application.allowed_scopes = "read write groups"
    application.save(update_fields=["allowed_scopes"])
    raw = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        user=User.objects.get(username=BENCH_USERNAME),
        application=application,
        token=raw,
        scope=scopes,
        expires=timezone.now() + timedelta(days=1),
    )
    return raw


def seed_groups() -> dict[str, int]:
    from django.contrib.auth.models import Group

    from users.models import User

    ids = {}
    Membership = User.groups.through
    for label, size in (("big", BIG), ("few", FEW)):
        group = Group.objects.create(name=f"adversarial-{label}")
        users = User.objects.bulk_create(User(username=f"{label}-{n:05}") for n in range(size))
        Membership.objects.bulk_create(Membership(user=u, group=group) for u in users)
        ids[label] = group
    return ids


def cursors_of(url: str, token: str, group_id: str) -> list[str]:
    """Cursors of members spread through the group, asked of the API as a client would."""
    query = "query ($g: ID!, $a: String) { group(id: $g) { members(first: 100, after: $a) { edges { cursor } } } }"
    _, _, first = post(url, token, query, {"g": group_id, "a": None})
    edges = first["data"]["group"]["members"]["edges"]
    tail_query = "query ($g: ID!) { group(id: $g) { members(last: 100) { edges { cursor } } } }"
    _, _, tail = post(url, token, tail_query, {"g": group_id})
    return [e["cursor"] for e in edges[:8]] + [e["cursor"] for e in tail["data"]["group"]["members"]["edges"][-7:]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ensure_tools()
    RESULTS.mkdir(exist_ok=True)
    port = free_port()
    env, database = server_env(args.database, port, RESULTS / "adversarial.sqlite3")
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache
    from graphql import get_introspection_query
    from graphql_relay import to_global_id

    cache.clear()
    token = seed()["token"]
    write_token = token_with("read write groups")
    groups = {label: to_global_id("Group", group.pk) for label, group in seed_groups().items()}
    CORPUS[[h.name for h in CORPUS].index("the standard introspection query")].build = fixed(get_introspection_query())
    CORPUS[[h.name for h in CORPUS].index("15 x node(id: $g) (read once)")].build = lambda group_id, cursors: (
        "query ($g: ID!) { " + aliases(lambda i: "node(id: $g) { id }") + " }",
        {"g": group_id},
    )

    load_before = os.getloadavg()[0]
    url = f"http://{HOST}:{port}"
    server = start_gunicorn(port, env, RESULTS / "adversarial-gunicorn.log")
    failures = []
    try:
        for _ in range(50):
            try:
                post(url, token, "{ __typename }", None)
                break
            except OSError:
                time.sleep(0.2)
        cursors = {label: cursors_of(url, token, gid) for label, gid in groups.items()}
        # The list as an app sends it: the same text every time (prepared once per process).
        list_seconds, list_points, status, _ = best(url, token, USERS, None, max(args.rounds, 5), fresh=False)
        per_point = list_seconds / list_points
        rows = [("the 50-user list (baseline)", status, list_points, list_seconds, None, 1.0)]
        for hostile in CORPUS:
            labels = ["big", "few"] if hostile.per_group else ["-"]
            for label in labels:
                gid = groups.get(label, groups["big"])
                document, variables = hostile.build(gid, cursors.get(label, cursors["big"]))
                sender = write_token if hostile.writes else token
                seconds, points, status, body = best(url, sender, document, variables, args.rounds)
                hostile.results[label] = (seconds, points, status)
                if status != hostile.expect:
                    failures.append(
                        f"{hostile.name} [{label}]: status {status}, expected {hostile.expect}: {str(body)[:300]}"
                    )
            seconds, points, status = hostile.results[labels[0]]
            group_ratio = seconds / hostile.results["few"][0] if hostile.per_group else None
            point_ratio = (seconds / points) / per_point
            rows.append((hostile.name, status, points, seconds, group_ratio, point_ratio))
            if point_ratio > POINT_RATIO_TARGET:
                failures.append(f"{hostile.name}: {point_ratio:.2f}x the list's time per point")
            if group_ratio is not None and group_ratio > GROUP_RATIO_TARGET:
                failures.append(f"{hostile.name}: big group {group_ratio:.2f}x the few")
    finally:
        stop(server)
    lines = [
        f"Adversarial benchmark, {database}; gunicorn 2 sync workers, DEBUG off;"
        f" {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; best of {args.rounds} sequential requests, each a document the"
        f" server has not seen; group of {BIG:,} members vs {FEW}; load average (1 min) {load_before:.2f} before,"
        f" {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs.",
        "",
        "| document | status | points | ms (big group) | big / few | ms per point | per point / list's |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, status, points, seconds, group_ratio, point_ratio in rows:
        ratio = "-" if group_ratio is None else f"{group_ratio:.2f}x"
        lines.append(
            f"| {name} | {status} | {points} | {seconds * 1000:.1f} | {ratio} | {seconds * 1000 / points:.1f} |"
            f" {point_ratio:.2f}x |"
        )
    worst = max(rows[1:], key=lambda row: row[5])
    lines += [
        "",
        f"Worst time per point: {worst[0]}, {worst[5]:.2f}x the list's (target <= {POINT_RATIO_TARGET}x);"
        f" worst big group / few: {max(r[4] or 0 for r in rows):.2f}x (target <= {GROUP_RATIO_TARGET}x).",
        *(f"FAILED: {failure}" for failure in failures),
    ]
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    target = ROOT / "bench" / ("adversarial.md" if args.database == "sqlite" else "adversarial-postgres.md")
    target.write_text("# Adversarial benchmark (`bench/adversarial.py`)\n\n" + text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
