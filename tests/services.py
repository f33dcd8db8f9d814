"""Tests that need a real service (Redis, PostgreSQL): skipped with a reason on a laptop without
it, failed in CI (``CI`` set), where a missing service is a broken machine, not a reason to skip."""

import os
import socket

import pytest


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except OSError:
        return False
    return True


def require(host: str, port: int, what: str) -> None:
    if reachable(host, port):
        return
    message = f"needs {what} on {host}:{port}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI must have it")
    pytest.skip(message)
