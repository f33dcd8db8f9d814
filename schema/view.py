"""The /graphql HTTP endpoint: the order of the checks, execution, and the response (SPEC §3, §5).

Authentication happened in ``schema.authentication``; what the wire accepts is ``schema.transport``;
documents and their facts are ``schema.documents``; scopes are enforced by ``schema.gate`` during
execution; errors carry their own status, code and headers (``schema.errors``). This module orders
those steps and renders what they give.
"""

import json
import logging
import re

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView as GraphiQLPage
from graphql import ExecutionResult, GraphQLError, OperationDefinitionNode, OperationType, execute
from graphql.execution.values import get_variable_values

from schema import budget
from schema.analysis import OperationFacts
from schema.authentication import request_id_of
from schema.documents import SCHEMA, Prepared, operation_of, plan_of, prepare
from schema.errors import (
    APIError,
    Code,
    GraphQLRequestError,
    MethodNotAllowed,
    error_response,
    insufficient_scope_challenge,
    internal_error,
    is_deliberate,
    json_response,
    request_too_large,
    scope_list,
    unauthenticated,
)
from schema.graphiql import graphiql_enabled, graphiql_page  # our own page: offline, strict CSP (SPEC §7.1)
from schema.limits import check_cost, query_cost
from schema.loaders import Loaders, fresh_per_mutation
from schema.media_types import response_type
from schema.transport import GraphQLParams, check_text, read_params
from schema.trusted_documents import trusted_document

log = logging.getLogger("graphql")
MAX_ANSWERS_PER_DOCUMENT = 8  # introspection answers kept per document (by variables)
DID_YOU_MEAN = re.compile(r" ?Did you mean [^?]*\?")


def wants_graphiql(request) -> bool:
    return (
        request.method == "GET"
        and not {"query", "documentId", "extensions"} & request.GET.keys()
        and graphiql_enabled()
        and GraphiQLPage.request_wants_html(request)
    )


def never_awaitable(value) -> bool:
    """Every resolver here is synchronous: skip graphql-core's awaitable check on every value (8% of a list)."""
    return False


