"""Where a workload's time goes: its requests through Django's test client (the whole middleware stack,
no HTTP server) under cProfile, on the benchmark's seed. For the notes issue 12 asks for when a target is
missed ("what the profile says is left, with the profile's top entries").

    .venv/bin/python bench/profiling.py ["graphql users(50) x groups(3)"] [--requests 200] [--top 25] [--cache redis]

Prints the top entries by own time and by cumulative time, and writes them to bench/results/profile.txt.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, only bench/ is on the path
    sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, client_request, end_cursor, server_env  # noqa: E402
from bench.seed import seed  # noqa: E402
from bench.server import HOST  # noqa: E402
from bench.workloads import LIST, check, workloads  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", nargs="?", default=LIST, help=f"a workload's name (default: {LIST})")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cache", choices=("local", "redis"), default="local")
    args = parser.parse_args()

    RESULTS.mkdir(exist_ok=True)
    env, database = server_env("sqlite", 8000, RESULTS / "profile.sqlite3", args.cache)
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.test import Client

    seeded = seed()
    by = {w.name: w for w in workloads(seeded, end_cursor(seeded["token"]))}
    if args.workload not in by:
        parser.error(f"unknown workload; one of: {', '.join(by)}")
    workload, client = by[args.workload], Client(HTTP_HOST=HOST)
    response = client_request(client, workload)  # warm: the document cache, the permission query plan
    check(workload, response.status_code, response.content)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        client_request(client, workload)
    profiler.disable()

    out = io.StringIO()
    out.write(f"{args.requests} requests of {workload.name!r} ({database}, DEBUG off, test client)\n")
    for order in ("tottime", "cumulative"):
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
    (RESULTS / "profile.txt").write_text(out.getvalue())
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
