"""The request's loaders: what one /graphql request reads, read once and in batches (SPEC §5).

One ``Loaders`` is made per execution (``schema.execution``) and reached by resolvers as ``info.context.loaders``
(Saleor's ``info.context.dataloaders`` is the model). It knows which objects came together in one
page, so that a nested connection under any of them is read for all of them in one statement, and
it keeps every page it read, keyed by (relation, page arguments, parent): the same page asked twice
in one operation (aliases, fragments) is read once, and ``totalCount`` is counted once per
(relation, parent), for every parent of the batch, only when it is selected.

Resolvers run depth first and synchronously here (no promises to gather a batch), so the batch is
what the previous level returned: a page's nodes are registered together when the page is read.
"""

from collections.abc import Callable

from django.db.models import Model

from schema.cursors import Order
from schema.nested_pages import Relation, Seek, count_children, read_pages
from schema.pages import Page, build_page


class Loaders:
    def __init__(self, request):
        self.request = request
        self._lists: dict = {}  # (field, arguments) -> Page
        self._objects: dict = {}  # (kind, key) -> the object, or None
        self._together: dict = {}  # id(object) -> the objects of the page it came in (kept alive by it)
        self._pages: dict = {}  # (relation, PageRequest, parent pk) -> Page
        self._counts: dict = {}  # (relation, parent pk) -> int
        self._count_batches: dict = {}  # (relation, parent pk) -> the parent keys to count with it

    def list_page(self, key: tuple, read: Callable[[], Page]) -> Page:
        """A top-level list's page, read once per request for the same arguments."""
        try:
            page = self._lists.get(key)
        except TypeError:  # an unhashable argument: nothing to share
            key, page = None, None
        if page is None:
            page = read()
            if key is not None:
                self._lists[key] = page
            self.came_together([edge.node for edge in page.edges])
        return page

    def one(self, key: tuple, read: Callable[[], object]) -> object:
        """What ``key`` names (an object by id, ``("Group", pk)``; a permission), read once per request:
        fifteen aliases of ``group(id: $g)`` are one query."""
        if key not in self._objects:
            self._objects[key] = read()
        return self._objects[key]

    def came_together(self, objects: list[Model]) -> None:
        """Objects returned in one page: a nested connection under one of them is read for all."""
        batch = tuple(objects)
        for obj in batch:
            self._together[id(obj)] = batch

    def nested_page(self, relation: Relation, page, parent: Model) -> Page:
        key = (relation.name, page, parent.pk)
        if key not in self._pages:
            # By identity: the same row reached another way (`me`, `user(id:)`) is not this page's, and
            # batching it with a page it did not come in would read that whole page's children.
            batch = self._together.get(id(parent), (parent,))
            keys = [obj.pk for obj in batch if (relation.name, page, obj.pk) not in self._pages]
            if parent.pk not in keys:
                keys.append(parent.pk)
            self._read_nested(relation, page, list(dict.fromkeys(keys)))
        return self._pages[key]

    def _read_nested(self, relation: Relation, page, keys: list) -> None:
        children = relation.children(self.request)
        order = Order.by_primary_key(children.model)
        after, before = page.keys(order)
        seek = Seek(
            after=None if after is None else after[0],
            before=None if before is None else before[0],
            descending=not page.forward,
            limit=page.read_size + 1,
        )
        rows = read_pages(relation, children, keys, seek)
        returned = []
        for key in keys:
            self._count_batches.setdefault((relation.name, key), keys)
            counter = self._counter(relation, key)
            self._pages[(relation.name, page, key)] = built = build_page(page, rows[key], order, counter)
            returned.extend(edge.node for edge in built.edges)
        self.came_together(returned)  # the next level reads for what this level returned, not more

    def _counter(self, relation: Relation, key) -> Callable[[], int]:
        def count() -> int:
            if (relation.name, key) not in self._counts:
                batch = self._count_batches[(relation.name, key)]
                pending = [k for k in batch if (relation.name, k) not in self._counts]
                counts = count_children(relation, relation.children(self.request), pending)
                self._counts.update({(relation.name, k): n for k, n in counts.items()})
            return self._counts[(relation.name, key)]

        return count


def fresh_per_mutation(resolve, root, info, **args):
    """graphql-core middleware for mutations: their root fields run one after another, and what each
    payload reads must see the changes made before it, so each starts with empty loaders."""
    if info.path.prev is None:
        info.context.loaders = Loaders(info.context)
    return resolve(root, info, **args)
