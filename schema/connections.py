"""Relay connections: the one page rule (SPEC §4, §5) and the loading that follows it.

``PageRequest`` decides what a page holds, from the arguments exactly as the resolver gets them;
``largest_page`` is the static cost's size of a connection, computed from the same decision, so
the cost and the page cannot drift apart (the cost once preferred `first` while the resolver
honoured `last`). Page sizes are checked here with real errors: graphene-django's checks are
``assert``s, which vanish under ``python -O``.

Top-level lists read their page with one slice (plus one COUNT only for `last`). Nested
connections (``User.groups``, ``Group.members``) load for every parent of the page at once, and
only each parent's page reaches Python: a window function numbers each parent's rows, so a group
of 30,000 members costs the rows of its page in memory. (The database still numbers and counts
the whole partition to do it; a per-parent LIMIT or LATERAL join would spare that on PostgreSQL.)
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import graphene
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Greatest, Least
from graphene.utils.str_converters import to_camel_case
from graphene_django.filter import DjangoFilterConnectionField
from graphql import GraphQLError, GraphQLObjectType, GraphQLSchema
from graphql_relay import cursor_to_offset

from schema.errors import Code, api_error
from schema.gate import graphene_field, public_type
from schema.pages import Page, build_page
from schema.window import page_rows

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_CURSOR_OFFSET = 2**31  # a larger offset is no cursor of ours, and overflows the databases' integers
SIBLINGS = "_loaded_with"  # attribute naming the list of objects loaded together with this one
PAGES = "_loaded_pages"  # attribute holding an object's nested pages, by field and arguments
PAGE_RULE = "largest_page"  # key in GraphQLField.extensions: args -> the most nodes the field can return


@dataclass(frozen=True)
class PageRequest:
    """A checked page: sizes in 1..100 (`first` defaults to 20 when both are absent), cursors as offsets.

    The window is graphql-relay's: `after`/`before` bound it, then `first` keeps the head and
    `last` the tail of what remains. One difference: graphql-relay ignores a cursor past the end of
    the list; here it is taken as it says, an empty page with no next page.
    """

    first: int | None
    last: int | None
    after: int | None
    before: int | None

    @property
    def largest(self) -> int:
        """The most nodes this page can hold."""
        return min(size for size in (self.first, self.last) if size is not None)

    @property
    def needs_count(self) -> bool:
        """Only `last` counts back from the end; every other page is known from its start."""
        return self.last is not None

    @property
    def start(self) -> int:
        return self.after + 1 if self.after is not None else 0

    def bounds(self, count: int | None):
        """(start, end) offsets; ``count`` may be a number or a database expression (per parent)."""
        start, end = self.start, count
        if self.before is not None:
            end = self.before if end is None else _least(end, self.before)
        if self.first is not None:
            end = self.start + self.first if end is None else _least(end, self.start + self.first)
        if self.last is not None:
            start = _greatest(start, end - self.last)
        return start, end

    def has_previous(self, start: int) -> bool:
        return self.last is not None and start > self.start

    def has_next(self, end: int, count: int | None, more: bool) -> bool:
        """``more``: a row exists past ``end`` (how a forward page learns it without a count)."""
        if self.first is None or (self.before is not None and end >= self.before):
            return False
        return end < count if count is not None else more


def _least(a, b):
    return min(a, b) if isinstance(a, int) and isinstance(b, int) else Least(_expr(a), _expr(b))


def _greatest(a, b):
    return max(a, b) if isinstance(a, int) and isinstance(b, int) else Greatest(_expr(a), _expr(b))


def _expr(value):
    return Value(value) if isinstance(value, int) else value


def checked_page(args: dict) -> PageRequest:
    """The page the arguments ask for, or the error they deserve (SPEC §4: out of range is an error)."""
    for name in ("first", "last"):
        size = args.get(name)
        if size is not None and not 1 <= size <= MAX_PAGE_SIZE:
            raise api_error(
                Code.BAD_USER_INPUT,
                f"`{name}` must be between 1 and {MAX_PAGE_SIZE}; got {size}.",
                argument=name,
            )
    offsets = {}
    for name in ("after", "before"):
        cursor = args.get(name)
        offsets[name] = cursor_to_offset(cursor) if cursor is not None else None
        if cursor is not None and (offsets[name] is None or not 0 <= offsets[name] < MAX_CURSOR_OFFSET):
            raise api_error(Code.BAD_USER_INPUT, f"`{name}` is not a valid cursor.", argument=name)
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        first = DEFAULT_PAGE_SIZE
    return PageRequest(first, last, offsets["after"], offsets["before"])


def largest_page(args: dict) -> int:
    """The static cost's size of a connection: the most nodes its resolver can return for ``args``."""
    try:
        return checked_page(args).largest
    except GraphQLError:
        return 0  # the resolver refuses these arguments: no page at all


def install_page_rules(schema: GraphQLSchema) -> None:
    """Mark the connection fields, as declared (our connection field classes), for the static cost."""
    for graphql_type in schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__"):
            for name, field in graphql_type.fields.items():
                rule = getattr(graphene_field(graphql_type, name), PAGE_RULE, None)
                if rule is not None:
                    field.extensions = {**(field.extensions or {}), PAGE_RULE: rule}


@public_type
class CountedConnection(graphene.relay.Connection):
    class Meta:
        abstract = True

    class Edge:
        pass

    total_count = graphene.Int(required=True, description="Number of items in the whole list.")

    def resolve_total_count(self, info):
        if self.length is None:  # the page was read without a COUNT; run it only when asked
            self.length = self.count()
        return self.length


