"""GraphQL documents: parsed and validated once per text (frontend apps send the same documents
over and over), and the static facts of each operation computed once per operation name."""

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, get_operation_ast, specified_rules, validate

from schema.analysis import OperationFacts, analyse
from schema.errors import Code, GraphQLRequestError
from schema.limits import check_shape, parse_within_limits
from schema.plan import compile_plan
from schema.schema import schema as graphene_schema

SCHEMA = graphene_schema.graphql_schema
log = logging.getLogger("graphql")


@dataclass(frozen=True)
class Prepared:
    """A parsed and validated document, cached by its text."""

    document: DocumentNode
    facts: dict[str | None, OperationFacts] = field(default_factory=dict)
    plans: dict[str | None, type | None] = field(default_factory=dict)  # by operation name (schema.plan)


@lru_cache(maxsize=512)
def prepare(query: str) -> Prepared:
    try:
        document = parse_within_limits(query)
    except GraphQLError as error:
        raise GraphQLRequestError(error.message, Code.GRAPHQL_PARSE_FAILED) from None
    # graphene-django's `validation_rules` would replace these; the standard rules always run.
    errors = validate(SCHEMA, document, specified_rules)
    if errors:
        raise GraphQLRequestError("; ".join(e.message for e in errors), Code.GRAPHQL_VALIDATION_FAILED)
    return Prepared(document)


def operation_of(prepared: Prepared, operation_name: str | None) -> tuple[OperationDefinitionNode, OperationFacts]:
    """The operation to run and its facts, within the depth and alias limits."""
    operation = get_operation_ast(prepared.document, operation_name)
    if operation is None:
        message = (
            f"No operation named {operation_name!r}."
            if operation_name
            else "Name the operation to run (operationName)."
        )
        raise GraphQLRequestError(message)
    facts = prepared.facts.get(operation_name)
    if facts is None:
        facts = prepared.facts[operation_name] = analyse(SCHEMA, prepared.document, operation)
    check_shape(facts.depth, facts.aliases)
    return operation, facts


def plan_of(prepared: Prepared, operation_name: str | None, operation: OperationDefinitionNode):
    """The execution context class of the operation's compiled plan, or None (graphql-core's own).

    ``GRAPHQL_COMPILED_PLANS = False`` runs everything on graphql-core (the reference executor)."""
    if not settings.GRAPHQL_COMPILED_PLANS:
        return None
    if operation_name not in prepared.plans:
        try:
            prepared.plans[operation_name] = compile_plan(SCHEMA, prepared.document, operation)
        except Exception:  # a defect of the compiler must not cost an answer: the reference runs it
            log.exception("Could not compile a plan; graphql-core runs this operation")
            prepared.plans[operation_name] = None
    return prepared.plans[operation_name]
