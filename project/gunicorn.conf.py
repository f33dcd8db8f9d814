"""gunicorn's configuration for production (README "Deploy"): gunicorn -c project/gunicorn.conf.py project.wsgi

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS; the environment
variables below are the ones the README documents.
"""

import fcntl
import logging
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

from gunicorn.glogging import Logger

from project.logs import logging_config

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Sync workers: every request is short and CPU- or database-bound. gunicorn's rule of thumb
# (2 x cores + 1) keeps the cores busy while some workers wait on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# A worker silent for this long is killed and replaced: requests are bounded well below it (SPEC §5).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# On SIGTERM (a deploy, a scale-down), workers finish the requests they hold for up to this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5  # behind a load balancer that reuses connections; below its idle timeout
# Recycle workers now and then, so a slow leak in any library cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500

# X-Forwarded-* are believed only from a proxy that TRUSTED_PROXY_HEADER says is in front (as in
# Django's settings); by default gunicorn would trust them from 127.0.0.1, i.e. from anyone on the host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*") if os.environ.get("TRUSTED_PROXY_HEADER") else ""

# The access log: one JSON line per response with the request id the application set.
accesslog = "-"
errorlog = "-"
logconfig_dict = logging_config(os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO")


class JsonAccessLogger(Logger):
    """gunicorn's logger, with the access line as structured fields instead of a format string."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        headers = {name.lower(): value for name, value in (resp.headers or ())}
        fields = {
            "request_id": headers.get("x-request-id"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),  # without the query string
            "status": resp.status_code,
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "pid": os.getpid(),
        }
        self.access_log.log(logging.INFO, "access", extra=fields)


logger_class = JsonAccessLogger


def on_starting(server):
    """Collect static files before any worker starts, so the production command alone serves a styled site.

    WhiteNoise (SPEC §6) serves STATIC_ROOT with the manifest's hashed names; without the manifest every page
    would fail. collectstatic copies only what changed (about a second). The lock serialises servers started
    at once from one checkout, which would otherwise write the same files together. A separate process, so
    the master imports no Django (workers load the application after the fork, as before).
    """
    root = Path(__file__).resolve().parent.parent
    with open(root / "staticfiles.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=root, check=True
        )
