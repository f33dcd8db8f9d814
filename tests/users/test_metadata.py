"""SPEC §2, §2.5: RFC 8414 server metadata, OpenID Connect discovery and RFC 9728 resource metadata,
one issuer for all of them, each at one exact path."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from graphql import GraphQLObjectType

from schema.gate import POLICY
from schema.schema import schema
from users.issuer import protected_resource_metadata_url

SERVER_METADATA = "/.well-known/oauth-authorization-server"
DISCOVERY = "/.well-known/openid-configuration"
DOT_DISCOVERY = "/o/.well-known/openid-configuration"
RESOURCE_METADATA = "/.well-known/oauth-protected-resource/graphql"
# What the server actually does, as SPEC §2 lists it: the documents must say exactly this.
OFFERED = {
    "grant_types_supported": [
        "authorization_code",
        "password",
        "client_credentials",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
    ],
    "response_types_supported": ["code"],
    "code_challenge_methods_supported": ["S256"],
    "id_token_signing_alg_values_supported": ["RS256"],
}


def document(path: str, **headers) -> dict:
    response = Client().get(path, **headers)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_metadata_lists_the_endpoints_of_the_one_issuer(db):
    body = document(SERVER_METADATA)
    assert body["issuer"] == "http://testserver"
    assert body["authorization_endpoint"] == "http://testserver/o/authorize/"
    assert body["token_endpoint"] == "http://testserver/o/token/"
    assert body["revocation_endpoint"] == "http://testserver/o/revoke_token/"
    assert body["introspection_endpoint"] == "http://testserver/o/introspect/"
    assert body["userinfo_endpoint"] == "http://testserver/o/userinfo/"
    assert body["jwks_uri"] == "http://testserver/o/.well-known/jwks.json"
    assert body["device_authorization_endpoint"] == "http://testserver/o/device-authorization/"


@pytest.mark.parametrize("name", sorted(OFFERED))
def test_documents_offer_only_what_the_server_does(db, name):
    for path in (SERVER_METADATA, DISCOVERY, DOT_DISCOVERY):
        assert document(path)[name] == OFFERED[name], path


def test_grant_types_come_from_the_one_setting(db, settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code"]}
    assert document(SERVER_METADATA)["grant_types_supported"] == ["authorization_code"]
    assert document(DISCOVERY)["grant_types_supported"] == ["authorization_code"]


def test_scopes_and_claims_are_advertised(db):
    body = document(DISCOVERY)
    assert body["scopes_supported"] == ["email", "groups", "introspection", "openid", "profile", "read", "write"]
    assert body["claims_supported"] == [
        "sub",
        "preferred_username",
        "name",
        "given_name",
        "family_name",
        "email",
        "email_verified",
    ]
    assert body["subject_types_supported"] == ["public"]
    assert body["authorization_response_iss_parameter_supported"] is True


def test_discovery_at_both_paths_and_rfc8414_metadata_are_one_document(db):
    server, discovery, dot_discovery = (document(p) for p in (SERVER_METADATA, DISCOVERY, DOT_DISCOVERY))
    assert discovery == dot_discovery
    assert server == discovery


def test_the_issuer_is_the_origin_not_dots_mount_point(db):
    # Discovery 1.0 §4.3: the document at <issuer>/.well-known/openid-configuration names that issuer.
    for path in (SERVER_METADATA, DISCOVERY, DOT_DISCOVERY):
        assert document(path)["issuer"] == "http://testserver", path
    assert document(DISCOVERY, HTTP_HOST="localhost:8000")["issuer"] == "http://localhost:8000"


def test_configured_issuer_url_is_used_whatever_the_host(db, settings):
    settings.ISSUER_URL = "https://api.example.com"
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": settings.ISSUER_URL}
    for path in (SERVER_METADATA, DISCOVERY, DOT_DISCOVERY):
        body = document(path, HTTP_HOST="localhost")
        assert body["issuer"] == "https://api.example.com"
        assert body["token_endpoint"] == "https://api.example.com/o/token/"
    body = document(RESOURCE_METADATA, HTTP_HOST="localhost")
    assert body["resource"] == "https://api.example.com/graphql"
    assert body["authorization_servers"] == ["https://api.example.com"]


@pytest.mark.slow
@pytest.mark.parametrize("value", ["https://api.example.com/tenant", "https://api.example.com/o/", "https://h?x=1"])
def test_an_issuer_url_that_is_not_an_origin_stops_start_up(value):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="project.settings", DEBUG="1", ISSUER_URL=value)
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert f"ISSUER_URL must be an origin (scheme://host[:port]) without a path: {value.rstrip('/')}" in started.stderr


def test_a_host_outside_allowed_hosts_cannot_name_the_issuer(db):
    assert Client().get(DISCOVERY, HTTP_HOST="evil.example").status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/.well-known/oauth-authorization-server/evil-tenant",
        "/.well-known/oauth-authorization-server/",
        "/.well-known/oauth-authorization-server%2Fevil-tenant",
        "/.well-known/oauth-authorization-server%2fevil-tenant",
        "/.well-known/oauth-authorization-server/evil/tenant",
        "/.well-known/oauth-authorization-server/o",
        "/.well-known/oauth-authorization-server/.well-known/oauth-authorization-server",
        "/.well-known/oauth-authorization-server;evil",
        "/.well-known/oauth-authorization-server.json",
        "//.well-known/oauth-authorization-server",
        "/evil-tenant/.well-known/oauth-authorization-server",
        "/o/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration/",
        "/.well-known/openid-configuration/evil-tenant",
        "/.well-known/openid-configuration%2Fevil-tenant",
        "/evil-tenant/.well-known/openid-configuration",
        "/o/.well-known/openid-configuration/",
        "/o/.well-known/openid-configuration/evil-tenant",
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/",
        "/.well-known/oauth-protected-resource/graphql/",
        "/.well-known/oauth-protected-resource/evil-tenant",
        "/.well-known/oauth-protected-resource/graphql/evil-tenant",
        "/.well-known/oauth-protected-resource%2Fgraphql%2Fevil-tenant",
    ],
)
def test_no_path_suffix_makes_another_issuer_or_resource(db, path):
    assert Client().get(path).status_code == 404


@pytest.mark.parametrize("path", [SERVER_METADATA, DISCOVERY, RESOURCE_METADATA])
def test_documents_are_read_only(db, path):
    assert Client().post(path).status_code == 405


def test_protected_resource_metadata_describes_graphql(db):
    assert document(RESOURCE_METADATA) == {
        "resource": "http://testserver/graphql",
        "authorization_servers": ["http://testserver"],
        "scopes_supported": ["groups", "read", "write"],
        "bearer_methods_supported": ["header"],
        "dpop_signing_alg_values_supported": ["ES256", "PS256", "RS256"],  # SPEC §2.6
    }


def test_protected_resource_scopes_are_the_ones_graphql_requires(db):
    required = set()
    object_types = [t for t in schema.graphql_schema.type_map.values() if isinstance(t, GraphQLObjectType)]
    for graphql_type in object_types:
        for field in graphql_type.fields.values():
            policy = (field.extensions or {}).get(POLICY)
            if policy is not None:
                required |= policy.scopes
    assert sorted(required) == document(RESOURCE_METADATA)["scopes_supported"]


def test_protected_resource_metadata_url_names_the_served_document(db):
    url = protected_resource_metadata_url(RequestFactory().get("/graphql"))
    assert url == "http://testserver/.well-known/oauth-protected-resource/graphql"
    assert document(url.removeprefix("http://testserver"))["resource"] == "http://testserver/graphql"


def test_authorization_servers_name_the_issuer_of_the_discovery_document(db):
    assert document(RESOURCE_METADATA)["authorization_servers"] == [document(DISCOVERY)["issuer"]]


RESOURCE_METADATA_PARAMETER = 'resource_metadata="http://testserver/.well-known/oauth-protected-resource/graphql"'


@pytest.mark.parametrize(
    "label, scopes, status, challenge",
    [
        ("no token", None, 401, 'Bearer realm="graphql"'),
        ("unknown token", "unknown", 401, 'Bearer error="invalid_token"'),
        ("token without the scope", "groups", 403, 'Bearer error="insufficient_scope", scope="read"'),
    ],
)
def test_graphql_challenges_name_the_protected_resource_metadata(
    graphql, alice, make_token, label, scopes, status, challenge
):
    # RFC 9728 §5.1: a client that meets the challenge finds where to get a token from this parameter.
    token = {None: None, "unknown": "not-a-token"}[scopes] if scopes in (None, "unknown") else make_token(alice, scopes)
    response = graphql("{ me { username } }", token=token)
    assert response.status == status
    header = response.headers["WWW-Authenticate"]
    assert header.startswith(challenge)
    assert header.endswith(", " + RESOURCE_METADATA_PARAMETER)


def test_server_metadata_lists_the_dpop_algorithms(db):
    for path in (SERVER_METADATA, DISCOVERY):
        assert document(path)["dpop_signing_alg_values_supported"] == ["ES256", "PS256", "RS256"]
