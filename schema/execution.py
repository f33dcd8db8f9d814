"""Running an operation (``schema.operations.Operation``) on graphql-core, by its compiled plan when
it has one (``schema.plan``): the request's loaders made fresh, mutations in a transaction that rolls
back on an unexpected failure, and introspection answered once per document and variables."""

import json

from django.db import transaction
from graphql import ExecutionResult, execute

from schema.documents import SCHEMA, configured_middleware, plan_of
from schema.errors import is_deliberate
from schema.loaders import Loaders, fresh_per_mutation
from schema.operations import Operation

MAX_ANSWERS_PER_DOCUMENT = 8  # introspection answers kept per document (by variables)


def never_awaitable(value) -> bool:
    """Every resolver here is synchronous: skip graphql-core's awaitable check on every value (8% of a list)."""
    return False


def run(request, operation: Operation, compiled_plans: bool = True) -> ExecutionResult:
    if operation.facts.introspection_only:
        return introspect(request, operation)
    planned = plan_of(operation.prepared, operation.params.operation_name, operation.definition)
    return execute_operation(request, operation, planned if compiled_plans else None)


def introspect(request, operation: Operation) -> ExecutionResult:
    """Introspection's answer depends on the document and its variables only: computed once per process
    (SPEC §5; the standard introspection query answers 80 KB)."""
    answers = operation.prepared.answers
    # By the declared variables as coerced: undeclared ones change nothing in the answer.
    key = (operation.params.operation_name, json.dumps(operation.variables, sort_keys=True, default=str))
    data = answers.get(key)
    if data is not None:
        return ExecutionResult(data, None)
    result = execute_operation(request, operation, None)
    if not result.errors and len(answers) < MAX_ANSWERS_PER_DOCUMENT:
        answers[key] = result.data
    return result


def execute_operation(request, operation: Operation, planned: type | None) -> ExecutionResult:
    request.loaders = Loaders(request)  # what this request reads, read once (schema.loaders)
    middleware = [*configured_middleware(), *([fresh_per_mutation] if operation.is_mutation else [])]

    def run_it() -> ExecutionResult:
        return execute(
            SCHEMA,
            operation.prepared.document,
            context_value=request,
            variable_values=operation.params.variables,
            operation_name=operation.params.operation_name,
            is_awaitable=never_awaitable,
            execution_context_class=planned,
            middleware=middleware or None,
        )

    if not operation.is_mutation:
        return run_it()
    with transaction.atomic():
        result = run_it()
        if any(not is_deliberate(error) for error in result.errors or ()):
            transaction.set_rollback(True)  # an unexpected failure: nothing half-applied
    return result
