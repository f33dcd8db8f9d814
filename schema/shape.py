"""A document's shape, measured and limited before graphql-core validates it (SPEC §5).

Validation is not linear in a document's size: graphql-core's OverlappingFieldsCanBeMerged rule
compares every pair of fields that share a response key, then their sub-selections pair by pair,
so `{ me { id id id … } }` with 990 fields (3 KB) cost 0.75 s of CPU, and nothing was charged.
This walk is linear, needs no schema, and stops at the first limit it passes:

- selections (fields, fragment spreads and inline fragments), each spread counting its fragment's
  selections again, at most ``MAX_SELECTIONS`` per operation and per fragment definition (unused
  fragments are validated too);
- fields sharing one response key in one merged selection set (fields collected through fragments,
  sub-selections of same-key fields merged, as execution and the rule merge them) at most
  ``MAX_FIELDS_PER_KEY``: the rule's pairwise work is then at most that times the selections;
- aliases, depth (introspection excepted), and ``__schema`` / ``__type`` fields per operation.

Fragment cycles need no special care: each level expands them again, and the selection count ends
the walk.
"""

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from schema.errors import Code
from schema.limits import LimitExceeded

MAX_SELECTIONS = 1_000
MAX_FIELDS_PER_KEY = 30
MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_SCHEMA_FIELDS = 1  # `__schema` per operation
MAX_TYPE_FIELDS = 10  # `__type` per operation
INTROSPECTION_ROOTS = {"__schema", "__type"}
INTROSPECTION = {*INTROSPECTION_ROOTS, "__typename"}


@dataclass
class Shape:
    selections: int = 0
    aliases: int = 0
    depth: int = 0
    schema_fields: int = 0
    type_fields: int = 0


def check_shape(document: DocumentNode) -> None:
    """Refuse the document (``LimitExceeded``, a 400) at the first limit of SPEC §5 it passes."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            shape = measure(definition.selection_set, fragments)
            _check_operation(shape)
        elif isinstance(definition, FragmentDefinitionNode):
            measure(definition.selection_set, fragments)


def measure(selection_set: SelectionSetNode, fragments: dict) -> Shape:
    """The shape of one operation (or fragment), fragments expanded where they are spread."""
    shape = Shape()
    levels: list[tuple[list[SelectionSetNode], int, bool]] = [([selection_set], 1, False)]
    while levels:
        merged, depth, introspective = levels.pop()
        by_key: dict[str, list[FieldNode]] = {}
        pending = [(selections, frozenset()) for selections in merged]
        while pending:
            current, spreading = pending.pop()
            for selection in current.selections:
                shape.selections += 1
                if shape.selections > MAX_SELECTIONS:
                    raise _too_many_selections()
                if isinstance(selection, FieldNode):
                    _count_field(shape, selection, by_key)
                elif isinstance(selection, InlineFragmentNode):
                    pending.append((selection.selection_set, spreading))
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    if name in fragments and name not in spreading:
                        pending.append((fragments[name].selection_set, spreading | {name}))
        if not introspective and any(key_fields[0].name.value not in INTROSPECTION for key_fields in by_key.values()):
            shape.depth = max(shape.depth, depth)  # introspection (`__typename` too) does not count
        for fields in by_key.values():
            below = [field.selection_set for field in fields if field.selection_set]
            if below:
                inside = introspective or fields[0].name.value in INTROSPECTION_ROOTS
                levels.append((below, depth + 1, inside))
    return shape


def _count_field(shape: Shape, field: FieldNode, by_key: dict) -> None:
    shape.aliases += field.alias is not None
    name = field.name.value
    shape.schema_fields += name == "__schema"
    shape.type_fields += name == "__type"
    key = field.alias.value if field.alias else name
    same_key = by_key.setdefault(key, [])
    same_key.append(field)
    if len(same_key) > MAX_FIELDS_PER_KEY:
        raise LimitExceeded(
            Code.QUERY_TOO_COMPLEX,
            f"`{key}` is selected more than {MAX_FIELDS_PER_KEY} times in one selection set; select it once.",
            limit=MAX_FIELDS_PER_KEY,
        )


def _too_many_selections() -> LimitExceeded:
    return LimitExceeded(
        Code.QUERY_TOO_COMPLEX,
        f"The document has more than {MAX_SELECTIONS} selections once its fragments are expanded.",
        limit=MAX_SELECTIONS,
    )


def _check_operation(shape: Shape) -> None:
    checks = [
        (shape.depth, MAX_DEPTH, Code.QUERY_TOO_DEEP, "The operation is {} levels deep; the limit is {}."),
        (shape.aliases, MAX_ALIASES, Code.TOO_MANY_ALIASES, "The operation uses {} aliases; the limit is {}."),
        (
            shape.schema_fields,
            MAX_SCHEMA_FIELDS,
            Code.QUERY_TOO_COMPLEX,
            "The operation asks for `__schema` {} times; the limit is {}.",
        ),
        (
            shape.type_fields,
            MAX_TYPE_FIELDS,
            Code.QUERY_TOO_COMPLEX,
            "The operation asks for `__type` {} times; the limit is {}.",
        ),
    ]
    for actual, limit, code, message in checks:
        if actual > limit:
            raise LimitExceeded(code, message.format(actual, limit), limit=limit, actual=actual)
