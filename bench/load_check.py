"""Load check (issue 3, item 8): the service under gunicorn (2 workers) on PostgreSQL and Redis, 16 concurrent
connections for 60 s of mixed authenticated queries, mutations and token refreshes; then "zero lost writes":
every acknowledged mutation is in the database.

Creates a scratch database on 127.0.0.1 and drops it at the end; only talks to 127.0.0.1.

    .venv/bin/python bench/load_check.py [--seconds 60] [--connections 16]

Prints requests, counts by status, errors by status, p50/p99 latency, and the lost-write check with how many
writes were acknowledged; exits non-zero on any 5xx, transport failure, unexpected status, 200 carrying
GraphQL errors (every request is valid and allowed) or lost write, and when a kind of write was never
acknowledged (then "zero lost" would check nothing).
429 THROTTLED answers (the per-token rate budget) are counted separately and are not errors.
Redis: REDIS_URL if set (its budget keys are deleted first), else database 0 on 127.0.0.1.
"""

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, only bench/ is on the path
    sys.path.insert(0, str(ROOT))

from bench.environment import production_env  # noqa: E402
from bench.load_worker import MEMBERS_PER_WORKER, PASSWORD, Worker  # noqa: E402
from bench.scratch_db import drop_database, recreate_database  # noqa: E402
from bench.writes import Tally  # noqa: E402

HOST = "127.0.0.1"
DATABASE = "bench_loadcheck"
REDIS_URL = os.environ.get("REDIS_URL") or f"redis://{HOST}:6379/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def forget_budgets() -> None:
    """Token ids restart in the fresh database: drop budget counters a previous run left in Redis."""
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter("*graphql-budget:*"):
        client.delete(key)


def seed(connections: int, base_url: str) -> list[Worker]:
    """One user per connection (may add and change groups) owning one group, members to toggle, an app."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, Permission
    from graphql_relay import to_global_id

    from users.models import Application, User

    password = make_password(PASSWORD)  # hashed once, shared: 1,000,000 PBKDF2 rounds each would take seconds
    permissions = list(
        Permission.objects.filter(content_type__app_label="auth", codename__in=["add_group", "change_group"])
    )
    shared = User.objects.bulk_create(User(username=f"shared-{i}", password=password) for i in range(2))
    members = User.objects.bulk_create(User(username=f"member-{i:02}", password=password) for i in range(40))
    secret = secrets.token_urlsafe(48)
    application = Application.objects.create(
        name="load-check",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_PASSWORD,
        client_secret=secret,
        allowed_scopes="read write groups",
    )
    workers = []
    for i in range(connections):
        user = User.objects.create(username=f"load-{i:02}", password=password, first_name="start")
        user.user_permissions.add(*permissions)
        group = Group.objects.create(name=f"load-group-{i:02}")
        mine = members[i * MEMBERS_PER_WORKER % len(members) :][:MEMBERS_PER_WORKER]
        group.user_set.add(*shared, user)  # so that users(...) { groups } has data
        workers.append(
            Worker(
                index=i,
                username=user.username,
                group_id=to_global_id("Group", group.pk),
                member_ids=[to_global_id("User", m.pk) for m in mine],
                base_url=base_url,
                client=(application.client_id, secret),
            )
        )
    return workers


def lost_writes(workers: list[Worker]) -> Tally:
    from django.contrib.auth.models import Group
    from graphql_relay import from_global_id

    from users.models import User

    tally = Tally()
    existing = set(Group.objects.filter(name__startswith="lc-").values_list("name", flat=True))
    for w in workers:
        tally.value("firstName", w.first_names, User.objects.get(username=w.username).first_name)
        tally.created("created groups", w.created, existing)
        group = Group.objects.get(pk=int(from_global_id(w.group_id)[1]))
        current = set(group.user_set.values_list("pk", flat=True))
        for user_id, history in w.memberships.items():
            tally.value("memberships", history, int(from_global_id(user_id)[1]) in current)
    return tally


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def report(workers: list[Worker], seconds: float) -> int:
    samples = [s for w in workers for s in w.samples]
    by_status = Counter(status for _, status, _ in samples)
    errors = {status: n for status, n in by_status.items() if status not in (200, 429)}
    masked = sum(w.masked for w in workers)
    error_bodies = sum(w.error_bodies for w in workers)
    ms = [elapsed * 1000 for _, _, elapsed in samples]
    print(f"requests: {len(samples)} in {seconds:.1f} s ({len(samples) / seconds:.0f}/s)")
    print("by status:", dict(sorted(by_status.items())), "(0 = no answer)")
    print("errors by status:", dict(sorted(errors.items())) or "none", f"| throttled (429): {by_status[429]}")
    print(f"200s carrying GraphQL errors: {error_bodies}, of which masked internal errors: {masked}")
    print(
        f"latency: p50 {percentile(ms, 0.5):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms, max {max(ms, default=0):.1f} ms"
    )
    for kind in sorted({k for k, _, _ in samples}):
        kms = [e * 1000 for k, _, e in samples if k == kind]
        print(f"  {kind:<15} {len(kms):>6}  p50 {percentile(kms, 0.5):6.1f} ms  p99 {percentile(kms, 0.99):6.1f} ms")
    tally = lost_writes(workers)
    print(tally.summary())
    for problem in tally.problems():
        print(f"FAILED: {problem}")
    return 1 if errors or error_bodies or tally.problems() else 0


def wait_until_up(base_url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            requests.get(f"{base_url}/.well-known/oauth-authorization-server", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the load phase (default 60)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    args = parser.parse_args()

    port = free_port()
    base_url = f"http://{HOST}:{port}"
    env = {
        **production_env(HOST, port),
        "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "project.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    recreate_database(DATABASE)
    server = None
    log = tempfile.NamedTemporaryFile("w+", prefix="load_check_gunicorn_", suffix=".log", delete=False)
    try:
        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        forget_budgets()
        workers = seed(args.connections, base_url)
        connections.close_all()

        gunicorn = [
            str(Path(sys.executable).with_name("gunicorn")),
            "project.wsgi",
            "-w",
            "2",
            "-b",
            f"{HOST}:{port}",
            "--timeout",
            "30",
        ]
        server = subprocess.Popen(gunicorn, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        wait_until_up(base_url, server)
        for w in workers:
            if not w.login():
                raise SystemExit(f"password grant failed for {w.username}; see {log.name}")
            w.samples.clear()  # the start-up logins (PBKDF2) are not part of the load

        print(f"load: {args.connections} connections for {args.seconds:.0f} s against gunicorn -w 2 at {base_url}")
        stop = threading.Event()
        threads = [threading.Thread(target=w.run, args=(stop,), daemon=True) for w in workers]
        started = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        hard_stop = started + args.seconds + 15  # at most one request (TIMEOUT) in flight per thread
        for t in threads:
            t.join(timeout=max(0.0, hard_stop - time.monotonic()))
        elapsed = time.monotonic() - started
        if any(t.is_alive() for t in threads):
            print("warning: some connections were still busy at the hard stop")
        server.terminate()
        server.wait(timeout=15)
        status = report(workers, elapsed)
        if status:
            print(f"gunicorn log: {log.name}")
        return status
    finally:
        if server is not None and server.poll() is None:
            server.kill()
            server.wait()
        from django.db import connections

        connections.close_all()
        drop_database(DATABASE)


if __name__ == "__main__":
    sys.exit(main())
