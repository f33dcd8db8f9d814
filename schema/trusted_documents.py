"""Trusted documents on /graphql (SPEC §8): which document a request runs, under its client's policy.

A request names a document by id (``documentId``, or Apollo's ``extensions.persistedQuery``) or sends
its text. The client's policy and the version of its documents come with the token (one SQL query,
``schema.authentication``), so a change applies on the next request in every process and nothing
is invalidated in a shared cache. Each process keeps, per client, the documents of the version it
last saw, each prepared (parsed, within limits, validated) once and kept as long as that version
is current: beside the document cache of ``schema.documents``, never evicted by text that churns
through it. A document is data (``users.models.TrustedDocument``); it runs on the one execution path.
"""

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db import DatabaseError
from django.utils import timezone
from graphql import OperationDefinitionNode, OperationType
from graphql.execution.values import get_variable_values

from schema.documents import DOCUMENTS, SCHEMA, Prepared, operation_of, prepare
from schema.errors import APIError, BadRequest, Code, GraphQLRequestError
from schema.limits import MAX_NODES
from users.models import DOCUMENT_POLICY_ANY, DOCUMENT_POLICY_AUDIT, DOCUMENT_POLICY_ONLY, TrustedDocument
from users.trusted_documents import Candidate, Vetted, record_sighting

log = logging.getLogger("graphql")
DOCUMENT_ID = re.compile(r"sha256:([0-9a-f]{64})")
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
# The operation's name, read without parsing (an audit records it before any parsing happens).
OPERATION_NAME = re.compile(r"\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")
MAX_CLIENTS = 1024  # clients whose documents a process keeps; the least recently used goes first


class DocumentNotAllowed(APIError):
    """403: the client's policy is ``only`` and this is not one of its trusted documents (SPEC §8)."""

    status, code = 403, Code.PERSISTED_QUERY_NOT_ALLOWED


def sha256_of(text: str) -> str:
    # A lone surrogate (invalid JSON text) still hashes; it matches no trusted document.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def requested_id(data: dict) -> str | None:
    """The hex digest a request names (``documentId`` or Apollo's ``persistedQuery``), or None."""
    document_id, extensions = data.get("documentId"), data.get("extensions")
    named = None
    if document_id is not None:
        match = DOCUMENT_ID.fullmatch(document_id) if isinstance(document_id, str) else None
        if match is None:
            raise BadRequest("`documentId` must be 'sha256:' and 64 lower-case hex digits.")
        named = match.group(1)
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if persisted is not None:
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if persisted.get("version") != 1 or not isinstance(digest, str) or not HEX_DIGEST.fullmatch(digest):
            raise BadRequest("`extensions.persistedQuery` must be {version: 1, sha256Hash: <64 hex digits>}.")
        if named is not None and named != digest:
            raise BadRequest("`documentId` and `extensions.persistedQuery` name different documents.")
        named = digest
    return named


@dataclass
class ClientDocuments:
    """One client's trusted documents as of one version: texts by digest, each prepared on first use."""

    version: int
    texts: dict[str, str]
    prepared: dict[str, Prepared] = field(default_factory=dict)

    def get(self, digest: str) -> Prepared | None:
        text = self.texts.get(digest)
        if text is None:
            return None
        prepared = self.prepared.get(digest)
        if prepared is None:  # vetted at import; the schema is the same, so this cannot refuse
            prepared = self.prepared[digest] = DOCUMENTS.get(text) or prepare(text)
        return prepared


NO_DOCUMENTS = ClientDocuments(0, {})


class ClientDocumentsCache:
    def __init__(self, max_clients: int):
        self.max_clients = max_clients
        self._entries: OrderedDict[int, ClientDocuments] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, application_id: int, version: int) -> ClientDocuments:
        with self._lock:
            entry = self._entries.get(application_id)
            if entry is not None and entry.version == version:
                self._entries.move_to_end(application_id)
                return entry
        # Read after the token lookup: a change committed in between is newer than `version`, never older.
        texts = dict(TrustedDocument.objects.filter(application_id=application_id).values_list("sha256", "text"))
        entry = ClientDocuments(version, texts)
        with self._lock:
            self._entries[application_id] = entry
            self._entries.move_to_end(application_id)
            while len(self._entries) > self.max_clients:
                self._entries.popitem(last=False)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CLIENT_DOCUMENTS = ClientDocumentsCache(MAX_CLIENTS)


def documents_of(principal) -> ClientDocuments:
    if principal.is_anonymous or principal.application_id is None:
        return NO_DOCUMENTS
    if principal.documents_version == 0:  # never had a document: nothing to read
        return NO_DOCUMENTS
    return CLIENT_DOCUMENTS.of(principal.application_id, principal.documents_version)


