"""Fixtures for tests that run the service as separate processes: scratch databases (migrated once
per session, then copied) and the Redis database these tests may flush."""

import itertools
import os
import shutil
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.fleet.servers import manage, port_open, production_env, require

# This suite's own Redis database number: the tests flush it (never the others, never FLUSHALL).
REDIS_URL = os.environ.get("FLEET_REDIS_URL", "redis://127.0.0.1:6379/5")
_numbers = itertools.count()


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _postgres(sql: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql)


def _postgres_url(name: str) -> str:
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """A migrated database to copy: SQLite file, or (with a PostgreSQL DATABASE_URL) a template database."""
    if on_postgres():
        name = f"{urlsplit(os.environ['DATABASE_URL']).path.lstrip('/')}_fleet_template"
        _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _postgres(f'CREATE DATABASE "{name}"')
        manage(production_env(_postgres_url(name), REDIS_URL, DEBUG="1"), "migrate", "--noinput", "-v0")
        yield name
        _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path_factory.mktemp("template") / "db.sqlite3"
        manage(production_env(f"sqlite:///{path}", REDIS_URL, DEBUG="1"), "migrate", "--noinput", "-v0")
        yield path


@pytest.fixture
def database_url(migrated_template, tmp_path):
    """A fresh, migrated database of the suite's kind for one test, shared by the servers it starts."""
    if on_postgres():
        name = f"{migrated_template.removesuffix('_template')}_{os.getpid()}_{next(_numbers)}"
        _postgres(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"')
        yield _postgres_url(name)
        _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "db.sqlite3"
        shutil.copy(migrated_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def redis_url():
    """The suite's Redis database, emptied; skipped without Redis (a failure in CI)."""
    require(port_open(6379), "Redis on 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def servers(tmp_path):
    """start(env, name) -> Server; every server started is stopped at the end of the test."""
    from tests.fleet.servers import start_server

    started = []

    def start(env: dict, name: str = "server", workers: int = 2):
        server = start_server(env, tmp_path / f"{name}.log", workers=workers)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()
