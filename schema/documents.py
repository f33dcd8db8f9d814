"""GraphQL documents: parsed and validated once per text (frontend apps send the same documents
over and over), and the static facts of each operation computed once per operation name."""

import functools
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, get_operation_ast, specified_rules, validate

from schema.analysis import OperationFacts, analyse
from schema.errors import Code, GraphQLRequestError
from schema.limits import parse_within_limits
from schema.plan import compile_plan
from schema.schema import schema as graphene_schema
from schema.shape import check_shape

SCHEMA = graphene_schema.graphql_schema
log = logging.getLogger("graphql")


@dataclass(frozen=True)
class Prepared:
    """A parsed and validated document, cached by its text."""

    document: DocumentNode
    facts: dict[str | None, OperationFacts] = field(default_factory=dict)
    plans: dict[str | None, type | None] = field(default_factory=dict)  # by operation name (schema.plan)
    # Introspection answers by (operation name, variables): the schema does not change in a process.
    answers: dict[tuple, dict] = field(default_factory=dict)


class DocumentCache:
    """Prepared documents by text, least recently used first out, bounded by their total size: a
    prepared document holds about 40 bytes per character of its text (its syntax tree, facts and
    plans), so ``max_chars`` bounds the memory, whatever mix of documents arrives (issue 16, item
    10). Only documents that passed every check enter it."""

    def __init__(self, max_documents: int, max_chars: int):
        self.max_documents, self.max_chars = max_documents, max_chars
        self._entries: OrderedDict[str, Prepared] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()  # runserver serves requests in threads

    def get(self, query: str) -> Prepared | None:
        with self._lock:
            prepared = self._entries.get(query)
            if prepared is not None:
                self._entries.move_to_end(query)
            return prepared

    def put(self, query: str, prepared: Prepared) -> None:
        if len(query) > self.max_chars:
            return
        with self._lock:
            if query in self._entries:
                return
            self._entries[query] = prepared
            self._chars += len(query)
            while len(self._entries) > self.max_documents or self._chars > self.max_chars:
                evicted, _ = self._entries.popitem(last=False)
                self._chars -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = 0

    def __len__(self) -> int:
        return len(self._entries)


DOCUMENTS = DocumentCache(max_documents=512, max_chars=500_000)  # at most about 20 MB per process


def is_prepared(query: str) -> bool:
    """Whether this process has ``query`` prepared (its preparation is then free, schema.pricing)."""
    return DOCUMENTS.get(query) is not None


def prepare(query: str) -> Prepared:
    """The document of ``query``, parsed, within the limits and validated: from the cache, or made."""
    prepared = DOCUMENTS.get(query)
    if prepared is None:
        prepared = _prepare(query)
        DOCUMENTS.put(query, prepared)
    return prepared


def _prepare(query: str) -> Prepared:
    try:
        document = parse_within_limits(query)
    except GraphQLError as error:
        raise GraphQLRequestError(error.message, Code.GRAPHQL_PARSE_FAILED) from None
    check_shape(document)  # before validation, whose cost grows faster than the document (schema.shape)
    # graphene-django's `validation_rules` would replace these; the standard rules always run.
    errors = validate(SCHEMA, document, specified_rules)
    if errors:
        raise GraphQLRequestError("; ".join(e.message for e in errors), Code.GRAPHQL_VALIDATION_FAILED)
    return Prepared(document)


def operation_of(prepared: Prepared, operation_name: str | None) -> tuple[OperationDefinitionNode, OperationFacts]:
    """The operation to run and its facts."""
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
    return operation, facts


def configured_middleware() -> list:
    """``GRAPHQL_MIDDLEWARE``'s functions or classes, imported once per value of the setting."""
    return list(_imported(tuple(settings.GRAPHQL_MIDDLEWARE)))


@functools.cache
def _imported(paths: tuple[str, ...]) -> tuple:
    return tuple(import_string(path) for path in paths)


def plan_of(prepared: Prepared, operation_name: str | None, operation: OperationDefinitionNode):
    """The execution context class of the operation's compiled plan, or None (graphql-core's own).

    ``GRAPHQL_COMPILED_PLANS = False`` runs everything on graphql-core (the reference executor), and so
    does configured middleware (``GRAPHQL_MIDDLEWARE``), which a plan would skip."""
    if not settings.GRAPHQL_COMPILED_PLANS or settings.GRAPHQL_MIDDLEWARE:
        return None
    if operation_name not in prepared.plans:
        try:
            prepared.plans[operation_name] = compile_plan(SCHEMA, prepared.document, operation)
        except Exception:  # a defect of the compiler must not cost an answer: the reference runs it
            log.exception("Could not compile a plan; graphql-core runs this operation")
            prepared.plans[operation_name] = None
    return prepared.plans[operation_name]
