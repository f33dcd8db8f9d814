"""What connection fields return: plain objects with slots, not graphene's Connection, Edge and
PageInfo instances (building those cost more than reading the rows, issue 12); the fields of
``schema.connections.CountedConnection`` and graphene's relay types read them as attributes.
Cursors are encoded only when a query asks for them: most ask for nodes only."""

from collections.abc import Callable

from graphql_relay import offset_to_cursor


class Edge:
    """A page's edge: its node and its offset in the list."""

    __slots__ = ("node", "offset")

    def __init__(self, node, offset: int):
        self.node, self.offset = node, offset

    @property
    def cursor(self) -> str:
        return offset_to_cursor(self.offset)


class PageInfo:
    __slots__ = ("has_previous_page", "has_next_page", "start", "end")

    def __init__(self, has_previous_page: bool, has_next_page: bool, start: int | None, end: int | None):
        self.has_previous_page, self.has_next_page, self.start, self.end = has_previous_page, has_next_page, start, end

    @property
    def start_cursor(self) -> str | None:
        return None if self.start is None else offset_to_cursor(self.start)

    @property
    def end_cursor(self) -> str | None:
        return None if self.end is None else offset_to_cursor(self.end)


class Page:
    """A connection's page: ``count`` runs the COUNT that ``totalCount`` needs when ``length`` is unknown."""

    __slots__ = ("edges", "page_info", "length", "count")

    def __init__(self, edges: list[Edge], page_info: PageInfo, length: int | None, count: Callable[[], int]):
        self.edges, self.page_info, self.length, self.count = edges, page_info, length, count


def build_page(page, rows: list, start: int, end: int, count: int | None, more: bool, counter) -> Page:
    edges = [Edge(node, start + i) for i, node in enumerate(rows)]
    last = start + len(rows) - 1 if rows else None
    info = PageInfo(page.has_previous(start), page.has_next(end, count, more), start if rows else None, last)
    return Page(edges, info, count, counter)
