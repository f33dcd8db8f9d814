"""GraphQL documents: parsed and validated once per text (frontend apps send the same documents
over and over), and the static facts of each operation computed once per operation name."""

from dataclasses import dataclass, field
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, get_operation_ast, specified_rules, validate

from schema.analysis import OperationFacts, analyse
from schema.errors import BadRequest, Code
from schema.limits import check_shape, parse_within_limits
from schema.schema import schema as graphene_schema

SCHEMA = graphene_schema.graphql_schema


@dataclass(frozen=True)
class Prepared:
    """A parsed and validated document, cached by its text."""

    document: DocumentNode
    facts: dict[str | None, OperationFacts] = field(default_factory=dict)


@lru_cache(maxsize=512)
def prepare(query: str) -> Prepared:
    try:
        document = parse_within_limits(query)
    except GraphQLError as error:
        raise BadRequest(error.message, Code.GRAPHQL_PARSE_FAILED) from None
    # graphene-django's `validation_rules` would replace these; the standard rules always run.
    errors = validate(SCHEMA, document, specified_rules)
    if errors:
        raise BadRequest("; ".join(e.message for e in errors), Code.GRAPHQL_VALIDATION_FAILED)
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
        raise BadRequest(message)
    facts = prepared.facts.get(operation_name)
    if facts is None:
        facts = prepared.facts[operation_name] = analyse(SCHEMA, prepared.document, operation)
    check_shape(facts.depth, facts.aliases)
    return operation, facts
