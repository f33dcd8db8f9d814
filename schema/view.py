"""The /graphql HTTP endpoint: transport rules, one cached parse and validation per document text,
execution, and the status codes of SPEC §3 and §5.

Authentication happened in ``schema.authentication.BearerTokenMiddleware``; scope checks happen in
``schema.gate`` during execution. This module only decides what the HTTP response looks like.
"""

import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView as GraphiQLPage
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_operation_ast,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values

from schema.analysis import OperationFacts, analyse
from schema.authentication import (
    UNAUTHENTICATED,
    AuthenticationFailed,
    error_response,
    invalid_request,
)
from schema.budget import spend
from schema.errors import BadRequest, Code, error_body, internal_error, json_response
from schema.graphiql import graphiql_enabled, graphiql_page  # our own page: offline, strict CSP (SPEC §7.1)
from schema.limits import check_cost, check_shape, node_count, parse_within_limits, query_cost
from schema.schema import schema as graphene_schema

log = logging.getLogger("graphql")
SCHEMA = graphene_schema.graphql_schema
DID_YOU_MEAN = re.compile(r" ?Did you mean [^?]*\?")


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
        raise BadRequest(400, Code.GRAPHQL_PARSE_FAILED, error.message) from None
    errors = validate(SCHEMA, document, specified_rules)
    if errors:
        raise BadRequest(400, Code.GRAPHQL_VALIDATION_FAILED, "; ".join(e.message for e in errors))
    return Prepared(document)


def operation_facts(prepared: Prepared, operation_name: str | None) -> tuple[OperationDefinitionNode, OperationFacts]:
    operation = get_operation_ast(prepared.document, operation_name)
    if operation is None:
        message = (
            f"No operation named {operation_name!r}."
            if operation_name
            else "Name the operation to run (operationName)."
        )
        raise BadRequest(400, Code.BAD_REQUEST, message)
    facts = prepared.facts.get(operation_name)
    if facts is None:
        facts = prepared.facts[operation_name] = analyse(SCHEMA, prepared.document, operation)
    check_shape(facts.depth, facts.aliases)
    return operation, facts


