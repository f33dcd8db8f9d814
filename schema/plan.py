"""Compiled execution plans: a query's fields run without graphql-core's per-object machinery.

graphql-core's executor, the reference, decides everything again for every object: which fields a
selection holds, each field's definition, its arguments, its resolve info, the gate, and how to
complete its type. A list of 50 users and their groups is about 600 such field executions per
response. A plan (what graphql-jit does for JavaScript) decides the document's part once per
document, and the request's part (arguments from variables; the gate's answer for this token,
``schema.gate.enforce``) once per request and field; per object there remain the resolver call and
the completion of its value. Object-level rules (e-mail visibility) live in resolvers and querysets,
so they still run per object.

Semantics are graphql-core 3.2's, step by step (``ExecutionContext.execute_field``,
``complete_value`` and the rest): error messages, locations and paths, null propagation, collected
errors (``CollectedErrors``) and their order (graphql-core's own ``build_response``). What a plan does
not compile runs on graphql-core, decided once per document:

- mutations (serial, in a transaction), subscriptions, directives (``@skip``/``@include`` make the
  selection depend on variables) and introspection (``__schema``, ``__type``): no plan at all;
- values of an abstract type (``node``): completed by graphql-core's ``complete_abstract_value``.

Resolvers get one resolve info per field and request, whose ``path`` cannot be read (it raises, see
``plan_execution.UnplannedPath``): no resolver of this schema (graphene's and graphene-django's
included) reads it, and one that did would fail loudly rather than read a wrong path. Configured
graphql-core middleware (``GRAPHQL_MIDDLEWARE``) would not run on planned fields: with any, nothing is
planned (``schema.documents.plan_of``). Every resolver here is synchronous.
``schema.plan_execution`` runs a plan; ``tests/schema/test_plan.py`` runs generated documents both
ways and compares the answers.
"""

from collections.abc import Callable
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import collect_fields, collect_sub_fields

from schema.plan_execution import PlannedExecution

UNPLANNED_FIELDS = {"__schema", "__type"}


@dataclass(eq=False)
class Step:
    """One response key of a selection on one object type."""

    key: str
    field_nodes: list[FieldNode]
    field: GraphQLField | None  # None: `__typename`
    parent_type: GraphQLObjectType
    selection: "Selection | None"  # the fields of the object it returns, when that type is an object type
    leaf: bool = False  # it returns a scalar or an enum (possibly non-null)
    non_null: bool = False
    complete_leaf: Callable | None = None  # a leaf's completion, made on first use (plan_execution)


@dataclass(eq=False)
class Selection:
    """The fields of one selection set on one object type, merged as graphql-core merges them."""

    type: GraphQLObjectType
    steps: tuple[Step, ...]


def compile_plan(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode):
    """The execution context class that runs this operation by plan, or None to run it on graphql-core."""
    if operation.operation != OperationType.QUERY:
        return None
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    sets = [operation.selection_set, *(fragment.selection_set for fragment in fragments.values())]
    if not all(_plannable(selection_set) for selection_set in sets):
        return None
    root_type = schema.query_type
    root = _selection(schema, fragments, root_type, collect_fields(schema, fragments, {}, root_type, sets[0]))
    return type("PlannedExecution", (PlannedExecution,), {"plan": root})


def _plannable(selection_set: SelectionSetNode) -> bool:
    for selection in selection_set.selections:
        if selection.directives:
            return False
        if isinstance(selection, FieldNode) and selection.name.value in UNPLANNED_FIELDS:
            return False
        if getattr(selection, "selection_set", None) and not _plannable(selection.selection_set):
            return False
    return True


def _selection(schema, fragments, object_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]) -> Selection:
    steps = []
    for key, field_nodes in fields.items():
        name = field_nodes[0].name.value
        if name == "__typename":
            steps.append(Step(key, field_nodes, None, object_type, None))
            continue
        field = object_type.fields[name]  # validated: the field exists
        named = get_named_type(field.type)
        selection = None
        if is_object_type(named):
            selection = _selection(
                schema, fragments, named, collect_sub_fields(schema, fragments, {}, named, field_nodes)
            )
        leaf, non_null = is_leaf_type(get_nullable_type(field.type)), is_non_null_type(field.type)
        steps.append(Step(key, field_nodes, field, object_type, selection, leaf, non_null))
    return Selection(object_type, tuple(steps))
