"""Throughput benchmark (issues 4 and 12): /graphql against hand-written Django, DRF and naive graphene-django
views of the same data.

Installs what it needs (bench/requirements.txt, Debian's wrk), seeds a fresh database (SQLite, or the
PostgreSQL database named in DATABASE_URL with --database postgres, whose name must start with "bench":
it is dropped and recreated), serves bench.settings with gunicorn (2 sync workers, DEBUG off) on a free
port of 127.0.0.1, checks that every workload answers right, runs them with wrk in alternating rounds,
and prints (and writes to bench/results*.md and the README) the table and the issues' ratio lines.
Exits non-zero if any request failed or answered with GraphQL errors during the rounds, or if wrk
measured nothing. Stops everything it started.

    .venv/bin/python bench/run.py [--quick] [--rounds 5] [--seconds 5] [--database sqlite|postgres] [--cache redis]

``--cache redis`` runs SQLite with the production cache (the budget counted in the Redis of REDIS_URL, or
127.0.0.1:6379/13), as PostgreSQL always runs; its table goes to bench/results-sqlite-redis.md.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, only bench/ is on the path
    sys.path.insert(0, str(ROOT))

from bench import readme, report, scratch_db, wrk  # noqa: E402
from bench.environment import production_env  # noqa: E402
from bench.seed import seed  # noqa: E402
from bench.server import HOST, free_port, peak_rss_kib, request, start_gunicorn, stop, wait_ready  # noqa: E402
from bench.workloads import END_CURSOR, LIST, PREFETCH, Workload, check, count_nodes, same_data, workloads  # noqa: E402

RESULTS = ROOT / "bench" / "results"
MIN_ROUNDS = 5  # the issues' figures are medians of at least 5 rounds
PAUSE = 0.5  # seconds between wrk runs: let the workers finish requests wrk left queued
OUTPUTS = {
    "sqlite": ("results.md", "bench"),
    "postgres": ("results-postgres.md", "bench-postgres"),
    "sqlite-redis": ("results-sqlite-redis.md", None),
}


def ensure_tools() -> None:
    pip = [sys.executable, "-m", "pip", "install", "-q", "-r", str(ROOT / "bench" / "requirements.txt")]
    subprocess.run(pip, check=True)
    if shutil.which("wrk") is None:
        if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"]).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)


def server_env(
    database: str, port: int, sqlite: Path = RESULTS / "bench.sqlite3", cache: str = "local"
) -> tuple[dict[str, str], str]:
    """The production environment (DEBUG off) of the server and of this process, and the database's label."""
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "BENCH_CACHE"}}
    env.update(production_env(HOST, port), DJANGO_SETTINGS_MODULE="bench.settings", LOG_LEVEL="ERROR")
    if database == "sqlite":
        path = sqlite
        path.unlink(missing_ok=True)
        if cache == "redis":  # the production cache: the budget counted in Redis (users/leases.py)
            env.update(DATABASE_URL=f"sqlite:///{path}", REDIS_URL=redis_url)
            return env, "SQLite, Redis cache"
        # SPEC §6's embedded setup: the production check wants a REDIS_URL, bench.settings keeps the
        # in-process cache (BENCH_CACHE), so nothing ever connects to this one.
        env.update(DATABASE_URL=f"sqlite:///{path}", REDIS_URL="redis://unused.invalid:6379/0", BENCH_CACHE="local")
        return env, "SQLite, in-process cache"
    url = os.environ.get("DATABASE_URL", "")
    name, admin_url = scratch_db.split_url(url)
    if not name.startswith("bench"):
        raise SystemExit(f"--database postgres drops and recreates {name!r}: use a database named bench...")
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("--database postgres runs the production shape: set REDIS_URL too")
    scratch_db.recreate_database(name, admin_url)
    env.update(DATABASE_URL=url, REDIS_URL=os.environ["REDIS_URL"])
    return env, "PostgreSQL, Redis cache"


def client_request(client, workload: Workload):
    return client.generic(
        workload.method,
        workload.path,
        workload.body,
        content_type=workload.content_type or "application/octet-stream",
        headers=workload.headers,
    )


