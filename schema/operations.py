"""The middle of the request path (SPEC §3, §5): from a request's parameters to the operation that will
run, with everything decided before execution. ``operation_for`` is the one place where a GraphQL
request is refused: the document (``schema.documents``: size, shape, validation, analysis, cached per
text), the operation it names, subscriptions, a mutation over GET, the variables (coerced once here;
the cost, the accepted scopes and execution read the same values) and the node limit. Each refusal
is raised where it is decided."""

from dataclasses import dataclass

from graphql import GraphQLError, OperationDefinitionNode, OperationType, located_error
from graphql.execution.collect_fields import should_include_node
from graphql.execution.values import get_argument_values, get_variable_values

from schema.analysis import OperationFacts
from schema.documents import SCHEMA, Prepared, is_prepared, operation_of, prepare
from schema.errors import GraphQLRequestError, MethodNotAllowed, OperationDenied, unauthenticated
from schema.gate import scope_denial
from schema.limits import check_cost
from schema.pricing import query_cost
from schema.transport import GraphQLParams, check_text


@dataclass(frozen=True)
class Operation:
    """One request's operation, ready to run and priced."""

    prepared: Prepared
    definition: OperationDefinitionNode
    facts: OperationFacts
    params: GraphQLParams
    variables: dict  # coerced: defaults applied, as execution and the cost see them
    nodes: int
    points: int

    @property
    def is_mutation(self) -> bool:
        return self.definition.operation == OperationType.MUTATION


def new_text(params: GraphQLParams) -> str:
    """The text this request makes the process prepare: "" for a document it knows (schema.pricing)."""
    return "" if is_prepared(params.query) else params.query


def operation_for(request, params: GraphQLParams, prepared_text: str, trusted: Prepared | None = None) -> Operation:
    """The operation ``params`` asks for, or the refusal it deserves; ``trusted``: the client's trusted
    document the request named (``schema.trusted_documents``), already prepared. Sets
    ``request.accepted_scopes`` (the X-Accepted-OAuth-Scopes header) once the operation's fields are known."""
    prepared = trusted or prepare(params.query)
    definition, facts = operation_of(prepared, params.operation_name)
    if request.principal.is_anonymous and not facts.introspection_only:
        raise unauthenticated()
    if definition.operation == OperationType.SUBSCRIPTION:
        raise GraphQLRequestError("Subscriptions are not supported.")
    is_mutation = definition.operation == OperationType.MUTATION
    if is_mutation and request.method == "GET":
        raise MethodNotAllowed("Mutations must be sent with POST.", allow="POST")
    request.accepted_scopes = facts.accepted_scopes
    variables = coerced_variables(definition, params.variables)
    request.accepted_scopes = facts.accepted_scopes_for(variables)
    check_root_scopes(request, facts, variables)
    if not is_mutation:
        check_text(params.variables)  # a mutation's input answers it as a payload error instead
    nodes = facts.node_count(variables)
    check_cost(nodes)
    rest = params.size - len(params.query or "")  # the variables, mostly
    points = query_cost(facts.rows_read(variables), facts.reads, prepared_text, rest, facts.aliases)
    return Operation(prepared, definition, facts, params, variables, nodes, points)


def check_root_scopes(request, facts: OperationFacts, variables: dict) -> None:
    """SPEC §3: when every root field is denied by scope, the request is a 403, decided here, before
    anything runs (the gate depends on the token and the arguments only: ``schema.gate.scope_denial``).
    Some denied: execution answers them, each a null with its error beside the others' data."""
    denied, needed = [], set()
    for key, (field, nodes) in facts.root_fields:
        try:
            if not all(should_include_node(variables, node) for node in nodes):
                return  # @skip/@include: left to execution
            error = scope_denial(field, SCHEMA, request, get_argument_values(field, nodes[0], variables))
        except GraphQLError:
            return  # arguments execution will refuse on their own
        if error is None:
            return
        denied.append(located_error(error, nodes, [key]))
        needed.update(error.extensions["requiredScopes"])
    if denied:
        raise OperationDenied(denied, needed)


def coerced_variables(definition: OperationDefinitionNode, variables: dict | None) -> dict:
    """The variables as execution will see them, defaults included, so the cost counts what will run."""
    coerced = get_variable_values(SCHEMA, definition.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        raise GraphQLRequestError("; ".join(error.message for error in coerced))
    return coerced
