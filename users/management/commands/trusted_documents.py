"""A client's trusted documents (SPEC §8) from the command line.

  manage.py trusted_documents import <client_id> <file>...   Apollo manifest, persisted-documents.json, .graphql
  manage.py trusted_documents export <client_id>             an Apollo manifest on standard output
  manage.py trusted_documents remove <client_id> (<id>... | --all)
  manage.py trusted_documents policy <client_id> any|audit|only

An import is all or nothing: it stores nothing, prints why each refused document is refused and
exits non-zero, unless every document can be trusted.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schema.trusted_documents import vet
from users.models import DOCUMENT_POLICIES, Application
from users.trusted_documents import (
    FormatError,
    add_documents,
    apollo_manifest,
    read_documents,
    remove_documents,
    set_policy,
)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        imported = actions.add_parser("import", help="trust the documents of these files")
        imported.add_argument("client_id")
        imported.add_argument("files", nargs="+", type=Path)
        exported = actions.add_parser("export", help="print the client's documents as an Apollo manifest")
        exported.add_argument("client_id")
        removed = actions.add_parser("remove", help="remove documents by id (sha256:<hex> or hex), or --all")
        removed.add_argument("client_id")
        removed.add_argument("ids", nargs="*")
        removed.add_argument("--all", action="store_true")
        policy = actions.add_parser("policy", help="set the client's document policy")
        policy.add_argument("client_id")
        policy.add_argument("policy", choices=[value for value, _ in DOCUMENT_POLICIES])

    def handle(self, *args, action, client_id, **options):
        application = Application.objects.filter(client_id=client_id).first()
        if application is None:
            raise CommandError(f"No client with the client id {client_id!r}.")
        getattr(self, f"handle_{action}")(application, **options)

    def handle_import(self, application, files, **options):
        try:
            candidates = read_documents([(str(path), path.read_bytes()) for path in files])
        except OSError as unreadable:
            raise CommandError(f"{unreadable.filename}: {unreadable.strerror}.") from None
        except FormatError as unreadable:
            raise CommandError(str(unreadable)) from None
        vetted, problems = vet(candidates, application.allowed_scope_set)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"Nothing imported: {len(problems)} of {len(candidates)} documents refused.")
        if not vetted:
            raise CommandError("Nothing imported: the files hold no documents.")
        added = add_documents(application, vetted)
        self.stdout.write(f"Imported {added} new documents of {len(vetted)} for {application.name}.")

    def handle_export(self, application, **options):
        self.stdout.write(json.dumps(apollo_manifest(application), indent=2))

    def handle_remove(self, application, ids, all, **options):
        if all == bool(ids):
            raise CommandError("Name the documents to remove, or --all (not both).")
        removed = remove_documents(application, None if all else [i.removeprefix("sha256:").lower() for i in ids])
        self.stdout.write(f"Removed {removed} documents from {application.name}.")

    def handle_policy(self, application, policy, **options):
        set_policy(application, policy)
        self.stdout.write(f"{application.name}: document policy {policy}.")
