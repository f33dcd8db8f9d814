"""The benchmark's table, its ratio lines against the issues' targets, and the verdict of a run."""

import operator
from dataclasses import dataclass

from bench import wrk
from bench.workloads import (
    BARE,
    DRF,
    LIST,
    LIST_BY_ID,
    ME_BY_ID,
    ME_NAME,
    NAIVE,
    PREFETCH,
    SCALE_NAME,
    TOKEN,
    UNPLANNED,
    Workload,
)


@dataclass(frozen=True)
class Setting:
    """Where the figures were taken, printed above them."""

    machine: str  # CPU model and count, Python, Django
    database: str  # e.g. "SQLite, in-process cache"
    when: str
    load: str  # load average before and after: the machine may be shared
    rounds: int
    seconds: int
    elapsed: float  # seconds the whole run took, set-up included


def failures(workloads: list[Workload]) -> list[str]:
    """Why the run must not count: any failed request, of any kind, in any round."""
    found = []
    for w in workloads:
        kinds = {k: sum(run[k] for run in w.runs) for k in ("non_2xx", "error_bodies", "socket_errors")}
        if any(kinds.values()):
            found.append(f"{w.name}: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kinds.items() if n))
        if not w.runs:
            found.append(f"{w.name}: not measured")
    return found


def seconds_per_node(w: Workload) -> float:
    """Server time per returned node, from throughput: both workers busy, so 1 / (req/s x nodes)."""
    return 1 / (w.median("rps") * w.nodes)


def target_line(label: str, value: float, unit: str, compare: str, target: float, note: str = "") -> str:
    met = {">=": operator.ge, "<=": operator.le}[compare](value, target)
    shown = f"{value:.2f}{unit}"
    return f"- {label}: **{shown}** (target {compare} {target:g}{unit}: {'met' if met else 'MISSED'}){note}"


def ratio_lines(by: dict[str, Workload]) -> list[str]:
    rps = {name: w.median("rps") for name, w in by.items()}
    beside = f"; naive graphene-django {rate(rps[NAIVE])} req/s, DRF + DOT (me) {rate(rps[DRF])} req/s"
    per_node = seconds_per_node(by[SCALE_NAME]) / seconds_per_node(by[LIST])
    scale_note = (
        f" ({by[SCALE_NAME].nodes} nodes at {seconds_per_node(by[SCALE_NAME]) * 1e6:.1f} us/node vs"
        f" {by[LIST].nodes} at {seconds_per_node(by[LIST]) * 1e6:.1f} us/node)"
    )
    return [
        "Issue 21 (faster than hand-written Django):",
        target_line("graphql users x groups / prefetch view, req/s", rps[LIST] / rps[PREFETCH], "x", ">=", 1.0),
        target_line(
            "same, p99 / prefetch view's p99", by[LIST].median("p99") / by[PREFETCH].median("p99"), "x", "<=", 1.5
        ),
        target_line("graphql me / bare Django, req/s", rps[ME_NAME] / rps[BARE], "x", ">=", 0.95),
        "",
        "Issue 12:",
        target_line(
            "graphql users x groups / prefetch view, req/s", rps[LIST] / rps[PREFETCH], "x", ">=", 0.75, beside
        ),
        target_line(
            "same, p99 / prefetch view's p99", by[LIST].median("p99") / by[PREFETCH].median("p99"), "x", "<=", 1.5
        ),
        target_line("graphql me / bare Django, req/s", rps[ME_NAME] / rps[BARE], "x", ">=", 0.9),
        target_line(
            "scale: time per returned node, users(100) x groups(50) / users(50) x groups(3)",
            per_node,
            "x",
            "<=",
            1.2,
            scale_note,
        ),
        "",
        "Issue 15 (this work must not cost speed: the figures of 2026-12-01):",
        target_line("graphql users x groups / prefetch view, req/s", rps[LIST] / rps[PREFETCH], "x", ">=", 0.74),
        target_line("graphql me / bare Django, req/s", rps[ME_NAME] / rps[BARE], "x", ">=", 0.87),
        *(
            [f"- compiled plans: users x groups with plans / plans off, req/s: **{rps[LIST] / rps[UNPLANNED]:.2f}x**"]
            if UNPLANNED in rps
            else []
        ),
        "",
        "Issue 4:",
        target_line("graphql me / DRF + DOT, req/s", rps[ME_NAME] / rps[DRF], "x", ">=", 1.0),
        target_line("graphql users x groups / naive graphene-django, req/s", rps[LIST] / rps[NAIVE], "x", ">=", 2.0),
        target_line("/o/token/ client_credentials median latency", by[TOKEN].median("p50"), " ms", "<=", 5),
        *by_id_lines(rps),
    ]


def by_id_lines(rps: dict[str, float]) -> list[str]:
    """Issue 19: a trusted document by id runs at least as fast as the same document sent as text."""
    if ME_BY_ID not in rps or LIST_BY_ID not in rps:
        return []
    return [
        "",
        "Issue 19:",
        target_line("graphql me by id / as text, req/s", rps[ME_BY_ID] / rps[ME_NAME], "x", ">=", 1.0),
        target_line("graphql users x groups by id / as text, req/s", rps[LIST_BY_ID] / rps[LIST], "x", ">=", 1.0),
    ]


def rate(rps: float) -> str:
    """Requests per second, with a decimal where whole numbers would round a slow workload to nothing."""
    return f"{rps:,.1f}" if rps < 10 else f"{rps:,.0f}"


def table(workloads: list[Workload], rss: dict[int, int], setting: Setting) -> str:
    by = {w.name: w for w in workloads}
    lines = [
        f"Machine: {setting.machine}; {setting.database}; gunicorn 2 sync workers, DEBUG off; {setting.when}.",
        f"Load average (1 min) {setting.load}: the machine may have been shared during the run.",
        f"wrk: {setting.rounds} alternating round{'s' * (setting.rounds != 1)} of {setting.seconds} s per workload"
        f" (after a 1 s warm-up), medians over rounds; the whole run took {setting.elapsed / 60:.1f} minutes."
        " Every response is checked during the rounds: a non-2xx status, or a GraphQL body with `errors`, is"
        " counted as an error and fails the run.",
        "SQL/request: the second of two identical requests through Django's test client (steady state);"
        " BEGIN/COMMIT/SAVEPOINT not counted. Nodes: users and groups in one answer.",
        "",
        "| workload | connections | req/s (min-max) | p50 ms | p99 ms | SQL/request | nodes | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for w in workloads:
        low, high = min(r["rps"] for r in w.runs), max(r["rps"] for r in w.runs)
        lines.append(
            f"| {w.name} | {w.connections} | {rate(w.median('rps'))} ({rate(low)}-{rate(high)})"
            f" | {w.median('p50'):.2f} | {w.median('p99'):.2f} | {w.queries} | {w.nodes or '-'}"
            f" | {sum(wrk.errors(r) for r in w.runs)} |"
        )
    lines += ["", *ratio_lines(by), ""]
    lines.append("Peak RSS per worker (VmHWM): " + ", ".join(f"{kib / 1024:.1f} MiB" for kib in rss.values()))
    return "\n".join(lines) + "\n"
