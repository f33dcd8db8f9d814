"""Third-party clients, run by Node.js against a live server. Node is for tests only (`make run` never
needs it): `npm ci` installs the exact versions of this folder's package-lock.json, once per session,
on a fresh machine too (.ci/run installs Node.js as it installs Chromium)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pytest_django.live_server_helper import LiveServer

HERE = Path(__file__).parent


def node_or_skip() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        message = "Node.js and npm are missing: apt-get install -y nodejs npm (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installed them: a missing Node is a broken run, not a skip
        pytest.skip(message)
    return node


def installed() -> bool:
    """node_modules holds what package-lock.json pins (npm writes its own copy of the lock there)."""
    lock = json.loads((HERE / "package-lock.json").read_text())["packages"]
    for path, entry in lock.items():
        if not path:
            continue
        manifest = HERE / path / "package.json"
        if not manifest.exists() or json.loads(manifest.read_text()).get("version") != entry["version"]:
            return False
    return True


@pytest.fixture(scope="session")
def node():
    """The node executable, with this folder's packages installed."""
    executable = node_or_skip()
    if not installed():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=HERE, check=True, timeout=300)
    return executable


@pytest.fixture(scope="module")
def loopback_server(django_db_setup, django_db_blocker):
    """The app on 127.0.0.1 (pytest-django's live_server listens on "localhost", which Node may resolve to ::1)."""
    server = LiveServer("127.0.0.1")
    yield server
    server.stop()
