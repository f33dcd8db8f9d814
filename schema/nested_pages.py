"""Nested pages that stop at the page (SPEC §5): each parent's page of a many-to-many relation, read
with a LIMIT per parent, for many parents in one statement.

A nested connection is ordered by the child's primary key, which is the second column of the
relation's join-table index ``(parent, child)``: each parent's page is then one index range scan
that stops after ``limit`` rows, whatever the size of the relation (a group of 20,000 members
costs what a group of 3 does). A window function (and Django's sliced ``Prefetch``, which is one)
numbers and counts every row of each parent to find the page; a sort by another column (a
username) reads every member to find the smallest. ``EXPLAIN`` of both is in
``tests/schema/test_nested_pages.py``; the children's SQL comes from ``schema.django_query.sql_of``.

The statement is ours: the children's own query (which carries their visibility rules: inactive users
for non-staff) as a common table expression, then per parent the join table joined to it, the
parent's condition and the cursor's seek, ``ORDER BY child LIMIT n``. Parents are put together as
each database runs best: on SQLite, one ``UNION ALL`` part per parent (no ``LATERAL``); on PostgreSQL,
``LATERAL`` over an array of parents, one plan for all (fifty parts cost it 6 ms of planning), written
so that only the (parent, child) index can give the order (see ``read_pages``). Rows become model
instances through ``Manager.raw``, Django's public way from SQL to models.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter

from django.db import connections
from django.db.models import Count, Model, QuerySet

from schema.django_query import is_plain, sql_of

PARENT = "nested_page_parent"  # the column naming each row's parent
PARENTS_PER_STATEMENT = 100  # SQLite allows 500 terms in a compound SELECT


@dataclass(frozen=True)
class Relation:
    """A nested connection's rows: ``children(request)`` (visibility included) linked to their parent
    through the join table ``through``, whose foreign keys are ``parent_field`` and ``child_field``;
    ``parent_lookup`` is the ORM's lookup from a child to its parent (for counts)."""

    name: str
    children: Callable[..., QuerySet]
    through: type[Model]
    parent_field: str
    child_field: str
    parent_lookup: str

    def columns(self) -> tuple[str, str, str]:
        meta = self.through._meta
        return meta.db_table, meta.get_field(self.parent_field).column, meta.get_field(self.child_field).column


@dataclass(frozen=True)
class Seek:
    """Where each parent's page starts: after or before a child key, in which direction, how many rows."""

    after: object | None
    before: object | None
    descending: bool
    limit: int


def read_pages(relation: Relation, children: QuerySet, parent_keys: Iterable, seek: Seek) -> dict:
    """{parent key: [child, …]} in the page's direction, at most ``seek.limit`` children each."""
    keys = list(dict.fromkeys(parent_keys))
    found: dict = {key: [] for key in keys}
    if not keys:
        return found
    if not is_plain(children):
        raise ValueError("nested pages need a plain queryset of the children")
    inner_sql, inner_params = sql_of(children.order_by())
    table, parent, child = relation.columns()
    connection = connections[children.db]
    q = connection.ops.quote_name
    child_pk = q(children.model._meta.pk.column)
    conditions, condition_params = [], []
    for bound, op in ((seek.after, ">"), (seek.before, "<")):
        if bound is not None:
            conditions.append(f" AND m.{q(child)} {op} %s")
            condition_params.append(bound)
    seek_sql = "".join(conditions)
    direction = "DESC" if seek.descending else "ASC"
    # The children's query once, as a common table expression every part reads; NOT MATERIALIZED keeps
    # each part's plan an index seek per parent (PostgreSQL 12+, SQLite 3.35+; older SQLite inlines
    # CTEs anyway). Written out per part, it made the statement 15 KB, and SQLite's backend rewrites
    # every placeholder of it on each execution. The children's SQL is embedded as it is (no
    # str.format: it may hold braces); the LIMIT is an integer of ours.
    hint = "NOT MATERIALIZED " if _cte_hints(connection) else ""
    with_children = f"WITH c AS {hint}({inner_sql}) "
    join = f"FROM {q(table)} m INNER JOIN c ON c.{child_pk} = m.{q(child)}"
    manager = children.model._default_manager.db_manager(children.db)
    if connection.vendor == "postgresql":
        # One plan for every parent: LATERAL over the array of parents. The parent is bounded by a
        # range, not `=`, and the order names it: with `=` the planner drops it from the order as a
        # constant, and for a parent it cannot see (a generic one) it walked the join table in child
        # order filtering on the parent, which for a group of 3 beside one of 20,000 read everything.
        # As written, only the (parent, child) index gives the order: a range scan that stops at LIMIT.
        # (Fifty UNION ALL parts cost PostgreSQL 6 ms of planning per request.)
        sql = (
            f"{with_children}SELECT page.* FROM unnest(%s) AS p(key) CROSS JOIN LATERAL ("
            f"SELECT c.*, m.{q(parent)} AS {q(PARENT)} {join}"
            f" WHERE m.{q(parent)} >= p.key AND m.{q(parent)} <= p.key{seek_sql}"
            f" ORDER BY m.{q(parent)} {direction}, m.{q(child)} {direction} LIMIT {int(seek.limit)}) page"
        )
        statements = [(sql, [*inner_params, keys, *condition_params])]
    else:
        part = (
            f"SELECT * FROM (SELECT c.*, m.{q(parent)} AS {q(PARENT)} {join}"
            f" WHERE m.{q(parent)} = %s{seek_sql} ORDER BY m.{q(child)} {direction} LIMIT {int(seek.limit)}) page"
        )
        statements = []
        for start in range(0, len(keys), PARENTS_PER_STATEMENT):
            chunk = keys[start : start + PARENTS_PER_STATEMENT]
            params = list(inner_params)
            for key in chunk:
                params += [key, *condition_params]
            statements.append((with_children + " UNION ALL ".join([part] * len(chunk)), params))
    for sql, params in statements:
        for row in manager.raw(sql, params):
            found[getattr(row, PARENT)].append(row)
    for rows in found.values():  # UNION ALL promises no order across its terms: put each page in order
        rows.sort(key=attrgetter("pk"), reverse=seek.descending)
    return found


def _cte_hints(connection) -> bool:
    """Whether the database takes ``AS NOT MATERIALIZED`` (SQLite 3.35+; every PostgreSQL Django supports)."""
    if connection.vendor == "sqlite":
        return connection.Database.sqlite_version_info >= (3, 35)
    return connection.vendor == "postgresql"


def count_children(relation: Relation, children: QuerySet, parent_keys: Iterable) -> dict:
    """{parent key: number of visible children}, for ``totalCount``, in one grouped query."""
    keys = list(dict.fromkeys(parent_keys))
    if not keys:
        return {}
    lookup = relation.parent_lookup
    rows = children.filter(**{f"{lookup}__in": keys}).order_by().values(lookup).annotate(n=Count("pk"))
    counts = {key: 0 for key in keys}
    counts.update(rows.values_list(lookup, "n"))
    return counts
