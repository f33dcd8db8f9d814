"""Real server processes for the fleet tests: the README's production command (gunicorn with
project/gunicorn.conf.py), each on a free loopback port, with its stderr (the JSON log) in a file."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV", "CI")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, what: str) -> None:
    """Skip on a laptop without the service; in CI a missing service is a failure, not a skip."""
    if not available:
        if IN_CI:
            pytest.fail(f"{what} is required in CI (CI=true)")
        pytest.skip(f"needs {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except OSError:
        return False
    return True


@cache
def rsa_private_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def production_env(database_url: str, redis_url: str, **extra: str) -> dict:
    """What the README's Deploy section tells an operator to set, for plain http on loopback."""
    # Only what a process needs from the test run's environment: the service reads everything else,
    # and the test run may hold settings of its own (DJANGO_ALLOW_ASYNC_UNSAFE, REDIS_URL, ...).
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        ISSUER_URL="http://127.0.0.1",
        OIDC_RSA_PRIVATE_KEY=rsa_private_key(),
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        DATABASE_CONN_MAX_AGE="0",
        DJANGO_SETTINGS_MODULE="project.settings",
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: int = 300) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


SEED = """
import json, secrets
from users.models import Application, User
names = {names!r}
out = {{"users": names, "user_password": secrets.token_urlsafe(18)}}
for name in names:
    User.objects.create_user(name, password=out["user_password"], email=name + "@example.com")
for grant in ("password", "client-credentials", "authorization-code"):
    secret = secrets.token_urlsafe(48)
    app = Application.objects.create(
        name=grant, client_type="confidential", authorization_grant_type=grant, client_secret=secret,
        allowed_scopes="read write groups introspection", redirect_uris="https://app.example.com/callback",
    )
    out[grant] = {{"client_id": app.client_id, "client_secret": secret}}
print(json.dumps(out))
"""


def seed(env: dict, names=("alice",)) -> dict:
    """Users (one random password for all) and one confidential client per grant, made by the app itself.

    With the in-process cache: the tests that seed may have pointed REDIS_URL at a closed port.
    """
    env = {**env, "REDIS_URL": "", "DEBUG": "1"}
    return json.loads(manage(env, "shell", "-c", SEED.format(names=list(names))).strip().splitlines()[-1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_records(self) -> list[dict]:
        return [json.loads(line) for line in self.logs().splitlines() if line.startswith("{")]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: workers finish what they hold
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """kill -9 of the master and every worker at once, as a crashed host would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def start_server(env: dict, log_path: Path, workers: int = 2) -> Server:
    port = free_port()
    env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
    log = log_path.open("w")
    process = subprocess.Popen(
        [GUNICORN, "-c", "project/gunicorn.conf.py", "project.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so kill() reaches the workers too
    )
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{server.logs()[-3000:]}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.kill()
    raise AssertionError(f"server did not answer /healthz in 60 s:\n{server.logs()[-3000:]}")
