"""Static facts about an operation, computed once per document text and operation name.

- ``accepted_scopes``: what ``X-Accepted-OAuth-Scopes`` reports (SPEC §3), following fragments; an
  argument's own scopes count when the request gives it a value (``accepted_scopes_for``).
- ``page_paths``: for every connection, the connection fields along its path, so that the node
  count (SPEC §5) is evaluated per request against its variables without walking the document:
  each connection counts the largest page its resolver can return for the arguments as execution
  will coerce them (``get_argument_values``: literals, variables, defaults, null), by the rule the
  connection field declares (``schema.connections.largest_page``).
"""

from dataclasses import dataclass
from math import prod

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    print_ast,
)
from graphql.execution.values import get_argument_values

from schema.connections import PAGE_RULE, ROWS_RULE, SCANS
from schema.gate import POLICY
from schema.pricing import COUNT_READS, FILTER_READS, INTROSPECTION_READS, SCAN_READS, WRITE_READS

INTROSPECTION_FIELDS = {"__schema", "__type", "__typename"}
PAGE_ARGUMENTS = {"first", "last", "after", "before"}
Connection = tuple[GraphQLField, FieldNode]


@dataclass(frozen=True)
class OperationFacts:
    accepted_scopes: frozenset[str]
    introspection_only: bool
    # (response key, (field, its nodes)) of each root field, introspection excepted: the gate's 403 (SPEC §3)
    root_fields: tuple[tuple[str, tuple[GraphQLField, list[FieldNode]]], ...]
    page_paths: tuple[tuple[Connection, ...], ...]
    # (field, its node, (argument's GraphQL name, the scopes it needs beyond the field's)) per use
    argument_uses: tuple[tuple[GraphQLField, FieldNode, tuple[tuple[str, frozenset[str]], ...]], ...] = ()
    reads: int = 0  # statements the operation can cost: distinct pages, counts and lookups (schema.pricing)
    aliases: int = 0  # aliased fields, fragments expanded: each resolved again (schema.pricing)

    def accepted_scopes_for(self, variables: dict) -> frozenset[str]:
        """The fields' scopes, and those of each gated argument that is given a value (as the gate sees it:
        ``users(group: $g)`` with ``$g`` null needs no more than ``users``)."""
        scopes = set(self.accepted_scopes)
        for field, node, arguments in self.argument_uses:
            values = get_argument_values(field, node, variables)
            for name, extra in arguments:
                if values.get(field.args[name].out_name or name) is not None:
                    scopes |= extra
        return frozenset(scopes)

    def node_count(self, variables: dict, rule: str = PAGE_RULE) -> int:
        """Sum over connections of the product of page sizes along the path (GitHub's node limit),
        for the coerced ``variables`` of this request; ``rule=ROWS_RULE``: of the rows read instead."""
        sizes: dict[int, int] = {}

        def size(connection: Connection) -> int:
            field, node = connection
            if id(node) not in sizes:
                sizes[id(node)] = field.extensions[rule](get_argument_values(field, node, variables))
            return sizes[id(node)]

        return sum(prod(size(connection) for connection in path) for path in self.page_paths)

    def rows_read(self, variables: dict) -> int:
        """The rows the operation can read: the price's nodes (schema.pricing)."""
        return self.node_count(variables, ROWS_RULE)


