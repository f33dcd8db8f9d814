"""One wrk run of a workload, and what its output says.

wrk's own counts see neither a 200 whose GraphQL body carries ``errors`` nor, for 3xx, a redirect that
answered nothing; so the Lua script checks every response (``response(status, headers, body)``) and
prints its counts in ``done()``. A run whose output lacks that line, or which made no request, has
measured nothing and is refused.
"""

import json
import re
import subprocess
from pathlib import Path

from bench.workloads import Workload

CHECKS_LINE = re.compile(r"^bench-checks: non-2xx (\d+), error bodies (\d+)$", re.M)

# Counters are globals of each thread's Lua state: done() runs in the main state and reads them with get().
LUA_CHECKS = """
bad_status, error_bodies = 0, 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  if status < 200 or status > 299 then
    bad_status = bad_status + 1
  elseif CHECK_BODY and string.find(body, '"errors"', 1, true) then
    error_bodies = error_bodies + 1
  end
end
function done(summary, latency, requests)
  local s, b = 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("bad_status")
    b = b + t:get("error_bodies")
  end
  io.write(string.format("bench-checks: non-2xx %d, error bodies %d\\n", s, b))
end
"""


class MeasuredNothing(Exception):
    """wrk's output does not show checked requests."""


def lua_script(workload: Workload) -> str:
    lines = [f"wrk.method = {json.dumps(workload.method)}", f"wrk.body = {json.dumps(workload.body)}"]
    headers = dict(workload.headers, **({"Content-Type": workload.content_type} if workload.content_type else {}))
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    lines.append(f"CHECK_BODY = {'true' if workload.graphql else 'false'}")
    return "\n".join(lines) + "\n" + LUA_CHECKS


def to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse(output: str) -> dict[str, float]:
    """Throughput, latency and every kind of failed request of one wrk run."""
    requests = re.search(r"^\s*(\d+) requests in ", output, re.M)
    checks = CHECKS_LINE.search(output)
    latency = {p: to_ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)}
    if requests is None or checks is None or set(latency) != {"50", "99"}:
        raise MeasuredNothing("wrk printed no request count, latency distribution or response checks")
    if int(requests.group(1)) == 0:
        raise MeasuredNothing("wrk completed no request")
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(requests.group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency["50"],
        "p99": latency["99"],
        "non_2xx": int(checks.group(1)),
        "error_bodies": int(checks.group(2)),
        "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
    }


def errors(run: dict[str, float]) -> int:
    return run["non_2xx"] + run["error_bodies"] + run["socket_errors"]


def run(url: str, workload: Workload, seconds: int, scripts: Path) -> dict[str, float]:
    script = scripts / (re.sub(r"\W+", "-", workload.name).strip("-") + ".lua")
    script.write_text(lua_script(workload))
    command = ["wrk", "-t", str(workload.threads), "-c", str(workload.connections), "-d", f"{seconds}s"]
    command += ["--latency", "--timeout", "10s", "-s", str(script), url + workload.path]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if completed.returncode != 0:
        raise MeasuredNothing(f"wrk exited with {completed.returncode}: {completed.stderr.strip()[:300]}")
    try:
        return parse(completed.stdout)
    except MeasuredNothing as failure:
        raise MeasuredNothing(f"{workload.name}: {failure}\n{completed.stdout}") from None