def coerced_variables(operation: OperationDefinitionNode, variables: dict | None) -> dict:
    """The variables as execution will see them, defaults included, so the cost counts what will run."""
    coerced = get_variable_values(SCHEMA, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        raise GraphQLRequestError("; ".join(error.message for error in coerced))
    return coerced


class GraphQLView(View):
    http_method_names = ["get", "post", "options"]

    @classmethod
    def as_view(cls, **initkwargs):
        # Sessions do not authenticate here (SPEC §3): no CSRF to fear. Exempted once, on the view
        # function; method_decorator would wrap `dispatch` anew on every request.
        return csrf_exempt(super().as_view(**initkwargs))

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        add_token_headers(request, response)
        return response

    def get(self, request):
        if wants_graphiql(request):
            return graphiql_page(request)
        return self.run(request)

    def post(self, request):
        return self.run(request)

    def http_method_not_allowed(self, request, *args, **kwargs):
        return error_response(MethodNotAllowed("Use GET for queries or POST.", allow="GET, POST"), request)

    def run(self, request) -> HttpResponse:
        try:
            response = self.answer(request)
        except APIError as refused:
            if request.principal.is_anonymous:
                refused.message = without_suggestions(refused.message)
            response = error_response(refused, request)
        except SuspiciousOperation as refused:  # Django's request limits: body size, number of fields
            response = error_response(request_too_large(refused), request)
        except Exception:  # outside execution (which masks its own): still no trace for the client
            request_id = request_id_of(request)
            log.exception("Unhandled error in /graphql [request %s]", request_id)
            response = json_response({"errors": [internal_error(request_id)]}, 500, response_type(request))
        return response

    def answer(self, request) -> HttpResponse:
        params = read_params(request)
        principal = request.principal
        if principal.is_anonymous:
            if not settings.GRAPHQL_PUBLIC_INTROSPECTION:
                raise unauthenticated()
            budget.spend_anonymous(request)  # public introspection: limited per address (SPEC §5)
        trusted = trusted_document(request, params)  # by id, or the client's policy (SPEC §8): no parsing
        try:
            prepared = trusted or prepare(params.query)
            operation, facts = operation_of(prepared, params.operation_name)
            if principal.is_anonymous and not facts.introspection_only:
                raise unauthenticated()
            if operation.operation == OperationType.SUBSCRIPTION:
                raise GraphQLRequestError("Subscriptions are not supported.")
            is_mutation = operation.operation == OperationType.MUTATION
            if is_mutation and request.method == "GET":
                raise MethodNotAllowed("Mutations must be sent with POST.", allow="POST")
            request.accepted_scopes = facts.accepted_scopes
            variables = coerced_variables(operation, params.variables)
            request.accepted_scopes = facts.accepted_scopes_for(variables)
            if not is_mutation:
                check_text(params.variables)  # a mutation's input answers it as a payload error instead
            nodes = facts.node_count(variables)
            check_cost(nodes)
        except GraphQLRequestError:
            charge_refusal(request)  # a refused document still cost the work of refusing it
            raise
        points = query_cost(nodes)
        request.budget = None if principal.is_anonymous else budget.spend(principal, points)
        cost = budget.cost_report(request.budget, nodes, points)
        if facts.introspection_only:
            result = self.introspect(request, prepared, params)
        else:
            planned = plan_of(prepared, params.operation_name, operation)
            result = self.execute(request, prepared, params, is_mutation, planned)
        return respond(request, result, facts, cost)

    @classmethod
    def introspect(cls, request, prepared: Prepared, params: GraphQLParams) -> ExecutionResult:
        """Introspection's answer depends on the document and its variables only: computed once per
        process (SPEC §5; the standard introspection query answers 80 KB)."""
        key = (params.operation_name, json.dumps(params.variables, sort_keys=True))
        data = prepared.answers.get(key)
        if data is not None:
            return ExecutionResult(data, None)
        result = cls.execute(request, prepared, params, False)
        if not result.errors and len(prepared.answers) < MAX_ANSWERS_PER_DOCUMENT:
            prepared.answers[key] = result.data
        return result

    @staticmethod
    def execute(
        request, prepared: Prepared, params: GraphQLParams, is_mutation: bool, planned: type | None = None
    ) -> ExecutionResult:
        request.loaders = Loaders(request)  # what this request reads, read once (schema.loaders)

        def run():
            return execute(
                SCHEMA,
                prepared.document,
                context_value=request,
                variable_values=params.variables,
                operation_name=params.operation_name,
                is_awaitable=never_awaitable,
                execution_context_class=planned,
                middleware=[fresh_per_mutation] if is_mutation else None,
            )

        if not is_mutation:
            return run()
        with transaction.atomic():
            result = run()
            if any(not is_deliberate(error) for error in result.errors or ()):
                transaction.set_rollback(True)  # an unexpected failure: nothing half-applied
        return result


def charge_refusal(request) -> None:
    """SPEC §5: a document refused by a limit (or by parsing, validation, its variables) costs an
    authenticated caller one point; anonymous callers paid theirs per address on the way in."""
    if not request.principal.is_anonymous:
        request.budget = budget.spend(request.principal, 1)


def respond(request, result: ExecutionResult, facts: OperationFacts, cost: dict) -> HttpResponse:
    errors = [format_error(error, request_id_of(request)) for error in result.errors or ()]
    body = {"data": result.data}
    if errors:
        body["errors"] = errors
    body["extensions"] = {"cost": cost}
    denied = denied_root_scopes(errors, facts.root_fields)
    if denied is None:
        return json_response(body, 200, response_type(request))
    del body["data"]  # SPEC §3: a 403 carries no data (GraphQL over HTTP: a response with data is 2xx)
    response = json_response(body, 403, response_type(request))
    response["WWW-Authenticate"] = insufficient_scope_challenge(denied, request)
    return response


def format_error(error: GraphQLError, request_id: str) -> dict:
    """Errors raised on purpose keep their message and code; anything else is a defect, masked."""
    if is_deliberate(error):
        return error.formatted
    log.error("Unhandled error in /graphql [request %s]", request_id, exc_info=error.original_error or error)
    return {**internal_error(request_id), "path": error.path}


def add_token_headers(request, response: HttpResponse) -> None:
    """SPEC §3 and §5: what every response to a valid token says about the token and its budget."""
    principal = getattr(request, "principal", None)
    if principal is None or principal.is_anonymous:
        return
    response["X-OAuth-Scopes"] = scope_list(principal.scopes) if principal.scopes else ""
    response["X-Accepted-OAuth-Scopes"] = ", ".join(sorted(getattr(request, "accepted_scopes", ())))
    spent = getattr(request, "budget", None)
    for name, value in (spent or budget.peek(principal)).headers().items():
        response[name] = value


def denied_root_scopes(errors: list[dict], root_fields: tuple[str, ...]) -> list[str] | None:
    """The scopes needed, when every root field of the operation was denied by scope; else None."""
    denied_keys, needed = set(), set()
    for error in errors:
        path = error.get("path")
        if error["extensions"].get("code") == Code.INSUFFICIENT_SCOPE.value and path and len(path) == 1:
            denied_keys.add(path[0])
            needed.update(error["extensions"].get("requiredScopes", ()))
    if root_fields and denied_keys >= set(root_fields):
        return sorted(needed)
    return None


def without_suggestions(message: str) -> str:
    """Anonymous callers get no "Did you mean ...?" hints about the schema (SPEC §5)."""
    return DID_YOU_MEAN.sub("", message)
