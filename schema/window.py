"""Each parent's page of a nested connection in one query, compiled once per shape.

The query numbers each parent's rows with a window function and keeps only the page's rows
(``schema.connections.read_nested_pages`` says why). Building and compiling it with the ORM cost
five times running it (a window filter makes Django wrap it twice, "qualify"), and frontend apps ask
the same shapes again and again, so the compiled SQL is kept per shape: the children's own SQL and
parameters (what they may see: visibility rules stay in their queryset), the page and the number of
parents. Only the parents' keys change from one request to the next: the shape is compiled with
stand-ins for them (negative keys, which no parameter of ours can be) and each request puts the real
keys in their places. Rows become model instances as Django's ``ModelIterable`` makes them, with
the fields' converters. A queryset this cannot prove safe (a stand-in not found exactly once,
``select_related``) runs through the ORM as before.
"""

import copy
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

MAX_SHAPES = 512  # per process; past it the cache starts again (shapes repeat, pages are few)
_shapes: dict = {}


def window_queryset(children: QuerySet, lookup: str, order: tuple[str, ...], page, parent_keys: list) -> QuerySet:
    """The rows of each parent's page, numbered per parent (``_row``, from 0), with the parent's
    key (``_parent``) and its number of rows (``_count``), ordered by parent and row."""
    per_parent = F(lookup)
    rows = children.filter(**{f"{lookup}__in": parent_keys}).annotate(
        _parent=per_parent,
        _row=Window(RowNumber(), partition_by=per_parent, order_by=[F(f).asc() for f in order]) - 1,
        _count=Window(Count("pk"), partition_by=per_parent),
    )
    start, end = page.bounds(F("_count"))
    return rows.filter(_row__gte=start, _row__lt=end).order_by("_parent", "_row")


@dataclass(frozen=True)
class Shape:
    """A compiled window query; ``slots`` are (parameter position, parent index)."""

    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]
    compiler: object  # the SQLCompiler that compiled it: its select list and converters
    model_fields: tuple[int, int]
    init_list: tuple[str, ...]
    annotations: tuple[tuple[str, int], ...]

    def rows(self, db: str, parent_keys: list) -> list:
        params = list(self.params)
        for position, index in self.slots:
            params[position] = parent_keys[index]
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            results = [cursor.fetchall()]
        compiler = copy.copy(self.compiler)
        compiler.connection = connection  # this thread's connection, for the converters
        model = compiler.klass_info["model"]
        start, end = self.model_fields
        found = []
        for row in compiler.results_iter(results):
            obj = model.from_db(db, self.init_list, row[start:end])
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def page_rows(children: QuerySet, lookup: str, order: tuple[str, ...], page, parent_keys: list) -> list:
    """``window_queryset``'s rows, from the compiled shape when there is one."""
    keys = list(dict.fromkeys(parent_keys))  # as the ORM's IN: each key once
    try:
        children_sql = children.query.sql_with_params()
        key = (children.db, children.model, children_sql[0], tuple(children_sql[1]), lookup, order, page, len(keys))
        hash(key)
    except Exception:  # an empty IN, an unhashable parameter: nothing to cache
        return list(window_queryset(children, lookup, order, page, keys))
    if key not in _shapes:
        if len(_shapes) >= MAX_SHAPES:
            _shapes.clear()
        stand_ins = [-1 - i for i in range(len(keys))]
        own_negatives = any(_is_stand_in(p) for p in children_sql[1])  # could be taken for stand-ins
        queryset = window_queryset(children, lookup, order, page, stand_ins)
        _shapes[key] = None if own_negatives else _compile(queryset, len(keys))
    shape = _shapes[key]
    if shape is None:
        return list(window_queryset(children, lookup, order, page, keys))
    return shape.rows(children.db, keys)


def _compile(queryset: QuerySet, parents: int) -> Shape | None:
    if queryset.query.select_related or queryset._known_related_objects:
        return None
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    slots = tuple((position, -1 - p) for position, p in enumerate(params) if _is_stand_in(p))
    if sorted(index for _, index in slots) != list(range(parents)):  # each stand-in exactly once
        return None
    select_fields = compiler.klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    return Shape(
        sql=sql,
        params=tuple(params),
        slots=slots,
        compiler=compiler,
        model_fields=(start, end),
        init_list=tuple(f[0].target.attname for f in compiler.select[start:end]),
        annotations=tuple(compiler.annotation_col_map.items()),
    )


def _is_stand_in(param) -> bool:
    return isinstance(param, int) and not isinstance(param, bool) and param < 0
