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

Resolvers get one resolve info per field and request, whose ``path`` is None: no resolver of this
schema (graphene's and graphene-django's included) reads it. Every resolver here is synchronous.
``tests/schema/test_plan.py`` runs generated documents both ways and compares the answers.
"""

from dataclasses import dataclass
from functools import partial

from graphene.types.resolver import dict_or_attr_resolver
from graphene_django import DjangoObjectType
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    located_error,
)
from graphql.execution.collect_fields import collect_fields, collect_sub_fields
from graphql.execution.execute import ExecutionContext, invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, inspect, is_iterable

from schema.gate import enforce

UNPLANNED_FIELDS = {"__schema", "__type"}
DJANGO_IS_TYPE_OF = DjangoObjectType.is_type_of.__func__


@dataclass(eq=False)
class Step:
    """One response key of a selection on one object type."""

    key: str
    field_nodes: list[FieldNode]
    field: GraphQLField | None  # None: `__typename`
    parent_type: GraphQLObjectType
    selection: "Selection | None"  # the fields of the object it returns, when that type is an object type


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
        steps.append(Step(key, field_nodes, field, object_type, selection))
    return Selection(object_type, tuple(steps))


def _attribute(resolve) -> tuple[str, object] | None:
    """(attribute, default) when ``resolve`` is graphene's default resolver, which the plan inlines."""
    if isinstance(resolve, partial) and resolve.func is dict_or_attr_resolver and len(resolve.args) == 2:
        return resolve.args
    return None


