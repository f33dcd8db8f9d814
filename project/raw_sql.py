"""One row of one hot query, read past Django's cursor wrappers when nothing watches queries.

Every /graphql request starts with the token lookup (``schema.authentication``), a join of four tables,
and a list of users asks whether the viewer sees every e-mail (``users.selectors``). Both come here.

- On SQLite the token lookup cost 32 µs through ``connection.cursor()`` against 11 µs on the DB-API
  cursor: Django's ``CursorWrapper`` layers, and the rewrite of ``%s`` into ``?`` by a regular expression
  over the 700-character statement on every call. Here the statement is rewritten once.
- On PostgreSQL, Django's psycopg cursors bind parameters on the client, so the server parsed and planned
  the join on every request: 130-150 µs of a 413 µs lookup. Given a ``name``, the statement is prepared
  once per connection (``PREPARE``) and run by name (``EXECUTE``): 187 µs. Only where that pays and
  breaks nothing: persistent connections (``DATABASE_CONN_MAX_AGE`` > 0), autocommit (outside
  ``transaction.atomic``, so a failed ``EXECUTE`` aborts no transaction), Django's client-side binding
  cursor. When the session lost the statement (a pooler's ``DISCARD ALL``) or a migration changed a table
  it reads ("cached plan must not change result type"), that request runs the statement as text and the
  next one prepares it again: a pooler that moves sessions between statements makes it slower, never
  wrong. ``DATABASE_PREPARED_STATEMENTS=0`` (or Django's ``DISABLE_SERVER_SIDE_CURSORS``, the setting for
  transaction pooling) turns it off.

``fetch_one`` keeps what matters of Django's cursor (the connection opened or health-checked, thread
sharing and broken transactions checked, errors turned into Django's) and skips the rest, but only when
Django's own tools watch no queries: with ``DEBUG``, ``assertNumQueries``, ``CaptureQueriesContext`` or an
``execute_wrapper`` the query goes through Django as any other. Tools that patch ``CursorWrapper`` itself
(some APM agents) do not see these two statements.

This leans on internals of Django 5.2, fenced here and checked by tests/project/test_raw_sql.py:
``CursorWrapper.cursor`` (the DB-API cursor), SQLite's cursor class being ``sqlite3.Cursor``'s subclass
that rewrites placeholders, and PostgreSQL's being psycopg's ``ClientCursor``.
"""

import re
import sqlite3
from functools import cache
from weakref import WeakKeyDictionary

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

FORMAT_PLACEHOLDER = "%s"
STATEMENT_NAME = re.compile(r"[a-z_][a-z0-9_]*")
# The statements prepared in each PostgreSQL session, by its DB-API connection: a new connection (Django
# reconnects after DATABASE_CONN_MAX_AGE, or after an error) starts with none, and a closed one is forgotten.
_prepared: WeakKeyDictionary = WeakKeyDictionary()
_statements: dict[str, str] = {}  # name -> SQL: a name stands for one statement only


def fetch_one(sql: str, params: list, name: str | None = None) -> tuple | None:
    """The first row ``sql`` (written with ``%s`` placeholders, as for ``cursor.execute``) returns;
    ``name``: PostgreSQL prepares it once per connection under that name."""
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
            elif name and prepares(connection, native):
                execute_prepared(connection.connection, native, name, sql, params)
            else:
                native.execute(sql, params)
            return native.fetchone()


def prepares(connection, native) -> bool:
    from psycopg import ClientCursor

    return (
        connection.vendor == "postgresql"
        and settings.DATABASE_PREPARED_STATEMENTS
        and not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
        and connection.settings_dict.get("CONN_MAX_AGE") != 0  # a connection per request: PREPARE never pays
        and isinstance(native, ClientCursor)  # EXECUTE's parameters are bound as literals
        and not connection.in_atomic_block
        and connection.get_autocommit()
    )


def execute_prepared(session, cursor, name: str, sql: str, params: list) -> None:
    from psycopg import errors

    if _statements.setdefault(name, sql) != sql:
        raise ValueError(f"the statement name {name!r} already stands for another statement")
    names = _prepared.setdefault(session, set())
    if name not in names:
        try:
            prepare(cursor, name, sql)
        except (errors.DuplicatePreparedStatement, errors.InvalidSqlStatementName):  # a pooler moved the session
            cursor.execute(sql, params)
            return
        names.add(name)
    try:
        cursor.execute(execute_statement(name, len(params)), params)
    except (errors.InvalidSqlStatementName, errors.FeatureNotSupported):  # lost, or planned for another table
        names.discard(name)  # prepared again by the next request
        cursor.execute(sql, params)


def prepare(cursor, name: str, sql: str) -> None:
    from psycopg import errors

    if not STATEMENT_NAME.fullmatch(name):
        raise ValueError(f"not a statement name: {name!r}")
    statement = f"PREPARE {name} AS {numbered(sql)}"
    try:
        cursor.execute(statement)
    except errors.DuplicatePreparedStatement:  # the session has one we did not know of (pooled, or lost track)
        cursor.execute(f"DEALLOCATE {name}")
        cursor.execute(statement)


@cache
def execute_statement(name: str, count: int) -> str:
    return f"EXECUTE {name}({', '.join([FORMAT_PLACEHOLDER] * count)})" if count else f"EXECUTE {name}"


@cache
def qmark(sql: str) -> str:
    """``sql`` in sqlite3's placeholder style."""
    return _placeholders(sql, lambda number: "?")


@cache
def numbered(sql: str) -> str:
    """``sql`` in PostgreSQL's placeholder style ($1, $2...), for PREPARE."""
    return _placeholders(sql, lambda number: f"${number}")


def _placeholders(sql: str, placeholder) -> str:
    """For our own statements, which hold no literal ``%``."""
    if "%%" in sql or sql.count("%") != sql.count(FORMAT_PLACEHOLDER):
        raise ValueError("fetch_one takes statements whose only % are %s placeholders")
    parts = sql.split(FORMAT_PLACEHOLDER)
    return parts[0] + "".join(placeholder(number) + part for number, part in enumerate(parts[1:], start=1))
