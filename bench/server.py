"""The gunicorn server under test: started on a free port of 127.0.0.1, asked, measured and stopped."""

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.workloads import Workload

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def request(url: str, workload: Workload) -> tuple[int, bytes]:
    """Status and body of one request; an HTTP error status is an answer, not an exception."""
    headers = dict(workload.headers)
    if workload.content_type:
        headers["Content-Type"] = workload.content_type
    data = workload.body.encode() if workload.method == "POST" else None
    req = urllib.request.Request(url + workload.path, data=data, headers=headers, method=workload.method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def start_gunicorn(port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("gunicorn")), "project.wsgi:application"]
    command += ["--workers", "2", "--worker-class", "sync", "--bind", f"{HOST}:{port}", "--timeout", "30"]
    with open(log_path, "w") as log:  # the server keeps its own copy of the descriptor
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(server: subprocess.Popen, url: str, probe: Workload, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see its log in bench/results/")
        try:
            request(url, probe)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {seconds:.0f} s")


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
