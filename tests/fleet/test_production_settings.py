"""SPEC §6: production settings come from the environment, checked at start-up; proxy headers are
believed only when TRUSTED_PROXY_HEADER says a proxy is in front, by Django and gunicorn alike."""

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.fleet.servers import ROOT, free_port, manage, production_env

REQUIRED = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "ISSUER_URL", "OIDC_RSA_PRIVATE_KEY")


def start_django(env: dict) -> subprocess.CompletedProcess:
    code = "import django; django.setup()"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def closed_redis() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def test_production_without_any_setting_names_every_missing_one():
    env = production_env("", "")
    for name in REQUIRED:
        env.pop(name)
    started = start_django(env)
    assert started.returncode != 0
    last_line = started.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: Missing environment variables")
    assert all(name in last_line for name in REQUIRED), last_line


@pytest.mark.parametrize("missing", REQUIRED)
def test_each_missing_setting_is_named_alone(missing):
    env = production_env("sqlite:////nonexistent/db.sqlite3", closed_redis())
    env.pop(missing)
    if missing == "SECRET_KEY":
        env["DEBUG"] = "0"  # without a key, DEBUG would default to on
    last_line = start_django(env).stderr.strip().splitlines()[-1]
    named = [name for name in REQUIRED if name in last_line.partition(":")[2].partition(".")[0]]
    assert named == [missing], last_line


def test_development_needs_none_of_them():
    env = production_env("", "", DEBUG="1")
    for name in REQUIRED:
        env.pop(name)
    started = start_django(env)
    assert started.returncode == 0, started.stderr[-2000:]


def test_check_deploy_is_clean_with_production_settings(database_url):
    env = production_env(database_url, closed_redis())
    env.pop("SECURE_SSL_REDIRECT")  # production redirects to https (a proxy terminates TLS in front)
    output = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert "System check identified no issues" in output


@pytest.mark.slow
def test_forwarded_proto_is_believed_only_behind_a_declared_proxy(database_url, servers):
    env = production_env(database_url, closed_redis())
    env.pop("SECURE_SSL_REDIRECT")
    https = {"X-Forwarded-Proto": "https"}

    def status(server, headers=None) -> int:
        return requests.get(f"{server.url}/o/token/", headers=headers, allow_redirects=False, timeout=10).status_code

    exposed = servers(env, "exposed", workers=1)
    # Anyone can send the header; gunicorn would believe it from loopback by default, Django always did.
    assert status(exposed) == 301
    assert status(exposed, https) == 301

    behind = servers({**env, "TRUSTED_PROXY_HEADER": "HTTP_X_FORWARDED_FOR"}, "behind-proxy", workers=1)
    assert status(behind) == 301
    assert status(behind, https) == 405  # served: the proxy said the client used https

    plain = servers({**env, "SECURE_SSL_REDIRECT": "0"}, "plain-http", workers=1)
    assert status(plain) == 405


@pytest.mark.parametrize(("level", "expected"), [(None, "INFO"), ("debug", "DEBUG"), ("WARNING", "WARNING")])
def test_log_level_sets_the_root_level(level, expected):
    env = production_env("", "", DEBUG="1")
    if level is not None:
        env["LOG_LEVEL"] = level
    code = "import django, logging; django.setup(); print(logging.getLevelName(logging.getLogger().level))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == expected, done.stderr[-2000:]


def development_env(**extra: str) -> dict:
    """A machine's environment with none of the settings: what `make run` and the tests start with."""
    env = production_env("", "", **extra)
    for name in (*REQUIRED, "DEBUG", "SECURE_SSL_REDIRECT"):
        env.pop(name)
    env.update(extra)
    return env


def debug_of(env: dict) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_loopback_development_needs_no_setting_and_runs_in_debug_mode():
    started = debug_of(development_env())
    assert (started.returncode, started.stdout.strip()) == (0, "True"), started.stderr[-2000:]


@pytest.mark.parametrize("hosts", ["api.example.com", "127.0.0.1,api.example.com", "*"])
def test_a_deployment_without_secret_key_is_a_start_up_error_not_a_debug_server(hosts):
    """SPEC §6 (issue 16, item 9): DEBUG used to default to on whenever SECRET_KEY was missing."""
    started = debug_of(development_env(ALLOWED_HOSTS=hosts))
    assert started.returncode != 0
    last_line = started.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: Missing environment variables")
    assert "SECRET_KEY" in last_line


def test_debug_can_still_be_chosen_explicitly_on_any_host():
    started = debug_of(development_env(ALLOWED_HOSTS="devbox.local", DEBUG="1"))
    assert (started.returncode, started.stdout.strip()) == (0, "True"), started.stderr[-2000:]


@pytest.mark.slow
def test_the_production_command_without_secret_key_refuses_to_start(tmp_path):
    """gunicorn binds 0.0.0.0 by default: without SECRET_KEY it must not serve development mode."""
    env = development_env(BIND=f"127.0.0.1:{free_port()}", WEB_CONCURRENCY="1")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    done = subprocess.run(
        [gunicorn, "-c", "project/gunicorn.conf.py", "project.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Missing environment variables for production" in done.stdout + done.stderr
    assert "SECRET_KEY" in done.stdout + done.stderr
