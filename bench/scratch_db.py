"""Scratch PostgreSQL databases for the scripts that need one (the benchmark, growth, load check)."""

from urllib.parse import urlsplit, urlunsplit

import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def recreate_database(name: str, admin_url: str = ADMIN_URL) -> str:
    """Drop and create ``name``; return its DATABASE_URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(admin_url)._replace(scheme="postgres", path=f"/{name}"))


def drop_database(name: str, admin_url: str = ADMIN_URL) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def split_url(database_url: str) -> tuple[str, str]:
    """(database name, the URL of the server's ``postgres`` database) of a DATABASE_URL."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql") or not parts.path.strip("/"):
        raise ValueError(f"not a PostgreSQL URL with a database name: {database_url!r}")
    return parts.path.strip("/"), urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
