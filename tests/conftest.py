"""Shared fixtures: users, clients and tokens made directly (as DOT's own tests do), and one helper
that posts a GraphQL query with a token and returns the parsed response."""

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from users.leases import budget_leases
from users.models import Application, User

AccessToken = get_access_token_model()
ALL_SCOPES = "read write groups introspection"
# What the README tells /graphql clients to send (SPEC §5 "Media types").
RECOMMENDED_ACCEPT = "application/graphql-response+json, application/json;q=0.9"


@pytest.fixture
def make_user(db):
    def make(username="alice", password="correct-horse-battery", permissions=(), **fields):
        user = User.objects.create_user(username=username, password=password, email=f"{username}@example.com", **fields)
        for codename in permissions:
            app_label, name = codename.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=name))
        return user

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice", first_name="Alice", last_name="Liddell")


@pytest.fixture
def bob(make_user):
    return make_user("bob", first_name="Bob", last_name="Builder")


@pytest.fixture
def make_application(db):
    def make(allowed_scopes=ALL_SCOPES, grant=Application.GRANT_PASSWORD, client_type="confidential", **fields):
        secret = secrets.token_urlsafe(48)
        application = Application.objects.create(
            name=fields.pop("name", f"client-{grant}"),
            client_type=client_type,
            authorization_grant_type=grant,
            client_secret=secret,
            allowed_scopes=allowed_scopes,
            **fields,
        )
        application.raw_secret = secret
        return application

    return make


@pytest.fixture
def make_token(make_application):
    """An access token for ``user`` (None: a client-credentials token) with ``scopes``; returns the raw token."""

    def make(user=None, scopes="read", expires_in=600, application=None):
        raw = secrets.token_urlsafe(30)
        AccessToken.objects.create(
            user=user,
            application=application or make_application(),
            token=raw,
            scope=scopes,
            expires=timezone.now() + timedelta(seconds=expires_in),
        )
        return raw

    return make


@dataclass
class GraphQLResponse:
    status: int
    body: dict
    headers: dict

    @property
    def data(self):
        return self.body.get("data")

    @property
    def errors(self):
        return self.body.get("errors", [])

    @property
    def codes(self):
        return [e["extensions"]["code"] for e in self.errors]


@pytest.fixture
def graphql(db):
    """graphql(query, token=..., variables=...) -> GraphQLResponse, through the real HTTP stack, with the
    `Accept` the README tells clients to send (SPEC §5: this SPEC's status codes); `headers` may change it."""
    client = Client()

    def post(query, token=None, variables=None, operation_name=None, headers=None, method="post"):
        extra = {"HTTP_ACCEPT": RECOMMENDED_ACCEPT, **(headers or {})}
        if token is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if method == "get":
            params = {"query": query}
            if variables is not None:
                params["variables"] = json.dumps(variables)
            response = client.get("/graphql", params, **extra)
        else:
            payload = {"query": query, "variables": variables, "operationName": operation_name}
            response = client.post("/graphql", json.dumps(payload), content_type="application/json", **extra)
        return GraphQLResponse(response.status_code, json.loads(response.content), response)

    return post


@pytest.fixture
def group_factory(db):
    def make(name, members=()):
        group = Group.objects.create(name=name)
        group.user_set.add(*members)
        return group

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's 1,000,000 rounds cost ~0.3 s per user; the tests are about behaviour, not hashing cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "users.hashers.ClientSecretHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate budgets and failed-login counters live in the cache: each test starts with none spent (and no
    budget lease: users/leases.py)."""
    cache.clear()
    budget_leases.forget()


@pytest.fixture(autouse=True)
def no_prepared_documents():
    """A document new to the process pays for its preparation (schema.pricing): each test starts with none
    prepared, so what a test is charged does not depend on the tests before it."""
    from schema import documents

    documents.DOCUMENTS.clear()


@pytest.fixture
def settings_redis(settings):
    """Production's cache (project.cache.FailOpenRedisCache) on Redis database 14, empty; skipped without
    Redis on a laptop, a failure in CI."""
    from tests.fleet.servers import port_open, require

    require(port_open(6379), "Redis on 127.0.0.1:6379")
    url = "redis://127.0.0.1:6379/14"
    settings.CACHES = {"default": {"BACKEND": "project.cache.FailOpenRedisCache", "LOCATION": url}}
    cache.clear()
    yield url
    cache.clear()
    budget_leases.forget()
