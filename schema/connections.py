"""Relay connections: checked page sizes (SPEC §4) and batched loading of nested connections.

Page sizes are checked here with real errors; graphene-django's own checks are ``assert``s, which
vanish under ``python -O``. Nested connections (``User.groups``, ``Group.members``) load for every
object of the page at once: the first node asked loads its siblings' relations in one query.
"""

import json
from collections.abc import Callable

import graphene
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from graphene.utils.str_converters import to_camel_case
from graphene_django.filter import DjangoFilterConnectionField
from graphql_relay import cursor_to_offset, offset_to_cursor

from schema.errors import Code, api_error
from schema.gate import public_type

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_CURSOR_OFFSET = 2**31  # a larger offset is no cursor of ours, and overflows the databases' integers
SIBLINGS = "_loaded_with"  # attribute naming the list of objects loaded together with this one


@public_type
class CountedConnection(graphene.relay.Connection):
    class Meta:
        abstract = True

    class Edge:
        pass

    total_count = graphene.Int(required=True, description="Number of items in the whole list.")

    def resolve_total_count(self, info):
        if self.length is None:  # a forward page skipped the COUNT; run it only when asked
            self.length = self.iterable.count()
        return self.length


def checked_page_args(args: dict) -> dict:
    for name in ("first", "last"):
        size = args.get(name)
        if size is not None and not 1 <= size <= MAX_PAGE_SIZE:
            raise api_error(
                Code.BAD_USER_INPUT,
                f"`{name}` must be between 1 and {MAX_PAGE_SIZE}; got {size}.",
                argument=name,
            )
    for name in ("after", "before"):
        cursor = args.get(name)
        offset = cursor_to_offset(cursor) if cursor is not None else 0
        if offset is None or not 0 <= offset < MAX_CURSOR_OFFSET:
            raise api_error(Code.BAD_USER_INPUT, f"`{name}` is not a valid cursor.", argument=name)
    if args.get("first") is None and args.get("last") is None:
        args["first"] = DEFAULT_PAGE_SIZE
    return args


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

    @classmethod
    def connection_resolver(
        cls,
        resolver,
        connection,
        default_manager,
        queryset_resolver,
        max_limit,
        enforce_first_or_last,
        root,
        info,
        **args,
    ):
        return super().connection_resolver(
            resolver,
            connection,
            default_manager,
            queryset_resolver,
            None,
            False,
            root,
            info,
            **checked_page_args(args),
        )

    @classmethod
    def resolve_queryset(cls, connection, iterable, info, args, filtering_args, filterset_class):
        try:
            return super().resolve_queryset(connection, iterable, info, args, filtering_args, filterset_class)
        except ValidationError as exc:
            raise api_error(Code.BAD_USER_INPUT, f"Invalid arguments: {filter_errors(exc)}") from None

    @classmethod
    def resolve_connection(cls, connection, args, iterable, max_limit=None):
        if args.get("last") is None and args.get("before") is None:
            page = forward_page(connection, args, iterable)
        else:
            page = super().resolve_connection(connection, args, iterable, max_limit)
        load_together([edge.node for edge in page.edges])
        return page


def forward_page(connection, args: dict, queryset):
    """`first`/`after` pages read first + 1 rows to learn `hasNextPage`, with no COUNT query.

    graphene-django counts the whole list on every page; for forward pagination (the common case)
    the count is needed only when `totalCount` is asked, and then it runs lazily.
    """
    first, after = args["first"], args.get("after")
    start = cursor_to_offset(after) + 1 if after is not None else 0
    rows = list(queryset[start : start + first + 1])
    edges = [connection.Edge(node=node, cursor=offset_to_cursor(start + i)) for i, node in enumerate(rows[:first])]
    page = connection(
        edges=edges,
        page_info=graphene.relay.PageInfo(
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=False,  # as graphql-relay answers for forward pagination
            has_next_page=len(rows) > first,
        ),
    )
    page.iterable, page.length = queryset, None
    return page


class NestedConnectionField(graphene.relay.ConnectionField):
    """A connection under an object, loaded for all of its siblings at once.

    ``prefetch(request)`` returns the ``Prefetch`` (with ``to_attr``) that loads the related
    objects a request may see, in order.
    """

    def __init__(self, type_, prefetch: Callable[..., Prefetch], **kwargs):
        super().__init__(type_, **kwargs)
        self.prefetch = prefetch

    def wrap_resolve(self, parent_resolver):
        prefetch = self.prefetch

        def page_of(obj, attr: str, args: dict):
            """The page of ``obj``'s loaded relation, built once per arguments."""
            pages = obj.__dict__.setdefault("_loaded_pages", {})
            key = (attr, tuple(sorted(args.items())))
            if key not in pages:
                items = getattr(obj, attr)
                pages[key] = self.resolve_connection(self.type, dict(args), items)
                pages[key].length = len(items)
            return pages[key]

        def resolve(root, info, **args):
            checked_page_args(args)
            lookup = prefetch(info.context)
            if not hasattr(root, lookup.to_attr):
                batch = [o for o in getattr(root, SIBLINGS, [root]) if not hasattr(o, lookup.to_attr)]
                if root not in batch:
                    batch.append(root)
                prefetch_related_objects(batch, lookup)
                # The next level loads together what this level returns, not every related row.
                load_together([edge.node for obj in batch for edge in page_of(obj, lookup.to_attr, args).edges])
            return page_of(root, lookup.to_attr, args)

        return resolve