def trusted_document(request, params) -> Prepared | None:
    """The prepared trusted document this request runs, or None to prepare its text as any other.

    Raises PERSISTED_QUERY_NOT_FOUND (an id alone that the client does not have), BAD_REQUEST (text
    and id that disagree) or PERSISTED_QUERY_NOT_ALLOWED (policy ``only``), all before any parsing
    and none charged to the budget: they cost a hash and a dictionary lookup."""
    principal = request.principal
    documents = documents_of(principal)
    if params.query is None:
        prepared = documents.get(params.document_id)
        if prepared is None:
            raise GraphQLRequestError(
                f"No trusted document sha256:{params.document_id} for this client.", Code.PERSISTED_QUERY_NOT_FOUND
            )
        request.document_id = f"sha256:{params.document_id}"
        return prepared
    policy = DOCUMENT_POLICY_ANY if principal.is_anonymous else principal.document_policy
    digest = None
    if params.document_id is not None or documents.texts or policy != DOCUMENT_POLICY_ANY:
        digest = sha256_of(params.query)
        if params.document_id is not None and params.document_id != digest:
            raise BadRequest(f"The query's text hashes to sha256:{digest}, not to the id the request names.")
    prepared = documents.get(digest) if digest else None
    if prepared is not None:
        request.document_id = f"sha256:{digest}"
        return prepared
    if policy == DOCUMENT_POLICY_ONLY:
        raise DocumentNotAllowed("This client may run only its trusted documents; this is not one of them.")
    if policy == DOCUMENT_POLICY_AUDIT:
        audit(principal.application_id, digest, params.operation_name or operation_name_in(params.query))
    return None


def audit(application_id: int, digest: str, operation_name: str) -> None:
    """Records an untrusted document; the request is served even when the record cannot be written."""
    try:
        record_sighting(application_id, digest, operation_name[:255], timezone.now())
    except DatabaseError:
        log.warning("Could not record an audited document for client %s", application_id, exc_info=True)


def operation_name_in(text: str) -> str:
    match = OPERATION_NAME.match(text)
    return match.group(1) if match else ""


# --- Import: every document vetted before any is stored -------------------------------------------


def vet(candidates: list[Candidate], allowed_scopes: frozenset[str]) -> tuple[list[Vetted], list[str]]:
    """The documents to store, and a message per refused one (naming it and the reason): SPEC §8's
    checks, in its order: parse, validate, §5's limits, scopes the client may have, and the hash."""
    vetted, problems = [], []
    for candidate in candidates:
        try:
            vetted.append(vet_one(candidate, allowed_scopes))
        except ValueError as refused:
            problems.append(f"{candidate.label}: {refused}")
    return vetted, problems


def vet_one(candidate: Candidate, allowed_scopes: frozenset[str]) -> Vetted:
    try:
        prepared = prepare(candidate.text)
    except GraphQLRequestError as refused:
        reason = {
            Code.GRAPHQL_PARSE_FAILED: "does not parse",
            Code.GRAPHQL_VALIDATION_FAILED: "does not validate against the schema",
        }.get(refused.code, "exceeds a limit")
        raise ValueError(f"{reason}: {refused.message}") from None
    operations = [d for d in prepared.document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        raise ValueError(f"holds {len(operations)} operations; a trusted document holds exactly one.")
    operation = operations[0]
    if operation.operation == OperationType.SUBSCRIPTION:
        raise ValueError("is a subscription; /graphql runs queries and mutations.")
    _, facts = operation_of(prepared, None)
    needed = set(facts.accepted_scopes)
    for _, _, arguments in facts.argument_uses:
        needed.update(scope for _, extra in arguments for scope in extra)
    missing = sorted(needed - allowed_scopes)
    if missing:
        names = ", ".join(f"'{scope}'" for scope in missing)
        allowed = " ".join(sorted(allowed_scopes)) or "none"
        raise ValueError(
            f"needs the {names} scope{'s' if len(missing) > 1 else ''}, which this client may not have"
            f" (allowed: {allowed})."
        )
    defaults = get_variable_values(SCHEMA, operation.variable_definitions or (), {})
    if not isinstance(defaults, list):  # no required variables: its cost is known now
        nodes = facts.node_count(defaults)
        if nodes > MAX_NODES:
            raise ValueError(f"could return {nodes} nodes; the limit is {MAX_NODES}.")
    digest = sha256_of(candidate.text)
    if digest != candidate.sha256:
        raise ValueError(f"does not hash to its id: its text hashes to sha256:{digest}.")
    name = operation.name.value if operation.name else ""
    return Vetted(digest, candidate.text, name, operation.operation.value)