class PlannedExecution(ExecutionContext):
    """graphql-core's execution context, running the operation by its plan (``plan``, set per plan)."""

    plan: Selection

    def execute_operation(self, operation, root_value):
        self._runners = {}
        return self.run_selection(self.plan, root_value, None)

    def run_selection(self, selection: Selection, source, path: Path | None) -> dict:
        runners = self._runners.get(selection)
        if runners is None:
            runners = self._runners[selection] = [(step.key, self._runner(step)) for step in selection.steps]
        results = {}
        for key, run in runners:
            results[key] = run(source, path)
        return results

    def _runner(self, step: Step):
        """What runs one field on every object of this request (``execute_field``)."""
        if step.field is None:
            type_name = step.parent_type.name
            return lambda source, path: type_name
        field, field_nodes, key, parent_name = step.field, step.field_nodes, step.key, step.parent_type.name
        info = self.build_resolve_info(field, field_nodes, step.parent_type, None)
        resolve, args, failure = field.resolve or self.field_resolver, {}, None
        try:
            args = get_argument_values(field, field_nodes[0], self.variable_values)
            gate = getattr(resolve, "gate", None)
            if gate is not None:  # the same answer for every object of this request
                enforce(gate.policy, gate.arguments, self.context_value, args)
                resolve = gate.resolve
        except Exception as error:  # the answer for every object: each gets it at its own path
            failure = error
        complete = self._completer(field.type, step, info)
        non_null = is_non_null_type(field.type)
        errors = self.collected_errors

        def fail(error, path, field_path):  # handle_field_error
            if field_path is None:
                field_path = Path(path, key, parent_name)
            error = located_error(error, field_nodes, field_path.as_list())
            if non_null:
                raise error
            errors.add(error, field_path)
            return None

        if failure is not None:
            return lambda source, path: fail(failure, path, None)
        attribute = _attribute(resolve) if not args else None
        if is_leaf_type(get_nullable_type(field.type)):  # no path unless it fails
            if attribute is not None:  # graphene's dict_or_attr_resolver, without its two calls
                attname, default = attribute

                def run_leaf_attribute(source, path):
                    try:
                        if isinstance(source, dict):
                            return complete(source.get(attname, default), None)
                        return complete(getattr(source, attname, default), None)
                    except Exception as error:
                        return fail(error, path, None)

                return run_leaf_attribute

            def run_leaf(source, path):
                try:
                    return complete(resolve(source, info, **args), None)
                except Exception as error:
                    return fail(error, path, None)

            return run_leaf
        if attribute is not None:
            attname, default = attribute

            def run_attribute(source, path):
                field_path = Path(path, key, parent_name)
                try:
                    if isinstance(source, dict):
                        return complete(source.get(attname, default), field_path)
                    return complete(getattr(source, attname, default), field_path)
                except Exception as error:
                    return fail(error, path, field_path)

            return run_attribute

        def run(source, path):
            field_path = Path(path, key, parent_name)  # lists and objects: their items' paths
            try:
                return complete(resolve(source, info, **args), field_path)
            except Exception as error:
                return fail(error, path, field_path)

        return run

    def _completer(self, return_type, step: Step, info):
        """``complete_value`` for one return type, decided once: a function of (result, path)."""
        field_nodes = step.field_nodes
        if is_non_null_type(return_type):
            message = f"Cannot return null for non-nullable field {info.parent_type.name}.{info.field_name}."
            if is_leaf_type(return_type.of_type):
                return _required_leaf_completer(return_type.of_type, message)
            inner = self._completer(return_type.of_type, step, info)

            def complete_non_null(result, path):
                if isinstance(result, Exception):
                    raise result
                completed = inner(result, path)
                if completed is None:
                    raise TypeError(message)
                return completed

            return complete_non_null
        if is_list_type(return_type):
            return self._list_completer(return_type, step, info)
        if is_leaf_type(return_type):
            return _required_leaf_completer(return_type, None)
        if is_abstract_type(return_type):
            complete_abstract_value = self.complete_abstract_value

            def complete_abstract(result, path):
                if isinstance(result, Exception):
                    raise result
                if result is None or result is Undefined:
                    return None
                return complete_abstract_value(return_type, field_nodes, info, path, result)

            return complete_abstract
        selection, is_type_of, run_selection = step.selection, return_type.is_type_of, self.run_selection
        by_class = {} if getattr(is_type_of, "__func__", None) is DJANGO_IS_TYPE_OF else None

        def complete_object(result, path):
            if isinstance(result, Exception):
                raise result
            if result is None or result is Undefined:
                return None
            if is_type_of is not None:
                if by_class is None:
                    matches = is_type_of(result, info)
                else:  # graphene-django's answer depends on the class only: asked once per class
                    matches = by_class.get(result.__class__)
                    if matches is None:
                        matches = by_class[result.__class__] = bool(is_type_of(result, info))
                if not matches:
                    raise invalid_return_type_error(return_type, result, field_nodes)
            return run_selection(selection, result, path)

        return complete_object

    def _list_completer(self, return_type, step: Step, info):
        item_type, field_nodes, errors = return_type.of_type, step.field_nodes, self.collected_errors
        inner, item_non_null = self._completer(item_type, step, info), is_non_null_type(item_type)
        where = f"'{info.parent_type.name}.{info.field_name}'"

        def complete_list(result, path):
            if isinstance(result, Exception):
                raise result
            if result is None or result is Undefined:
                return None
            if not is_iterable(result):
                raise GraphQLError(f"Expected Iterable, but did not find one for field {where}.")
            completed = []
            for index, item in enumerate(result):
                item_path = Path(path, index, None)
                try:
                    completed.append(inner(item, item_path))
                except Exception as raw_error:
                    error = located_error(raw_error, field_nodes, item_path.as_list())
                    if item_non_null:
                        raise error
                    errors.add(error, item_path)
                    completed.append(None)
            return completed

        return complete_list


def _required_leaf_completer(leaf_type, null_message: str | None):
    """``complete_leaf_value`` (and with ``null_message``, the non-null check around it) in one call."""
    serialize = leaf_type.serialize

    def complete_leaf(result, path):
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            if null_message is None:
                return None
            raise TypeError(null_message)
        serialized = serialize(result)
        if serialized is Undefined or serialized is None:
            raise TypeError(
                f"Expected `{inspect(leaf_type)}.serialize({inspect(result)})`"
                f" to return non-nullable value, returned: {inspect(serialized)}"
            )
        return serialized

    return complete_leaf
