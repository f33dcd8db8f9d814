"""Throughput benchmark (issue 4): /graphql against a bare Django view and a DRF + DOT view of the same data.

Installs what it needs (bench/requirements.txt, Debian's wrk), seeds a fresh SQLite database, serves
bench.settings with gunicorn (2 sync workers, DEBUG off) on a free port of 127.0.0.1, runs every workload
with wrk in alternating rounds, and prints (and writes to bench/results.md) a table of median req/s,
p50/p99 latency, SQL queries per request, the ratios of issue 4 and each worker's peak RSS.
Stops everything it started.

    .venv/bin/python bench/run.py [--quick] [--rounds 5] [--seconds 5]
"""

import argparse
import base64
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATABASE = RESULTS / "bench.sqlite3"
HOST = "127.0.0.1"
ME = "{ me { id username email } }"
USERS = "{ users(first: 50) { edges { node { username email groups(first: 10) { edges { node { name } } } } } } }"
MEMBERS, GROUPS = 60, 10
PAUSE = 0.5  # seconds between wrk runs
TRANSACTION = re.compile(r"(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)  # not counted as queries


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
    runs: list[dict[str, float]] = field(default_factory=list)
    queries: int | None = None

    def median(self, key: str) -> float:
        return statistics.median(run[key] for run in self.runs)


def ensure_tools() -> None:
    pip = [sys.executable, "-m", "pip", "install", "-q", "-r", str(ROOT / "bench" / "requirements.txt")]
    subprocess.run(pip, check=True)
    if shutil.which("wrk") is None:
        if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"]).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)


def seed() -> dict[str, str]:
    """A user with a long-lived "read groups" token, members in groups, and a client-credentials client."""
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from bench.urls import BENCH_USERNAME
    from users.models import Application, User

    call_command("migrate", verbosity=0)
    user = User.objects.create(username=BENCH_USERNAME, email="bench@example.com")
    # Let the viewer see other users' emails, so the list workload returns the data it asks for.
    user.user_permissions.add(Permission.objects.get(codename="view_user", content_type__app_label="users"))
    application = Application.objects.create(
        name="bench-password",
        client_type="confidential",
        authorization_grant_type=Application.GRANT_PASSWORD,
        allowed_scopes="read groups",
        client_secret=secrets.token_urlsafe(48),
    )
    token = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        user=user,
        application=application,
        token=token,
        scope="read groups",
        expires=timezone.now() + timedelta(days=30),
    )
    groups = Group.objects.bulk_create(Group(name=f"group-{n:02}") for n in range(GROUPS))
    members = User.objects.bulk_create(
        User(username=f"member-{n:03}", email=f"member-{n:03}@example.com") for n in range(MEMBERS)
    )
    Membership = User.groups.through
    Membership.objects.bulk_create(Membership(user=m, group=g) for m in [user, *members] for g in groups)
    secret = secrets.token_urlsafe(48)
    server = Application.objects.create(
        name="bench-server",
        client_type="confidential",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        allowed_scopes="read",
        client_secret=secret,  # hashed on save
    )
    return {"token": token, "client_id": server.client_id, "client_secret": secret}


def workloads(seeded: dict[str, str]) -> list[Workload]:
    bearer = {"Authorization": f"Bearer {seeded['token']}"}
    basic = base64.b64encode(f"{seeded['client_id']}:{seeded['client_secret']}".encode()).decode()
    graphql = {"method": "POST", "path": "/graphql", "headers": bearer, "content_type": "application/json"}
    return [
        Workload("bare Django view", "GET", "/bench/bare", {}),
        Workload("DRF + DOT view", "GET", "/bench/drf", bearer),
        Workload("graphql me", body=json.dumps({"query": ME}), **graphql),
        Workload("graphql users(50) x groups(10)", body=json.dumps({"query": USERS}), **graphql),
        Workload(
            "naive graphene-django users(50) x groups(10)",
            body=json.dumps({"query": USERS}),
            **{**graphql, "path": "/bench/naive-graphql"},
        ),
        Workload(
            "/o/token/ client_credentials",
            "POST",
            "/o/token/",
            {"Authorization": f"Basic {basic}"},
            body="grant_type=client_credentials&scope=read",
            content_type="application/x-www-form-urlencoded",
            connections=1,
            threads=1,
        ),
    ]


def check_body(workload: Workload, status: int, body: bytes) -> None:
    data = json.loads(body)
    ok = status == 200 and "errors" not in data
    if ok and "graphql" in workload.path and "users" in data["data"]:
        edges = data["data"]["users"]["edges"]
        ok = len(edges) == 50 and all(len(e["node"]["groups"]["edges"]) == GROUPS for e in edges)
    if not ok:
        raise SystemExit(f"{workload.name}: unexpected answer {status} {body[:300]!r}")


def count_queries(workloads: list[Workload]) -> None:
    """SQL per request, in steady state: the second of two identical requests through Django's test client."""
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    for workload in workloads:
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.generic(
                    workload.method,
                    workload.path,
                    workload.body,
                    content_type=workload.content_type or "application/octet-stream",
                    headers=workload.headers,
                )
        check_body(workload, response.status_code, response.content)
        workload.queries = sum(not TRANSACTION.match(query["sql"]) for query in captured.captured_queries)
    connections.close_all()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def request(url: str, workload: Workload) -> tuple[int, bytes]:
    headers = dict(workload.headers)
    if workload.content_type:
        headers["Content-Type"] = workload.content_type
    data = workload.body.encode() if workload.method == "POST" else None
    req = urllib.request.Request(url + workload.path, data=data, headers=headers, method=workload.method)
    with urllib.request.urlopen(req, timeout=5) as response:
        return response.status, response.read()


