"""Running a compiled plan (``schema.plan``): graphql-core's ``ExecutionContext``, whose
``execute_operation`` follows the plan instead of collecting and completing fields per object.

Each method mirrors the graphql-core 3.2 method it replaces (``execute_field``, ``complete_value``,
``complete_list_value``, ``complete_leaf_value``, ``complete_object_value``, ``handle_field_error``):
the same messages, the same paths, the same order of checks. What depends on the request is decided
when a selection is first reached in a request; what depends on the object, per object.
"""

from functools import partial
from typing import TYPE_CHECKING

from graphene.types.resolver import dict_or_attr_resolver
from graphene_django import DjangoObjectType
from graphql import (
    GraphQLError,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    located_error,
)
from graphql.execution.execute import ExecutionContext, invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, inspect, is_iterable

from schema.gate import enforce

if TYPE_CHECKING:
    from schema.plan import Selection, Step

DJANGO_IS_TYPE_OF = DjangoObjectType.is_type_of.__func__


class UnplannedPath:
    """``info.path`` under a plan: one resolve info serves a field on every object, so it has no one
    path. A resolver that reads it fails loudly (a masked internal error and a log line naming the
    cause) rather than reading a wrong path; such a schema runs with ``GRAPHQL_COMPILED_PLANS=0``."""

    def __getattr__(self, name):
        raise RuntimeError("info.path is not available to resolvers under a compiled plan (schema/plan.py)")

    def __bool__(self) -> bool:
        return False


NO_PATH = UnplannedPath()


def _attribute(resolve) -> tuple[str, object] | None:
    """(attribute, default) when ``resolve`` is graphene's default resolver, which the plan inlines."""
    if isinstance(resolve, partial) and resolve.func is dict_or_attr_resolver and len(resolve.args) == 2:
        return resolve.args
    return None


class PlannedExecution(ExecutionContext):
    """graphql-core's execution context, running the operation by its plan (``plan``, set per plan)."""

    plan: "Selection"

    def execute_operation(self, operation, root_value):
        self._runners = {}
        return self.run_selection(self.plan, root_value, None)

    def run_selection(self, selection: "Selection", source, path: Path | None) -> dict:
        runners = self._runners.get(selection)
        if runners is None:
            runners = self._runners[selection] = [(step.key, self._runner(step)) for step in selection.steps]
        results = {}
        for key, run in runners:
            results[key] = run(source, path)
        return results

    def _runner(self, step: "Step"):
        """What runs one field on every object of this request (``execute_field``)."""
        if step.field is None:
            type_name = step.parent_type.name
            return lambda source, path: type_name
        field, field_nodes, key, parent_name = step.field, step.field_nodes, step.key, step.parent_type.name
        info = self.build_resolve_info(field, field_nodes, step.parent_type, NO_PATH)
        resolve, args, failure = field.resolve or self.field_resolver, {}, None
        try:
            args = get_argument_values(field, field_nodes[0], self.variable_values) if field.args else {}
            gate = getattr(resolve, "gate", None)
            if gate is not None:  # the same answer for every object of this request
                enforce(gate.policy, gate.arguments, self.context_value, args)
                resolve = gate.resolve
        except Exception as error:  # the answer for every object: each gets it at its own path
            failure = error
        leaf = step.leaf
        if leaf:  # a leaf's completion depends on nothing of the request: made once per step
            if step.complete_leaf is None:
                step.complete_leaf = self._completer(field.type, step, info)
            complete = step.complete_leaf
        else:
            complete = self._completer(field.type, step, info)
        non_null = step.non_null
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
        if leaf:  # no path unless it fails
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

    def _completer(self, return_type, step: "Step", info):
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

    def _list_completer(self, return_type, step: "Step", info):
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