@dataclass
class GraphQLParams:
    query: str
    variables: dict | None
    operation_name: str | None


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def read_params(request) -> GraphQLParams:
    if request.method == "GET":
        source = request.GET
        variables = source.get("variables")
        if variables:
            try:
                variables = json.loads(variables)
            except (ValueError, RecursionError):
                raise BadRequest(400, Code.BAD_REQUEST, "`variables` is not valid JSON.") from None
        data = {
            "query": source.get("query"),
            "variables": variables or None,
            "operationName": source.get("operationName"),
        }
    else:
        content_type = request.content_type or ""
        if content_type in FORM_TYPES and "access_token" in request.POST:
            raise invalid_request("Send the access token in the Authorization header, not in the body.")
        if content_type != "application/json":
            raise BadRequest(415, Code.UNSUPPORTED_MEDIA_TYPE, "Send the request body as application/json.")
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BadRequest(400, Code.BAD_REQUEST, "The request body is not valid JSON.") from None
        if isinstance(data, list):
            raise BadRequest(400, Code.BAD_REQUEST, "Batched requests are not supported: send one operation.")
        if not isinstance(data, dict):
            raise BadRequest(400, Code.BAD_REQUEST, "The request body must be a JSON object.")
        if "access_token" in data:
            raise invalid_request("Send the access token in the Authorization header, not in the body.")
    query, variables, operation_name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise BadRequest(400, Code.BAD_REQUEST, "`query` must be a non-empty string.")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest(400, Code.BAD_REQUEST, "`variables` must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest(400, Code.BAD_REQUEST, "`operationName` must be a string.")
    return GraphQLParams(query, variables, operation_name or None)


def never_awaitable(value) -> bool:
    """Every resolver here is synchronous: skip graphql-core's awaitable check on every value (8% of a list)."""
    return False


def coerced_variables(operation: OperationDefinitionNode, variables: dict | None) -> dict:
    """The variables as execution will see them, defaults included, so the cost counts what will run."""
    coerced = get_variable_values(SCHEMA, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        raise BadRequest(400, Code.BAD_REQUEST, "; ".join(error.message for error in coerced))
    return coerced


def format_error(error: GraphQLError, request_id: str) -> dict:
    """Errors raised on purpose keep their message and code; anything else is masked."""
    if error.original_error is not None and not isinstance(error.original_error, GraphQLError):
        log.error("Unhandled error in /graphql [request %s]", request_id, exc_info=error.original_error)
        return {**internal_error(request_id), "path": error.path}
    formatted = error.formatted
    formatted.setdefault("extensions", {}).setdefault("code", Code.BAD_USER_INPUT.value)
    return formatted


def wants_graphiql(request) -> bool:
    return (
        request.method == "GET"
        and "query" not in request.GET
        and graphiql_enabled()
        and GraphiQLPage.request_wants_html(request)
    )


@method_decorator(csrf_exempt, name="dispatch")  # sessions do not authenticate here (SPEC §3)
class GraphQLView(View):
    http_method_names = ["get", "post", "options"]

    def get(self, request):
        if wants_graphiql(request):
            return graphiql_page(request)
        return self.run(request)

    def post(self, request):
        return self.run(request)

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = json_response(error_body(Code.METHOD_NOT_ALLOWED, "Use GET for queries or POST."), 405)
        response["Allow"] = "GET, POST"
        return response

    def run(self, request) -> HttpResponse:
        request_id = uuid.uuid4().hex
        try:
            params = read_params(request)
            principal = request.principal
            if principal.is_anonymous and not settings.GRAPHQL_PUBLIC_INTROSPECTION:
                raise UNAUTHENTICATED
            prepared = prepare(params.query)
            operation, facts = operation_facts(prepared, params.operation_name)
            if principal.is_anonymous and not facts.introspection_only:
                raise UNAUTHENTICATED
            if operation.operation == OperationType.SUBSCRIPTION:
                raise BadRequest(400, Code.BAD_REQUEST, "Subscriptions are not supported.")
            is_mutation = operation.operation == OperationType.MUTATION
            if is_mutation and request.method == "GET":
                raise BadRequest(405, Code.METHOD_NOT_ALLOWED, "Mutations must be sent with POST.")
            request.accepted_scopes = facts.accepted_scopes
            cost = self.charge(principal, facts, coerced_variables(operation, params.variables))
            result = self.execute(request, prepared, params, is_mutation)
        except AuthenticationFailed as failure:
            return error_response(failure)
        except BadRequest as bad:
            message = bad.message if not request.principal.is_anonymous else without_suggestions(bad.message)
            response = json_response(error_body(bad.code, message, **bad.extensions), bad.status)
            if bad.status == 405:
                response["Allow"] = "POST"
            if bad.status == 429:
                response["Retry-After"] = str(bad.extensions["retryAfter"])
            return response
        except SuspiciousOperation as refused:  # Django's request limits: body size, number of fields
            return json_response(error_body(Code.BAD_REQUEST, f"The request is too large: {refused}"), 400)
        except Exception:  # outside execution (which masks its own): still no trace for the client
            log.exception("Unhandled error in /graphql [request %s]", request_id)
            return json_response({"errors": [internal_error(request_id)]}, 500)
        return self.respond(request, result, facts, request_id, cost)

    @staticmethod
    def charge(principal, facts: OperationFacts, variables: dict | None) -> dict:
        """Check the node limit, take the cost from the token's budget; the `extensions.cost` report."""
        nodes = node_count(facts.page_paths, variables)
        check_cost(nodes)
        points = query_cost(nodes)
        cost = {"requestedQueryCost": points, "nodeCount": nodes, "remaining": None, "resetAt": None}
        if principal.is_anonymous:
            return cost  # public introspection: no token, no budget
        budget = spend(principal.token_id, points)
        cost["remaining"], cost["resetAt"] = budget.remaining, iso_time(budget.reset_at)
        if not budget.allowed:
            raise BadRequest(
                429,
                Code.THROTTLED,
                f"This query costs {points} points and the token has {budget.remaining} left this hour; "
                f"the budget resets at {cost['resetAt']}.",
                retryAfter=budget.retry_after,
                cost=cost,
            )
        return cost

    @staticmethod
    def execute(request, prepared: Prepared, params: GraphQLParams, is_mutation: bool) -> ExecutionResult:
        def run():
            return execute(
                SCHEMA,
                prepared.document,
                context_value=request,
                variable_values=params.variables,
                operation_name=params.operation_name,
                is_awaitable=never_awaitable,
            )

        if not is_mutation:
            return run()
        with transaction.atomic():
            result = run()
            if result.errors and any(
                e.original_error is not None and not isinstance(e.original_error, GraphQLError) for e in result.errors
            ):
                transaction.set_rollback(True)  # an unexpected failure: nothing half-applied
        return result

    @staticmethod
    def respond(request, result: ExecutionResult, facts: OperationFacts, request_id: str, cost: dict) -> HttpResponse:
        errors = [format_error(e, request_id) for e in result.errors or ()]
        if result.data is None and errors and not any(e.get("path") for e in errors):
            # Variable coercion failed before execution started.
            for error in errors:
                error["extensions"]["code"] = Code.BAD_REQUEST.value
            return json_response({"errors": errors, "extensions": {"cost": cost}}, 400)
        body = {"data": result.data}
        if errors:
            body["errors"] = errors
        body["extensions"] = {"cost": cost}
        denied = denied_root_scopes(errors, facts.root_fields)
        if denied is not None:
            response = json_response(body, 403)
            response["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{" ".join(denied)}"'
            return response
        return json_response(body, 200)


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


def iso_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")