def start_gunicorn(port: int, env: dict[str, str]) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("gunicorn")), "project.wsgi:application"]
    command += ["--workers", "2", "--worker-class", "sync", "--bind", f"{HOST}:{port}", "--timeout", "30"]
    with open(RESULTS / "gunicorn.log", "w") as log:  # the server keeps its own copy of the descriptor
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(server: subprocess.Popen, url: str, bare: Workload) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {RESULTS / 'gunicorn.log'}")
        try:
            request(url, bare)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 30 s")


def lua_script(workload: Workload) -> Path:
    lines = [f"wrk.method = {json.dumps(workload.method)}", f"wrk.body = {json.dumps(workload.body)}"]
    headers = dict(workload.headers, **({"Content-Type": workload.content_type} if workload.content_type else {}))
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    path = RESULTS / (re.sub(r"\W+", "-", workload.name).strip("-") + ".lua")
    path.write_text("\n".join(lines) + "\n")
    return path


def to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, workload: Workload, seconds: int) -> dict[str, float]:
    command = ["wrk", "-t", str(workload.threads), "-c", str(workload.connections), "-d", f"{seconds}s"]
    command += ["--latency", "--timeout", "5s", "-s", str(lua_script(workload)), url + workload.path]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    latency = {p: to_ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency["50"],
        "p99": latency["99"],
        "errors": errors,
    }


def peak_rss_kib(master: int) -> dict[int, int]:
    """VmHWM of each gunicorn worker (the master's children)."""
    peaks = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if ppid == master:
                status = (stat.parent / "status").read_text()
                peaks[int(stat.parent.name)] = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
        except (OSError, AttributeError):
            continue
    return peaks


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def report(workloads: list[Workload], rss: dict[int, int], rounds: int, seconds: int) -> str:
    import django

    by_name = {w.name: w for w in workloads}
    me, drf, bare = by_name["graphql me"], by_name["DRF + DOT view"], by_name["bare Django view"]
    token = by_name["/o/token/ client_credentials"]
    users, naive = by_name["graphql users(50) x groups(10)"], by_name["naive graphene-django users(50) x groups(10)"]
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    lines = [
        f"Machine: {cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}, Django {django.get_version()},"
        f" SQLite, in-process cache; gunicorn 2 sync workers, DEBUG off; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"wrk: {rounds} alternating rounds of {seconds} s per workload (after a 1 s warm-up); medians over rounds.",
        "SQL/request: the second of two identical requests through Django's test client (steady state);"
        " BEGIN/COMMIT/SAVEPOINT not counted.",
        "",
        "| workload | connections | req/s (min-max) | p50 ms | p99 ms | SQL/request | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for w in workloads:
        errors = sum(run["errors"] for run in w.runs)
        lines.append(
            f"| {w.name} | {w.connections} | {w.median('rps'):,.0f} ({min(r['rps'] for r in w.runs):,.0f}-"
            f"{max(r['rps'] for r in w.runs):,.0f}) | {w.median('p50'):.2f} | {w.median('p99'):.2f}"
            f" | {w.queries} | {errors} |"
        )
    lines += [
        "",
        f"- graphql me / DRF + DOT: **{me.median('rps') / drf.median('rps'):.2f}x** (target >= 1.0)",
        f"- graphql me / bare Django: **{me.median('rps') / bare.median('rps'):.2f}x** (target >= 0.5, stretch 0.6)",
        f"- graphql users x groups / naive graphene-django: **{users.median('rps') / naive.median('rps'):.2f}x**"
        " (target >= 2.0)",
        f"- /o/token/ client_credentials median latency: **{token.median('p50'):.2f} ms** (target <= 5 ms)",
        "- peak RSS per worker (VmHWM): " + ", ".join(f"pid {pid}: {kib / 1024:.1f} MiB" for pid, kib in rss.items()),
    ]
    return "\n".join(lines) + "\n"


README_MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")


def update_readme(table: str) -> None:
    """Put the table between the README's bench markers."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = README_MARKERS
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{table}{end}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 round of 2 s")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    rounds, seconds = (1, 2) if args.quick else (args.rounds, args.seconds)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally clauses

    ensure_tools()
    RESULTS.mkdir(exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_DATABASE=str(DATABASE),
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
        LOG_LEVEL="ERROR",
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    loads = workloads(seed())
    count_queries(loads)

    url = f"http://{HOST}:{free_port()}"
    server = start_gunicorn(int(url.rsplit(":", 1)[1]), env)
    try:
        wait_ready(server, url, loads[0])
        for workload in loads:
            check_body(workload, *request(url, workload))
            wrk(url, workload, 1)  # warm-up
            time.sleep(PAUSE)
        for number in range(1, rounds + 1):
            for workload in loads:
                workload.runs.append(wrk(url, workload, seconds))
                time.sleep(PAUSE)  # let the workers finish requests wrk left queued before the next workload
                print(f"round {number}/{rounds} {workload.name}: {workload.runs[-1]['rps']:,.0f} req/s", flush=True)
        rss = peak_rss_kib(server.pid)
    finally:
        stop(server)

    table = report(loads, rss, rounds, seconds)
    (RESULTS / "results-quick.md" if args.quick else ROOT / "bench" / "results.md").write_text(
        "# Benchmark results (`make bench`)\n\n" + table
    )
    if not args.quick:
        update_readme(table)
    print("\n" + table)
    return 1 if any(run["errors"] for w in loads for run in w.runs) else 0


if __name__ == "__main__":
    sys.exit(main())
