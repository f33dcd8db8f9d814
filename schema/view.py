"""The /graphql HTTP endpoint (SPEC §3, §5): ``GraphQLView.answer`` reads as the request path, one step
a line: read the request (``schema.transport``), admit the caller, prepare the operation
(``schema.operations``: every refusal), price and charge it (``schema.budget``), execute it
(``schema.execution``), respond. Authentication happened before, in ``schema.authentication``;
scopes are enforced by ``schema.gate`` during execution; errors carry their own status, code and
headers (``schema.errors``).
"""

import logging
import re

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView as GraphiQLPage
from graphql import ExecutionResult, GraphQLError

from schema import budget, execution
from schema.authentication import request_id_of
from schema.documents import is_prepared
from schema.errors import (
    APIError,
    Code,
    GraphQLRequestError,
    MethodNotAllowed,
    OperationDenied,
    error_response,
    internal_error,
    is_deliberate,
    json_response,
    request_too_large,
    scope_list,
    unauthenticated,
)
from schema.graphiql import graphiql_enabled, graphiql_page  # our own page: offline, strict CSP (SPEC §7.1)
from schema.media_types import response_type
from schema.operations import Operation, new_text, operation_for
from schema.pricing import refusal_cost
from schema.transport import read_params
from schema.trusted_documents import trusted_document

log = logging.getLogger("graphql")
DID_YOU_MEAN = re.compile(r" ?Did you mean [^?]*\?")


def wants_graphiql(request) -> bool:
    return (
        request.method == "GET"
        and not {"query", "documentId", "extensions"} & request.GET.keys()
        and graphiql_enabled()
        and GraphiQLPage.request_wants_html(request)
    )


class GraphQLView(View):
    http_method_names = ["get", "post", "options"]
    compiled_plans = True  # False: graphql-core's executor for every operation (bench/: the plans-off workload)

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
        """The request path, top to bottom: read, admit, prepare, charge, execute, respond."""
        params = read_params(request)  # what the wire carries (schema.transport)
        admit(request)  # anonymous callers: public introspection only, limited per address
        trusted = trusted_document(request, params)  # by id, or the client's policy (SPEC §8): no parsing
        prepared_text = "" if trusted else new_text(params)
        try:
            operation = operation_for(request, params, prepared_text, trusted)  # every refusal (schema.operations)
        except (GraphQLRequestError, OperationDenied) as refused:
            # Reading it was work; so was validating it, when the refusal came from validation or later.
            validated = refused.code == Code.GRAPHQL_VALIDATION_FAILED or is_prepared(params.query)
            charge_refusal(request, prepared_text, params.size - len(params.query or ""), validated)
            raise
        request.budget = charge(request, operation)
        result = execution.run(request, operation, self.compiled_plans)
        return respond(request, result, operation)


def admit(request) -> None:
    """SPEC §5: without a token, only public introspection, and a point per request from the address."""
    if request.principal.is_anonymous:
        if not settings.GRAPHQL_PUBLIC_INTROSPECTION:
            raise unauthenticated()
        budget.spend_anonymous(request)


def charge(request, operation: Operation) -> budget.Budget | None:
    """The operation's points from the caller's hourly budget (``Throttled`` past it); anonymous callers
    paid on admission."""
    return None if request.principal.is_anonymous else budget.spend(request.principal, operation.points)


def charge_refusal(request, prepared_text: str, other_chars: int, validated: bool = False) -> None:
    """SPEC §5: a document refused by a limit (or by parsing, validation, its variables) costs an
    authenticated caller a point (more for a long one); anonymous callers paid per address on the way in."""
    if not request.principal.is_anonymous:
        request.budget = budget.spend(request.principal, refusal_cost(prepared_text, other_chars, validated))


def respond(request, result: ExecutionResult, operation: Operation) -> HttpResponse:
    errors = [format_error(error, request_id_of(request)) for error in result.errors or ()]
    body = {"data": result.data}
    if errors:
        body["errors"] = errors
    body["extensions"] = {"cost": budget.cost_report(request.budget, operation.nodes, operation.points)}
    return json_response(body, 200, response_type(request))  # a 403 was decided before execution


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


def without_suggestions(message: str) -> str:
    """Anonymous callers get no "Did you mean ...?" hints about the schema (SPEC §5)."""
    return DID_YOU_MEAN.sub("", message)
