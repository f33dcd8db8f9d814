"""Relay connections: the one page rule (SPEC §4, §5) and the reads that follow it.

``PageRequest`` decides what a page holds, from the arguments exactly as the resolver gets them;
``largest_page`` is the static cost's size of a connection, computed from the same decision, so
the cost and the page cannot drift apart. Page sizes are checked here with real errors:
graphene-django's checks are ``assert``s, which vanish under ``python -O``.

Every page stops at the page (SPEC §5): `after`/`before` are keys that the query seeks to
(``schema.cursors``), `last` without `first` reads backwards, and one row past the page tells
whether there is a next (or previous) one. `totalCount` is a COUNT run only when selected. Top-level
lists read through the request's ``schema.loaders.Loaders`` (the same list asked twice is read
once); nested connections read through it too, for every parent that came in the same page at
once, with a LIMIT per parent (``schema.nested_pages``).
"""

import json
from dataclasses import dataclass
from functools import lru_cache

import graphene
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from graphene.utils.str_converters import to_camel_case
from graphene_django.filter import DjangoFilterConnectionField
from graphql import GraphQLError, GraphQLObjectType, GraphQLSchema, get_named_type, get_nullable_type, is_list_type

from schema.cursors import InvalidCursor, Order, check_cursor
from schema.errors import Code, api_error
from schema.gate import graphene_field, public_type
from schema.nested_pages import Relation
from schema.pages import Page, build_page

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
PAGE_RULE = "largest_page"  # key in GraphQLField.extensions: args -> the most nodes the field can return
ROWS_RULE = "rows_read"  # key in GraphQLField.extensions: args -> the rows the field reads per parent
SCANS = "scanning_arguments"  # key in GraphQLField.extensions: arguments no index serves (schema.pricing)


@dataclass(frozen=True)
class PageRequest:
    """A checked page: sizes in 1..100 (`first` defaults to 20 when both are absent), cursors well formed.

    Relay's window: `after`/`before` bound the list, then `first` keeps the head and `last` the tail
    of what remains. A cursor past the end is taken as it says: an empty page with no next page."""

    first: int | None
    last: int | None
    after: str | None
    before: str | None

    @property
    def largest(self) -> int:
        """The most nodes this page can hold."""
        return min(size for size in (self.first, self.last) if size is not None)

    @property
    def forward(self) -> bool:
        """Read from the start of the window (`first`), or back from its end (`last` alone)."""
        return self.first is not None

    @property
    def read_size(self) -> int:
        """Rows read per parent (one more tells whether there are more): `first`, or `last` read
        backwards. With both, `first` rows are read and `last` of them kept: more read than returned,
        which the price counts (``rows_read``). hasPreviousPage is then exact when `first` >= `last`;
        below that, knowing it would take reading `last` rows to return `first`, and it says false."""
        return self.first if self.forward else self.last

    def keys(self, order: Order) -> tuple[tuple | None, tuple | None]:
        """The keys `after` and `before` seek to in ``order``, or the error a foreign cursor deserves."""
        keys = []
        for name in ("after", "before"):
            cursor = getattr(self, name)
            try:
                keys.append(None if cursor is None else order.key_from(cursor))
            except InvalidCursor:
                raise invalid_cursor(name) from None
        return keys[0], keys[1]


def invalid_cursor(name: str) -> GraphQLError:
    return api_error(Code.BAD_USER_INPUT, f"`{name}` is not a valid cursor.", argument=name)


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
    for name in ("after", "before"):
        if args.get(name) is not None:
            try:
                check_cursor(args[name])
            except InvalidCursor:
                raise invalid_cursor(name) from None
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        first = DEFAULT_PAGE_SIZE
    return PageRequest(first, last, args.get("after"), args.get("before"))


@lru_cache(maxsize=1024)
def page_for(arguments: tuple) -> PageRequest:
    """``checked_page`` of ``dict(arguments)``, decided once per distinct arguments: a nested connection is
    resolved once per parent of its page with the same arguments (a refusal is not cached: it raises)."""
    return checked_page(dict(arguments))


def largest_page(args: dict) -> int:
    """The static cost's size of a connection: the most nodes its resolver can return for ``args``."""
    try:
        return checked_page(args).largest
    except GraphQLError:
        return 0  # the resolver refuses these arguments: no page at all


