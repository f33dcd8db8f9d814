"""Create the demo: an admin, users, groups and one client per grant, printing credentials once.

Idempotent: run again, it creates what is missing, lists the demo clients and prints only the secrets
it created now (secrets are stored hashed and cannot be shown later). ``--new-secrets`` gives the
confidential demo clients fresh secrets and prints them: the way back to working credentials on an
existing database. It ends with the URLs to open.
"""

import hashlib
import secrets

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from schema.trusted_documents import vet
from users.models import Application, User
from users.trusted_documents import Candidate, add_documents

DEMO_PASSWORD = "demo-password-123"
USERS = [
    # username, first, last, staff, groups
    ("alice", "Alice", "Liddell", False, ["editors", "readers"]),
    ("bob", "Bob", "Builder", False, ["readers"]),
    ("carol", "Carol", "Danvers", False, ["editors"]),
]
CLIENTS = [
    # name, grant, client type, allowed scopes, redirect uris[, allowed origins]
    ("demo-password", Application.GRANT_PASSWORD, "confidential", "read write groups", ""),
    ("demo-server", Application.GRANT_CLIENT_CREDENTIALS, "confidential", "read groups", ""),
    ("demo-introspector", Application.GRANT_CLIENT_CREDENTIALS, "confidential", "introspection", ""),
    (
        "demo-spa",
        Application.GRANT_AUTHORIZATION_CODE,
        "public",
        # Signs people in with OpenID Connect too (README): openid makes it an RS256 id-token client.
        "read write groups openid profile email",
        "http://127.0.0.1:5173/callback",
        "http://127.0.0.1:5173",  # the SPA's own origin may call /o/token/ and /graphql (CORS)
    ),
]
SERVER = "http://127.0.0.1:8000"
# The documents the demo SPA sends (tests/browser/spa/spa.js, the README's "Call it from your single-page
# app"), trusted for demo-spa as an import of its manifest would (SPEC §8): `only` then lets them through.
DEMO_SPA_DOCUMENTS = ("{ me { username } }",)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-secrets", action="store_true", help="give the confidential demo clients new secrets, printed"
        )

    @transaction.atomic
    def handle(self, *args, **options):
        admin, created = User.objects.get_or_create(username="admin", defaults={"is_staff": True, "is_superuser": True})
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.email = "admin@example.com"
            admin.save()
            self.stdout.write(f"admin user: admin / {DEMO_PASSWORD}  (sign in at /admin/ or /accounts/login/)")
        change_group = Permission.objects.filter(codename__in=["add_group", "change_group", "view_user"])
        for username, first, last, staff, group_names in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": staff,
                    "email": f"{username}@example.com",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                self.stdout.write(f"user: {username} / {DEMO_PASSWORD}")
            for name in group_names:
                user.groups.add(Group.objects.get_or_create(name=name)[0])
        User.objects.get(username="alice").user_permissions.add(*change_group)
        for name, grant, client_type, scopes, redirect_uris, *origins in CLIENTS:
            application = Application.objects.filter(name=name).first()
            secret = None
            if application is None:
                secret = secrets.token_urlsafe(48)
                application = Application.objects.create(
                    name=name,
                    client_type=client_type,
                    authorization_grant_type=grant,
                    allowed_scopes=scopes,
                    redirect_uris=redirect_uris,
                    allowed_origins=" ".join(origins),
                    client_secret=secret,
                    user=admin,
                )
            elif options["new_secrets"] and client_type == "confidential":
                secret = secrets.token_urlsafe(48)
                application.client_secret = secret  # hashed on save, like any secret
                application.save(update_fields=["client_secret"])
            line = f"client {name} ({grant}, scopes: {scopes}): client_id={application.client_id}"
            if client_type == "confidential":
                line += f" client_secret={secret}" if secret else " (secret shown when created; --new-secrets)"
            self.stdout.write(line)
        self.trust_spa_documents(Application.objects.get(name="demo-spa"))
        self.stdout.write(
            f"\nOpen {SERVER}/graphql (GraphiQL: Authorize, sign in as alice / {DEMO_PASSWORD}, run a query),"
            f"\n     {SERVER}/ (home page), {SERVER}/o/applications/ (client registry, as admin)."
            "\nDemo client secrets again: .venv/bin/python manage.py seed_demo --new-secrets\n"
        )

    def trust_spa_documents(self, spa: Application) -> None:
        candidates = [Candidate(hashlib.sha256(t.encode()).hexdigest(), t, t) for t in DEMO_SPA_DOCUMENTS]
        vetted, problems = vet(candidates, spa.allowed_scope_set)
        if problems:
            raise CommandError("; ".join(problems))
        add_documents(spa, vetted)
        ids = ", ".join(f"sha256:{d.sha256}" for d in vetted)
        self.stdout.write(f"demo-spa trusted documents (policy {spa.trusted_documents}): {ids}")
