"""A scratch PostgreSQL database on 127.0.0.1 for the scripts that need one (growth, load check)."""

import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def recreate_database(name: str) -> str:
    """Drop and create ``name``; return its DATABASE_URL."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
