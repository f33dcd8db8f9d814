"""What connection fields return: plain objects with slots, not graphene's Connection, Edge and
PageInfo instances (building those cost more than reading the rows, issue 12); the fields of
``schema.connections.CountedConnection`` and graphene's relay types read them as attributes.
Cursors (``schema.cursors``: the node's key in the page's order) are encoded only when a query asks
for them: most ask for nodes only."""

from collections.abc import Callable

from schema.cursors import Order


class Edge:
    __slots__ = ("node", "order")

    def __init__(self, node, order: Order):
        self.node, self.order = node, order

    @property
    def cursor(self) -> str:
        return self.order.cursor_of(self.node)


class PageInfo:
    __slots__ = ("has_previous_page", "has_next_page", "first", "last", "order")

    def __init__(self, has_previous_page: bool, has_next_page: bool, first, last, order: Order):
        self.has_previous_page, self.has_next_page = has_previous_page, has_next_page
        self.first, self.last, self.order = first, last, order

    @property
    def start_cursor(self) -> str | None:
        return None if self.first is None else self.order.cursor_of(self.first)

    @property
    def end_cursor(self) -> str | None:
        return None if self.last is None else self.order.cursor_of(self.last)


class Page:
    """A connection's page: ``count`` runs the COUNT that ``totalCount`` needs, when it is asked."""

    __slots__ = ("edges", "page_info", "length", "count")

    def __init__(self, edges: list[Edge], page_info: PageInfo, count: Callable[[], int]):
        self.edges, self.page_info, self.length, self.count = edges, page_info, None, count


def build_page(page, read: list, order: Order, count: Callable[[], int]) -> Page:
    """The page from the rows read in its direction, one past ``page.read_size`` when there are more,
    by Relay's algorithm: forward for `first` (then `last` keeps the tail), backward for `last` alone.
    hasPreviousPage is whether the window holds more than `last` (as far as the rows read tell:
    ``PageRequest.read_size``); hasNextPage, more than `first`. Called once per parent of a page."""
    first, last = page.first, page.last
    if first is not None:
        rows = read[:first]
        has_next = len(read) > first
        has_previous = last is not None and len(read) > last
        if last is not None:
            rows = rows[-last:]
    else:
        rows = read[:last]
        rows.reverse()
        has_next, has_previous = False, len(read) > last
    edges = [Edge(node, order) for node in rows]
    info = PageInfo(has_previous, has_next, rows[0] if rows else None, rows[-1] if rows else None, order)
    return Page(edges, info, count)
