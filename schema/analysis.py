"""Static facts about an operation, computed once per document text and operation name.

``accepted_scopes`` is what ``X-Accepted-OAuth-Scopes`` reports (SPEC §3): the scopes the
operation's fields require, following fragments and inline fragments.
"""

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

from schema.gate import POLICY

INTROSPECTION_FIELDS = {"__schema", "__type", "__typename"}


@dataclass(frozen=True)
class OperationFacts:
    accepted_scopes: frozenset[str]
    introspection_only: bool
    root_fields: tuple[str, ...]  # response keys of the root fields, `__typename` excepted


def analyse(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) -> OperationFacts:
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    scopes: set[str] = set()
    seen_fragments: set[str] = set()

    def walk(selection_set: SelectionSetNode, parent_type) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                field = parent_type.fields.get(name) if hasattr(parent_type, "fields") else None
                if field is None:
                    continue
                policy = (field.extensions or {}).get(POLICY)
                if policy is not None:
                    scopes.update(policy.scopes)
                if selection.selection_set:
                    walk(selection.selection_set, get_named_type(field.type))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                walk(selection.selection_set, schema.get_type(condition.name.value) if condition else parent_type)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen_fragments and name in fragments:
                    seen_fragments.add(name)
                    fragment = fragments[name]
                    walk(fragment.selection_set, schema.get_type(fragment.type_condition.name.value))

    root_type = schema.get_root_type(operation.operation)
    walk(operation.selection_set, root_type)
    root_fields = tuple(_root_field_keys(operation.selection_set, fragments))
    introspection_only = all(name in INTROSPECTION_FIELDS for _, name in root_fields)
    return OperationFacts(
        accepted_scopes=frozenset(scopes),
        introspection_only=introspection_only,
        root_fields=tuple(key for key, name in root_fields if name != "__typename"),
    )


def _root_field_keys(selection_set: SelectionSetNode, fragments, seen=None):
    """(response key, field name) of each root field, through fragments."""
    seen = set() if seen is None else seen
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield (selection.alias or selection.name).value, selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_field_keys(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            if selection.name.value in fragments:
                yield from _root_field_keys(fragments[selection.name.value].selection_set, fragments, seen)