def rows_read(args: dict) -> int:
    """The rows its resolver reads per parent for ``args`` (the price, schema.pricing): more than it
    returns when `first` and `last` come together."""
    try:
        return checked_page(args).read_size
    except GraphQLError:
        return 0


def install_page_rules(schema: GraphQLSchema) -> None:
    """Mark the connection fields, as declared (our connection field classes), for the static cost;
    a list or connection field with no rule and no declared bound is denied (default deny, SPEC §5)."""
    for graphql_type, name, field in _many_fields(schema):
        declared = graphene_field(graphql_type, name)
        rule = getattr(declared, PAGE_RULE, None)
        if rule is not None:
            scans = tuple(getattr(declared, "scans", ()))
            field.extensions = {**(field.extensions or {}), PAGE_RULE: rule, ROWS_RULE: rows_read, SCANS: scans}
        elif not _bounded(graphql_type, name, declared):
            field.resolve = _no_page_rule(f"{graphql_type.name}.{name}")


def fields_without_page_rule(schema: GraphQLSchema) -> list[str]:
    """List and connection fields that neither read a page by the page rule nor declare their bound."""
    return [
        f"{graphql_type.name}.{name}"
        for graphql_type, name, field in _many_fields(schema)
        if PAGE_RULE not in (field.extensions or {})
        and not _bounded(graphql_type, name, graphene_field(graphql_type, name))
    ]


def bounded(field, bound: str):
    """Declare why a list field needs no page: ``bound`` says what bounds it (an input's size)."""
    field.bound = bound
    return field


def _bounded(graphql_type: GraphQLObjectType, name: str, declared) -> bool:
    if getattr(declared, "bound", None):
        return True
    # A connection's edges are its page: bounded by the connection field's own rule.
    connection = getattr(getattr(graphql_type, "graphene_type", None), "_meta", None)
    return name == "edges" and isinstance(getattr(connection, "node", None), type)


def _many_fields(schema: GraphQLSchema):
    """(type, name, field) of every field that returns a list or a connection, introspection aside."""
    for graphql_type in schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__"):
            for name, field in graphql_type.fields.items():
                returned = get_nullable_type(field.type)
                named = get_named_type(returned)
                if is_list_type(returned) or (isinstance(named, GraphQLObjectType) and "pageInfo" in named.fields):
                    yield graphql_type, name, field


def _no_page_rule(coordinate: str):
    def deny(root, info, **args):
        raise api_error(Code.FORBIDDEN, f"{coordinate} has no page rule, so it is denied.")

    return deny


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


def read_list(queryset: QuerySet, page: PageRequest) -> Page:
    """A top-level list's page: a seek to the cursor's key and a LIMIT, never an OFFSET."""
    order = Order.of(queryset)
    after, before = page.keys(order)
    rows = queryset
    if after is not None:
        rows = rows.filter(order.beyond(after, after=True))
    if before is not None:
        rows = rows.filter(order.beyond(before, after=False))
    if not page.forward:
        rows = rows.reverse()
    return build_page(page, list(rows[: page.read_size + 1]), order, queryset.count)


class ConnectionField(DjangoFilterConnectionField):
    """A top-level list: FilterSet arguments and first/after/last/before."""

    def __init__(self, *args, scans: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, max_limit=None, enforce_first_or_last=False, **kwargs)
        self._base_args.pop("offset", None)  # graphene-django adds it; SPEC §4 pages by cursor
        self.scans = scans  # arguments that read the whole table (a substring search): priced as such

    largest_page = staticmethod(largest_page)

    @classmethod
    def connection_resolver(
        cls, resolver, connection, default_manager, queryset_resolver, _limit, _enforce, root, info, **args
    ):
        page = checked_page(args)

        def read() -> Page:
            iterable = resolver(root, info, **args)
            queryset = queryset_resolver(connection, default_manager if iterable is None else iterable, info, args)
            return read_list(queryset, page)

        return info.context.loaders.list_page((info.field_name, *sorted(args.items())), read)

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


class NestedConnectionField(graphene.relay.ConnectionField):
    """A connection under an object, read for every parent of its page at once (``schema.loaders``)."""

    largest_page = staticmethod(largest_page)

    def __init__(self, type_, relation: Relation, **kwargs):
        super().__init__(type_, **kwargs)
        self.relation = relation

    def wrap_resolve(self, parent_resolver):
        relation = self.relation

        def resolve(root, info, **args):
            return info.context.loaders.nested_page(relation, page_for(tuple(args.items())), root)

        return resolve
