"""project.raw_sql: the token lookup's read past Django's cursor wrappers, and the fence around the
internals it leans on (a Django upgrade that changes them fails here, not in production)."""

import sqlite3

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext

from project import raw_sql
from project.raw_sql import fetch_one, numbered, qmark

USERS = "SELECT username, is_active FROM users_user WHERE username = %s AND id > %s"


@pytest.fixture
def users(make_user):
    return [make_user("alice"), make_user("bob")]


def test_the_row_is_the_one_djangos_cursor_reads(users):
    with connection.cursor() as cursor:
        cursor.execute(USERS, ["bob", 0])
        expected = cursor.fetchone()
    assert fetch_one(USERS, ["bob", 0]) == expected == ("bob", True)
    assert fetch_one(USERS, ["carol", 0]) is None


def test_unwatched_it_skips_djangos_cursor_wrappers(users, monkeypatch):
    def wrapped(*args, **kwargs):
        raise AssertionError("went through CursorWrapper.execute")

    with monkeypatch.context() as patched:  # undone before the test database's teardown uses the cursor
        patched.setattr(CursorWrapper, "execute", wrapped)
        assert fetch_one(USERS, ["alice", 0]) == ("alice", True)


def test_the_token_lookup_and_the_email_permission_take_that_path(graphql, make_user, make_token, monkeypatch):
    from users.selectors import may_view_all_emails_in_one_query

    alice = make_user("alice")
    token = make_token(alice)

    def wrapped(*args, **kwargs):
        raise AssertionError("went through CursorWrapper.execute")

    with monkeypatch.context() as patched:
        patched.setattr(CursorWrapper, "execute", wrapped)
        answer = graphql("{ me { username } }", token=token)  # its one query is the token lookup
        assert answer.status == 200 and answer.body["data"] == {"me": {"username": "alice"}}
        assert may_view_all_emails_in_one_query(alice) is False


def test_watched_it_goes_through_django_so_the_tools_see_it(users):
    with CaptureQueriesContext(connection) as captured:
        assert fetch_one(USERS, ["alice", 0]) == ("alice", True)
    assert [query["sql"] for query in captured.captured_queries] == [
        USERS.replace("%s", "'alice'", 1).replace("%s", "0")
    ]
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fetch_one(USERS, ["bob", 0])
    assert seen == [["bob", 0]]


def test_database_errors_are_djangos(db):
    with pytest.raises(DatabaseError) as raised:
        fetch_one("SELECT id FROM no_such_table WHERE id = %s", [1])
    assert type(raised.value).__module__.startswith("django.db")


def test_a_broken_transaction_refuses_it_as_django_does(users):
    from django.db.transaction import TransactionManagementError

    with transaction.atomic():
        with pytest.raises(DatabaseError):
            with transaction.atomic(savepoint=False):
                fetch_one("SELECT id FROM no_such_table WHERE id = %s", [1])
        with pytest.raises(TransactionManagementError):
            fetch_one(USERS, ["alice", 0])


def test_only_statements_whose_percent_signs_are_placeholders():
    assert qmark("SELECT a FROM t WHERE b = %s AND c > %s") == "SELECT a FROM t WHERE b = ? AND c > ?"
    for sql in ("SELECT a FROM t WHERE b LIKE '%%x' AND c = %s", "SELECT 5 % 2 FROM t WHERE c = %s"):
        with pytest.raises(ValueError):
            qmark(sql)


def test_the_internals_it_leans_on(db):
    """Django 5.2: ``CursorWrapper.cursor`` is the DB-API cursor; SQLite's is a subclass of ``sqlite3.Cursor``
    whose ``execute`` rewrites ``%s`` (what fetch_one does once per statement instead); PostgreSQL's binds
    parameters on the client (what lets ``EXECUTE name(%s)`` take them)."""
    with connection.cursor() as cursor:
        native = cursor.cursor
    assert type(cursor) is CursorWrapper
    if connection.vendor == "sqlite":
        from django.db.backends.sqlite3.base import SQLiteCursorWrapper

        assert isinstance(native, SQLiteCursorWrapper) and isinstance(native, sqlite3.Cursor)
        assert SQLiteCursorWrapper.execute is not sqlite3.Cursor.execute
        assert native.convert_query(USERS) == qmark(USERS)
    else:
        from psycopg import ClientCursor

        assert isinstance(native, ClientCursor)  # Django's default: parameters bound on the client


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE/EXECUTE: PostgreSQL only")


def prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def forget_prepared() -> None:
    """No statement prepared in the session, and none known to be (they outlive transactions and tests)."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    raw_sql._prepared.pop(connection.connection, None)


@pytest.fixture
def persistent(transactional_db, monkeypatch):
    """Persistent connections, as in production (`make test` runs with DATABASE_CONN_MAX_AGE=0)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    forget_prepared()
    yield
    forget_prepared()


@pytest.fixture
def scratch_table(persistent):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE raw_sql_scratch (a integer)")
        cursor.execute("INSERT INTO raw_sql_scratch VALUES (1), (2)")
    yield "SELECT * FROM raw_sql_scratch WHERE a = %s"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE raw_sql_scratch")


@postgres_only
def test_postgres_prepares_a_named_statement_once_per_connection(scratch_table):
    assert fetch_one(scratch_table, [2], name="scratch") == (2,)
    assert prepared_statements() == {"scratch"}
    assert fetch_one(scratch_table, [1], name="scratch") == (1,)
    assert fetch_one(scratch_table, [3], name="scratch") is None
    assert prepared_statements() == {"scratch"}
    connection.close()  # Django reconnects: the new session prepares it once, again
    assert fetch_one(scratch_table, [1], name="scratch") == (1,)
    assert prepared_statements() == {"scratch"}


@postgres_only
def test_a_statement_the_session_lost_or_whose_table_changed_runs_as_text_then_is_prepared_again(scratch_table):
    assert fetch_one(scratch_table, [2], name="scratch") == (2,)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE scratch")  # as a pooler's DISCARD ALL would
    assert fetch_one(scratch_table, [2], name="scratch") == (2,)
    assert prepared_statements() == set()
    assert fetch_one(scratch_table, [2], name="scratch") == (2,)
    assert prepared_statements() == {"scratch"}
    with connection.cursor() as cursor:  # a migration: "cached plan must not change result type"
        cursor.execute("ALTER TABLE raw_sql_scratch ADD COLUMN b integer")
    assert [fetch_one(scratch_table, [2], name="scratch") for _ in range(3)] == [(2, None)] * 3
    assert prepared_statements() == {"scratch"}


@postgres_only
def test_a_statement_of_that_name_the_session_already_had_is_replaced(scratch_table):
    with connection.cursor() as cursor:
        cursor.execute("PREPARE scratch AS SELECT 42")  # left by someone else on a pooled session
    assert fetch_one(scratch_table, [2], name="scratch") == (2,)
    assert prepared_statements() == {"scratch"}


@postgres_only
def test_a_name_stands_for_one_statement(scratch_table):
    fetch_one(scratch_table, [1], name="scratch")
    with pytest.raises(ValueError):
        fetch_one("SELECT a FROM raw_sql_scratch WHERE a > %s", [1], name="scratch")


@postgres_only
def test_nothing_is_prepared_in_a_transaction_per_request_connections_or_when_turned_off(
    scratch_table, settings, monkeypatch
):
    with transaction.atomic():
        assert fetch_one(scratch_table, [1], name="scratch") == (1,)
    assert prepared_statements() == set()
    for setting, value in (("CONN_MAX_AGE", 0), ("DISABLE_SERVER_SIDE_CURSORS", True)):
        with monkeypatch.context() as patched:
            patched.setitem(connection.settings_dict, setting, value)
            assert fetch_one(scratch_table, [1], name="scratch") == (1,)
        assert prepared_statements() == set()
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert fetch_one(scratch_table, [1], name="scratch") == (1,)
    assert prepared_statements() == set()


@postgres_only
def test_the_token_lookup_and_the_email_permission_are_prepared(persistent, make_user, make_token):
    from schema.authentication import principal_for_token
    from users.selectors import may_view_all_emails_in_one_query

    user = make_user()
    raw = make_token(user)
    principal = principal_for_token(raw)
    assert principal.user == user and principal_for_token(raw) == principal
    assert may_view_all_emails_in_one_query(user) is False
    assert prepared_statements() == {"graphql_token_lookup", "graphql_may_view_all_emails"}


def test_placeholders_are_rewritten_in_order():
    assert numbered("SELECT a FROM t WHERE b = %s AND c > %s") == "SELECT a FROM t WHERE b = $1 AND c > $2"
