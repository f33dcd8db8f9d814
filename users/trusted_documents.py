"""A client's trusted documents as data (SPEC §8): the files they come in, and the writes and reads.

Three formats come in: Apollo's persisted query manifest, GraphQL Code Generator's client-preset
``persisted-documents.json``, and ``.graphql`` files (one operation each; the file's exact bytes are
the document). Apollo's manifest goes out. Manifests carry the bare hex digest; pages and requests
write ``sha256:<hex>``. Whether a document may be trusted is the API's to say
(``schema.trusted_documents.vet``); every write here bumps the client's ``documents_version`` in its
own transaction, which is how every process learns of it on its next request.
"""

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max, Min, Q, Sum

from users.models import DOCUMENT_POLICIES, Application, DocumentSighting, TrustedDocument

APOLLO_FORMAT = "apollo-persisted-query-manifest"
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
GRAPHQL_FILES = (".graphql", ".gql")
AUDIT_DAYS = 7
MAX_SIGHTINGS_LISTED = 200


class FormatError(ValueError):
    """A file that is none of the three formats, or a malformed one: the message names the file."""


@dataclass(frozen=True)
class Candidate:
    """A document as a file presents it: the digest it claims, its text, and what names it."""

    sha256: str
    text: str
    label: str


@dataclass(frozen=True)
class Vetted:
    """A document fit to trust: its true digest, text, operation name and type."""

    sha256: str
    text: str
    operation_name: str
    operation_type: str


def short_id(digest: str) -> str:
    return f"sha256:{digest[:12]}…"


def read_documents(files: list[tuple[str, bytes]]) -> list[Candidate]:
    """The documents of uploaded or named files; FormatError names the first file that is unreadable."""
    candidates = []
    for name, content in files:
        if name.lower().endswith(GRAPHQL_FILES):
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                raise FormatError(f"{name}: not UTF-8 text.") from None
            candidates.append(Candidate(hashlib.sha256(content).hexdigest(), text, f"{name} ({short_id_of(content)})"))
        else:
            candidates.extend(read_manifest(name, content))
    return candidates


def short_id_of(content: bytes) -> str:
    return short_id(hashlib.sha256(content).hexdigest())


def read_manifest(name: str, content: bytes) -> list[Candidate]:
    try:
        data = json.loads(content.decode("utf-8"))
    except (ValueError, RecursionError):
        raise FormatError(f"{name}: not JSON in UTF-8, nor a .graphql file.") from None
    if isinstance(data, dict) and data.get("format") == APOLLO_FORMAT:
        return read_apollo_manifest(name, data)
    if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
        return [
            Candidate(digest_of(name, key), text, f"{name} ({short_id(digest_of(name, key))})")
            for key, text in data.items()
        ]
    raise FormatError(
        f"{name}: neither an Apollo persisted query manifest nor a GraphQL Code Generator persisted-documents.json."
    )


def read_apollo_manifest(name: str, data: dict) -> list[Candidate]:
    operations = data.get("operations")
    if data.get("version") != 1 or not isinstance(operations, list):
        raise FormatError(f"{name}: an Apollo manifest has version 1 and a list of operations.")
    candidates = []
    for number, operation in enumerate(operations, 1):
        if not isinstance(operation, dict) or not all(isinstance(operation.get(k), str) for k in ("id", "body")):
            raise FormatError(f"{name}: operation {number} needs an id and a body, both strings.")
        digest = digest_of(name, operation["id"])
        label = f"{operation.get('name') or f'operation {number}'} ({short_id(digest)})"
        candidates.append(Candidate(digest, operation["body"], label))
    return candidates


def digest_of(name: str, value: str) -> str:
    digest = value.removeprefix("sha256:").lower()
    if not HEX_DIGEST.fullmatch(digest):
        raise FormatError(f"{name}: {value[:80]!r} is not a SHA-256 digest (64 hex digits).")
    return digest


def apollo_manifest(application: Application) -> dict:
    """What ``manage.py trusted_documents export`` prints: Apollo's format, bare hex ids."""
    operations = [
        {"id": d.sha256, "name": d.operation_name, "type": d.operation_type, "body": d.text}
        for d in application.documents.order_by("operation_name", "sha256")
    ]
    return {"format": APOLLO_FORMAT, "version": 1, "operations": operations}


# --- Writes: each in one transaction with the version bump ----------------------------------------


def bump_version(application: Application) -> None:
    """A new version for the client's documents: every process reads them again on its next request."""
    version = secrets.randbits(62) | 1  # never 0, which means "never had any"
    Application.objects.filter(pk=application.pk).update(documents_version=version)


@transaction.atomic
def add_documents(application: Application, documents: list[Vetted]) -> int:
    """Stores the documents the client does not have yet; the number added."""
    have = set(application.documents.values_list("sha256", flat=True))
    new = {d.sha256: d for d in documents if d.sha256 not in have}
    TrustedDocument.objects.bulk_create(
        TrustedDocument(
            application=application,
            sha256=d.sha256,
            text=d.text,
            operation_name=d.operation_name,
            operation_type=d.operation_type,
        )
        for d in new.values()
    )
    if new:
        bump_version(application)
    return len(new)


@transaction.atomic
def remove_documents(application: Application, digests: list[str] | None) -> int:
    """Removes those documents (None: all of them); the number removed."""
    documents = application.documents.all()
    if digests is not None:
        documents = documents.filter(sha256__in=digests)
    removed, _ = documents.delete()
    if removed:
        bump_version(application)
    return removed


def set_policy(application: Application, policy: str) -> None:
    if policy not in dict(DOCUMENT_POLICIES):
        raise ValueError(f"Unknown policy {policy!r}: any, audit or only.")
    Application.objects.filter(pk=application.pk).update(trusted_documents=policy)
    application.trusted_documents = policy


# --- The audit: documents a client in `audit` sent that it does not trust ------------------------


def record_sighting(application_id: int, digest: str, operation_name: str, now: datetime) -> None:
    """One upsert per request, only for untrusted documents of clients in ``audit`` (SQLite 3.24+ and
    PostgreSQL share the syntax): a row per client, hash and day."""
    ops = connection.ops
    table, q = ops.quote_name(DocumentSighting._meta.db_table), ops.quote_name
    columns = ", ".join(q(c) for c in ("application_id", "sha256", "day", "operation_name", "first_seen", "last_seen"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {q('count')}) VALUES (%s, %s, %s, %s, %s, %s, 1)"
            f" ON CONFLICT ({q('application_id')}, {q('sha256')}, {q('day')}) DO UPDATE SET"
            f" {q('count')} = {table}.{q('count')} + 1, {q('last_seen')} = excluded.{q('last_seen')},"
            f" {q('operation_name')} = excluded.{q('operation_name')}",
            [
                application_id,
                digest,
                ops.adapt_datefield_value(now.date()),
                operation_name,
                ops.adapt_datetimefield_value(now),
                ops.adapt_datetimefield_value(now),
            ],
        )


def sightings_of(application: Application, now: datetime) -> list[dict]:
    """Hash, operation name, first and last seen, and the count over the last 7 days; latest first."""
    since = (now - timedelta(days=AUDIT_DAYS - 1)).date()
    rows = (
        DocumentSighting.objects.filter(application=application)
        .values("sha256")
        .annotate(
            operation=Max("operation_name"),
            first=Min("first_seen"),
            last=Max("last_seen"),
            week=Sum("count", filter=Q(day__gte=since), default=0),
        )
        .order_by("-last", "sha256")[:MAX_SIGHTINGS_LISTED]
    )
    return [{**row, "document_id": f"sha256:{row['sha256']}"} for row in rows]