def end_cursor(token: str) -> str:
    """The cursor after the first page of users, asked of the product rather than computed here."""
    from django.test import Client

    response = Client(HTTP_HOST=HOST).post(
        "/graphql", {"query": END_CURSOR}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    return response.json()["data"]["users"]["pageInfo"]["endCursor"]


def count_queries(loads: list[Workload]) -> None:
    """SQL per request in steady state (the second of two identical requests), and nodes per answer."""
    import re

    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    transaction = re.compile(r"(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)
    client = Client(HTTP_HOST=HOST)
    for workload in loads:
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client_request(client, workload)
        check(workload, response.status_code, response.content)
        workload.queries = sum(not transaction.match(query["sql"]) for query in captured.captured_queries)
        if workload.shape is not None:
            workload.nodes = count_nodes(json.loads(response.content))
    connections.close_all()


def same_answers(url: str, by: dict[str, Workload]) -> None:
    """The prefetch view is a fair yardstick only if it answers exactly what /graphql answers."""
    graphql, prefetch = (json.loads(request(url, by[name])[1]) for name in (LIST, PREFETCH))
    if not same_data(graphql, prefetch):
        raise SystemExit(f"{PREFETCH} does not answer the same data as {LIST}")


def machine() -> str:
    import django

    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    return f"{cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}, Django {django.get_version()}"


def measure(url: str, loads: list[Workload], rounds: int, seconds: int) -> None:
    for workload in loads:
        check(workload, *request(url, workload))
        try:
            wrk.run(url, workload, 1, RESULTS)  # warm-up, not a measurement
        except wrk.MeasuredNothing:
            pass  # e.g. no scale request finished within the second; the rounds must measure
        time.sleep(PAUSE)
    same_answers(url, {w.name: w for w in loads})
    for number in range(1, rounds + 1):
        for workload in loads:
            workload.runs.append(wrk.run(url, workload, seconds, RESULTS))
            time.sleep(PAUSE)
            last = workload.runs[-1]
            print(f"round {number}/{rounds} {workload.name}: {last['rps']:,.0f} req/s, {wrk.errors(last)} errors")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 round of 3 s, README untouched")
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="sqlite")
    parser.add_argument("--cache", choices=("local", "redis"), default="local", help="SQLite's cache")
    args = parser.parse_args()
    if not args.quick and args.rounds < MIN_ROUNDS:
        parser.error(f"a full run takes medians of at least {MIN_ROUNDS} rounds")
    rounds, seconds = (1, 3) if args.quick else (args.rounds, args.seconds)
    began = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally clauses

    ensure_tools()
    RESULTS.mkdir(exist_ok=True)
    port = free_port()
    env, database = server_env(args.database, port, cache=args.cache)
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache

    cache.clear()  # e.g. the rate budget's counters of a previous run's token ids
    seeded = seed()
    loads = workloads(seeded, end_cursor(seeded["token"]))
    count_queries(loads)

    load_before = os.getloadavg()[0]
    url = f"http://{HOST}:{port}"
    server = start_gunicorn(port, env, RESULTS / "gunicorn.log")
    try:
        wait_ready(server, url, loads[0])
        measure(url, loads, rounds, seconds)
        rss = peak_rss_kib(server.pid)
    except wrk.MeasuredNothing as failure:
        print(f"measured nothing: {failure}", file=sys.stderr)
        return 2
    finally:
        stop(server)

    setting = report.Setting(
        machine=machine(),
        database=database,
        when=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        load=f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs",
        rounds=rounds,
        seconds=seconds,
        elapsed=time.monotonic() - began,
    )
    text = report.table(loads, rss, setting)
    print("\n" + text)
    output = "sqlite-redis" if (args.database, args.cache) == ("sqlite", "redis") else args.database
    filename, marker = OUTPUTS[output]
    if args.quick:
        return publish(loads, text, RESULTS / f"quick-{filename}", None)
    return publish(loads, text, ROOT / "bench" / filename, marker)


def publish(
    loads: list[Workload], text: str, target: Path, marker: str | None, readme_path=readme.README, failed_dir=RESULTS
) -> int:
    """Write the table (and the README between ``marker``'s markers) unless a request failed: the exit status.

    A failed run's table goes to bench/results/ for reading, and replaces no published figures.
    """
    refused = report.failures(loads)
    if refused:
        failed_dir.mkdir(exist_ok=True)
        (failed_dir / f"failed-{target.name}").write_text(text)
        for reason in refused:
            print(f"FAILED: {reason}", file=sys.stderr)
        return 1
    target.write_text("# Benchmark results (`make bench`)\n\n" + text)
    if marker is not None:
        readme.update(marker, text, readme_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
