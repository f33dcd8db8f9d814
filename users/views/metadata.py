"""Discovery documents: RFC 8414 server metadata, OpenID Connect discovery, RFC 9728 resource metadata.

One function builds the server's document, so /.well-known/oauth-authorization-server,
/.well-known/openid-configuration and DOT's /o/.well-known/openid-configuration cannot disagree (DOT
builds its two documents separately: different issuers, response types and auth methods). Each
document is served at its one exact path: no suffix is read from the request (SPEC §2.5).
"""

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from oauth2_provider.models import AbstractApplication, AbstractGrant
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views.metadata import bcp_filter_code_challenge_methods, bcp_filter_response_types

from users.dpop import ALGORITHMS as DPOP_ALGORITHMS
from users.grants import offered_grant_types
from users.issuer import issuer_url, protected_resource_url

# RFC 9728 §2: this server reads a bearer token from the Authorization header only (SPEC §3).
BEARER_METHODS = ["header"]
# The scopes /graphql's fields require (SPEC §4); tests/users/test_metadata.py checks them against the schema.
GRAPHQL_SCOPES = ["groups", "read", "write"]
# Introspection takes client credentials or a bearer token (users/views/introspect.py), never a bare id.
CONFIDENTIAL_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


def grant_types() -> list[str]:
    return list(offered_grant_types())  # what /o/token/ answers, the RFC 9700 gates applied (users/grants.py)


def server_metadata(request: HttpRequest) -> dict:
    issuer = issuer_url(request)

    def endpoint(name: str) -> str:
        return issuer + reverse(f"oauth2_provider:{name}")

    auth_methods = list(oauth2_settings.OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED)
    validator = oauth2_settings.OAUTH2_VALIDATOR_CLASS()
    return {
        "issuer": issuer,
        "authorization_endpoint": endpoint("authorize"),
        "token_endpoint": endpoint("token"),
        "revocation_endpoint": endpoint("revoke-token"),
        "introspection_endpoint": endpoint("introspect"),
        "device_authorization_endpoint": endpoint("device-authorization"),  # RFC 8628 §4
        "userinfo_endpoint": endpoint("user-info"),
        "jwks_uri": endpoint("jwks-info"),
        "scopes_supported": sorted(oauth2_settings.SCOPES_BACKEND_CLASS().get_available_scopes()),
        "response_types_supported": bcp_filter_response_types(oauth2_settings.OAUTH2_RESPONSE_TYPES_SUPPORTED),
        "response_modes_supported": ["query"],
        "grant_types_supported": grant_types(),
        "code_challenge_methods_supported": bcp_filter_code_challenge_methods(
            [method for method, _ in AbstractGrant.CODE_CHALLENGE_METHODS]
        ),
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": CONFIDENTIAL_AUTH_METHODS,
        "authorization_response_iss_parameter_supported": True,  # RFC 9207, COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS
        # OpenID Connect Discovery 1.0 §3; RFC 8414 §2 registers these names for OAuth metadata too.
        "subject_types_supported": ["public"],
        # users.models.Application derives RS256 for every client allowed openid; HS256 is never used.
        "id_token_signing_alg_values_supported": [AbstractApplication.RS256_ALGORITHM],
        "claims_supported": list(dict.fromkeys(validator.get_discovery_claims(request))),  # DOT lists sub twice
        "dpop_signing_alg_values_supported": list(DPOP_ALGORITHMS),  # RFC 9449 §5.1 (SPEC §2.6)
    }


def metadata_response(data: dict) -> JsonResponse:
    response = JsonResponse(data)
    # Public, credential-free documents: any web app may read them (as DOT serves them).
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    """RFC 8414 at /.well-known/oauth-authorization-server, OIDC discovery at both of its paths."""
    return metadata_response(server_metadata(request))


@require_GET
def protected_resource(request: HttpRequest) -> JsonResponse:
    """RFC 9728 for /graphql. DOT's stock view answers the origin's root path with the origin as the resource
    and no authorization server."""
    return metadata_response(
        {
            "resource": protected_resource_url(request),
            "authorization_servers": [issuer_url(request)],
            "scopes_supported": GRAPHQL_SCOPES,
            "bearer_methods_supported": BEARER_METHODS,
            "dpop_signing_alg_values_supported": list(DPOP_ALGORITHMS),  # RFC 9728 §2, RFC 9449 §5.1
        }
    )
