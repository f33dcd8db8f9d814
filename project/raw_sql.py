"""One row of one hot query, read past Django's cursor wrappers when nothing watches queries.

Every /graphql request starts with the token lookup (``schema.authentication``). Through
``connection.cursor()`` it cost 32 µs on SQLite, against 11 µs for the same statement on the DB-API
cursor: Django's ``CursorWrapper`` layers, and SQLite's ``%s`` → ``?`` rewrite of the 700-character
statement by a regular expression on every call. ``fetch_one`` keeps what matters of Django's cursor
(the connection opened or health-checked, thread sharing and broken transactions checked, errors
turned into Django's) and skips
the rest, but only when nothing watches queries: with ``DEBUG``, ``assertNumQueries``,
``CaptureQueriesContext`` or an ``execute_wrapper`` the query goes through Django as any other, so the
tools see it.

This leans on two internals of Django 5.2, fenced here and checked by tests/project/test_raw_sql.py:
``CursorWrapper.cursor`` (the DB-API cursor) and SQLite's cursor class being ``sqlite3.Cursor``'s
subclass that rewrites placeholders.
"""

import sqlite3
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections

FORMAT_PLACEHOLDER = "%s"


def fetch_one(sql: str, params: list) -> tuple | None:
    """The first row ``sql`` (written with ``%s`` placeholders, as for ``cursor.execute``) returns."""
    connection = connections[DEFAULT_DB_ALIAS]  # once: each `django.db.connection.x` looks it up again
    with connection.cursor() as cursor:  # connects, health-checks, checks thread sharing
        if connection.queries_logged or connection.execute_wrappers:
            cursor.execute(sql, params)
            return cursor.fetchone()
        connection.validate_no_broken_transaction()  # as CursorWrapper._execute does
        native = cursor.cursor
        with connection.wrap_database_errors:
            if isinstance(native, sqlite3.Cursor):
                sqlite3.Cursor.execute(native, qmark(sql), params)
            else:
                native.execute(sql, params)
            return native.fetchone()


@cache
def qmark(sql: str) -> str:
    """``sql`` in sqlite3's placeholder style. For our own statements, which hold no literal ``%``."""
    if "%%" in sql or sql.count("%") != sql.count(FORMAT_PLACEHOLDER):
        raise ValueError("fetch_one takes statements whose only % are %s placeholders")
    return sql.replace(FORMAT_PLACEHOLDER, "?")