def filter_errors(exc: ValidationError) -> str:
    """graphene-django packs the FilterSet form's errors as JSON text; unpack them for people."""
    try:
        errors = json.loads(exc.messages[0])
        return "; ".join(f"{to_camel_case(name)}: {e['message']}" for name, items in errors.items() for e in items)
    except (ValueError, TypeError, KeyError, AttributeError):
        return "; ".join(exc.messages)


def load_together(objects: list) -> None:
    for obj in objects:
        setattr(obj, SIBLINGS, objects)


class ConnectionField(DjangoFilterConnectionField):
    """A top-level list: FilterSet arguments and first/after/last/before."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, max_limit=None, enforce_first_or_last=False, **kwargs)
        self._base_args.pop("offset", None)  # graphene-django adds it; SPEC §4 pages by cursor

    largest_page = staticmethod(largest_page)

    @classmethod
    def connection_resolver(
        cls, resolver, connection, default_manager, queryset_resolver, _limit, _enforce, root, info, **args
    ):
        page = checked_page(args)
        iterable = resolver(root, info, **args)
        if iterable is None:
            iterable = default_manager
        queryset = queryset_resolver(connection, iterable, info, args)
        return cls.read_page(page, queryset)

    @classmethod
    def resolve_queryset(cls, connection, iterable, info, args, filtering_args, filterset_class):
        unfiltered = getattr(filterset_class, "unfiltered", None)
        if unfiltered is not None and all(args.get(name) is None for name in filtering_args):
            # No filter given: the FilterSet would only make the order total, and building one (deep
            # copies of its filters, a form to validate) cost more than the page's query.
            return unfiltered(
                super(DjangoFilterConnectionField, cls).resolve_queryset(connection, iterable, info, args)
            )
        try:
            return super().resolve_queryset(connection, iterable, info, args, filtering_args, filterset_class)
        except ValidationError as exc:
            raise api_error(Code.BAD_USER_INPUT, f"Invalid arguments: {filter_errors(exc)}") from None

    @staticmethod
    def read_page(page: PageRequest, queryset: QuerySet) -> Page:
        count = queryset.count() if page.needs_count else None
        start, end = page.bounds(count)
        end = max(start, end)
        rows = list(queryset[start : end + (count is None)])  # one row past the page tells hasNextPage
        more = len(rows) > end - start
        result = build_page(page, rows[: end - start], start, end, count, more, queryset.count)
        load_together(rows[: end - start])
        return result


@dataclass(frozen=True)
class Relation:
    """How a nested connection finds its rows: ``children(request)`` (visibility and order included)
    filtered by ``parent_lookup`` (the lookup from a child to its parent), in ``order``."""

    children: Callable[..., QuerySet]
    parent_lookup: str
    order: tuple[str, ...]


def read_nested_pages(parents: list, relation: Relation, page: PageRequest, request) -> dict:
    """Each parent's page, in one query: rows numbered per parent by a window function, and only
    the page's rows read. The per-parent count comes with them (it is the same partition)."""
    children = relation.children(request)
    rows = page_rows(children, relation.parent_lookup, relation.order, page, [parent.pk for parent in parents])
    found: dict[int, list] = {}
    for row in rows:
        found.setdefault(row._parent, []).append(row)
    # Parents with no row in the window learn their count, if `totalCount` is asked, from one
    # grouped query for all of them (users without groups are common: one COUNT each was an N+1).
    counts = _counts_of(relation, request, [parent.pk for parent in parents if parent.pk not in found])
    pages = {}
    for parent in parents:
        items = found.get(parent.pk, [])
        if items:
            count = items[0]._count
            first, last = items[0]._row, items[-1]._row + 1
        else:
            count, (first, last) = None, (page.start, page.start)
        pages[parent.pk] = build_page(page, items, first, last, count, False, lambda pk=parent.pk: counts().get(pk, 0))
    return pages


def _counts_of(relation: Relation, request, parent_pks: list) -> Callable[[], dict]:
    """A memoised ``{parent pk: count}`` for ``parent_pks``, read on first use in one GROUP BY query."""
    memo: list[dict] = []

    def counts() -> dict:
        if not memo:
            lookup = relation.parent_lookup
            rows = relation.children(request).filter(**{f"{lookup}__in": parent_pks}).order_by()
            memo.append(
                dict(rows.values(lookup).annotate(n=Count("pk")).values_list(lookup, "n")) if parent_pks else {}
            )
        return memo[0]

    return counts


class NestedConnectionField(graphene.relay.ConnectionField):
    """A connection under an object, loaded for all of its siblings at once (see ``read_nested_pages``)."""

    largest_page = staticmethod(largest_page)

    def __init__(self, type_, relation: Relation, **kwargs):
        super().__init__(type_, **kwargs)
        self.relation = relation

    def wrap_resolve(self, parent_resolver):
        relation = self.relation

        def resolve(root, info, **args):
            page = checked_page(args)
            key = (info.field_name, page)
            if key not in root.__dict__.get(PAGES, {}):
                batch = [o for o in getattr(root, SIBLINGS, [root]) if key not in o.__dict__.get(PAGES, {})]
                if root not in batch:
                    batch.append(root)
                pages = read_nested_pages(batch, relation, page, info.context)
                for obj in batch:
                    obj.__dict__.setdefault(PAGES, {})[key] = pages[obj.pk]
                # The next level loads together what this level returns, not every related row.
                load_together([edge.node for obj in batch for edge in pages[obj.pk].edges])
            return root.__dict__[PAGES][key]

        return resolve
