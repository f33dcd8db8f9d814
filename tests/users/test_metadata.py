"""SPEC §2: RFC 8414 server metadata at /.well-known/oauth-authorization-server."""

from django.test import Client


def test_metadata_lists_the_endpoints(db):
    response = Client().get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["issuer"] == "http://testserver"
    assert body["authorization_endpoint"] == "http://testserver/o/authorize/"
    assert body["token_endpoint"] == "http://testserver/o/token/"
    assert body["revocation_endpoint"] == "http://testserver/o/revoke_token/"
    assert body["introspection_endpoint"] == "http://testserver/o/introspect/"


def test_metadata_advertises_the_grants_without_implicit(db):
    body = Client().get("/.well-known/oauth-authorization-server").json()
    assert body["grant_types_supported"] == ["authorization_code", "password", "client_credentials", "refresh_token"]
    assert body["response_types_supported"] == ["code"]


def test_metadata_advertises_s256_only_and_the_scopes(db):
    body = Client().get("/.well-known/oauth-authorization-server").json()
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["scopes_supported"] == ["groups", "introspection", "read", "write"]