def analyse(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) -> OperationFacts:
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    scopes: set[str] = set()
    page_paths: list[tuple[Connection, ...]] = []
    argument_uses: list = []

    reads: dict[tuple, int] = {}  # a read's key (the loaders read it once) -> its weight in reads
    aliases: list[FieldNode] = []

    def read(key: tuple, weight: int = 1) -> None:
        reads[key] = max(reads.get(key, 0), weight)

    root_type = schema.get_root_type(operation.operation)
    is_mutation = operation.operation == OperationType.MUTATION

    def walk(selection_set: SelectionSetNode, parent_type, pages: tuple, spreading: frozenset, root: tuple) -> None:
        """``root``: the root field a read is under. Reads are shared (read once) only under the same root
        field with the same arguments, as the loaders share them; never across a mutation's root fields,
        each of which reads afresh after its change (``schema.loaders.fresh_per_mutation``)."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if selection.alias is not None:
                    aliases.append(selection)  # the same field asked again: its resolution is work again
                if name in INTROSPECTION_FIELDS:
                    if name in INTROSPECTION_READS:  # answered once per document, then free; priced as work
                        read((name, _arguments(selection)), INTROSPECTION_READS[name])
                    continue
                if name == "totalCount" and pages:  # a COUNT of the page's filtered list: as heavy as its read
                    field, node = pages[-1]
                    read(
                        (*root, *_signature(pages), "totalCount"),
                        COUNT_READS * _page_reads(node, field.extensions or {}),
                    )
                field = parent_type.fields.get(name) if hasattr(parent_type, "fields") else None
                if field is None:
                    continue
                extensions = field.extensions or {}
                policy = extensions.get(POLICY)
                if policy is not None:
                    scopes.update(policy.scopes)
                    given = [(a.name.value, policy.argument_scopes(a.name.value)) for a in selection.arguments or ()]
                    if any(extra for _, extra in given):
                        argument_uses.append((field, selection, tuple((n, e) for n, e in given if e)))
                field_type = get_named_type(field.type)
                below = root
                if parent_type is root_type:
                    key = (selection.alias or selection.name).value
                    below = (key,) if is_mutation else (name, _arguments(selection))
                    if is_mutation:
                        read(below, WRITE_READS)  # a change: its reads and writes, in a savepoint
                    elif selection.arguments and PAGE_RULE not in extensions:
                        read(below)  # an object looked up by its arguments
                child_pages = pages
                if PAGE_RULE in extensions:
                    child_pages = (*pages, (field, selection))
                    page_paths.append(child_pages)
                    read((*below, *_signature(child_pages)), _page_reads(selection, extensions))  # all parents at once
                if selection.selection_set:
                    walk(selection.selection_set, field_type, child_pages, spreading, below)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                fragment_type = schema.get_type(condition.name.value) if condition else parent_type
                walk(selection.selection_set, fragment_type, pages, spreading, root)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in spreading:  # validation refuses cycles; be safe anyway
                    fragment = fragments[name]
                    fragment_type = schema.get_type(fragment.type_condition.name.value)
                    walk(fragment.selection_set, fragment_type, pages, spreading | {name}, root)

    walk(operation.selection_set, root_type, (), frozenset(), ())
    root_fields = tuple(_root_field_keys(operation.selection_set, fragments))
    return OperationFacts(
        accepted_scopes=frozenset(scopes),
        introspection_only=all(name in INTROSPECTION_FIELDS for _, name, _ in root_fields),
        root_fields=tuple(_root_entries(schema.get_root_type(operation.operation), root_fields).items()),
        page_paths=tuple(page_paths),
        argument_uses=tuple(argument_uses),
        reads=sum(reads.values()),
        aliases=len(aliases),
    )


def _root_entries(root_type, root_fields) -> dict:
    """{response key: (field, [its nodes])}, introspection aside: what the gate decides per root field."""
    entries: dict[str, tuple[GraphQLField, list[FieldNode]]] = {}
    for key, name, node in root_fields:
        if root_type is not None and name not in INTROSPECTION_FIELDS and name in root_type.fields:
            entries.setdefault(key, (root_type.fields[name], []))[1].append(node)
    return entries


def _page_reads(node: FieldNode, extensions: dict) -> int:
    """A page is one read; filter arguments (a FilterSet to build) one more; a scanning argument
    (``search``: no index serves a substring, the table is read) ``SCAN_READS`` more (schema.pricing)."""
    given = {argument.name.value for argument in node.arguments or ()} - PAGE_ARGUMENTS
    scans = given & set(extensions.get(SCANS, ()))
    return 1 + (FILTER_READS if given else 0) + SCAN_READS * len(scans)


def _signature(pages: tuple) -> tuple:
    """A page read, as the loaders know it: the same field with the same arguments under the same
    pages is read once (aliases, fragments), so it is counted once."""
    return tuple((field_node.name.value, _arguments(field_node)) for _, field_node in pages)


def _arguments(node: FieldNode) -> str:
    return " ".join(print_ast(argument) for argument in node.arguments or ())


def _root_field_keys(selection_set: SelectionSetNode, fragments, seen=None):
    """(response key, field name, node) of each root field, through fragments."""
    seen = set() if seen is None else seen
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield (selection.alias or selection.name).value, selection.name.value, selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_field_keys(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            if selection.name.value in fragments:
                yield from _root_field_keys(fragments[selection.name.value].selection_set, fragments, seen)
