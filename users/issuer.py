"""The one issuer of this server and the URLs built on it (SPEC §2.5).

The issuer is ``ISSUER_URL`` when configured (production requires it), else the origin of the
request (development). It is never built from the request's path: DOT derives its OIDC issuer from
where its discovery view is mounted (origin + ``/o``) and its RFC 8414 issuer from any path suffix
after the well-known name, so each document could name a different issuer.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import Request as OAuthlibRequest

# RFC 9728 §3.1: the metadata of the resource https://host/graphql lives at this path of its origin.
PROTECTED_RESOURCE_PATH = "/graphql"
PROTECTED_RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource" + PROTECTED_RESOURCE_PATH


def issuer_url(request: HttpRequest | OAuthlibRequest) -> str:
    if settings.ISSUER_URL:
        return settings.ISSUER_URL
    if isinstance(request, OAuthlibRequest):
        # The token endpoint's oauthlib request: DOT rebuilds a Django request from its headers (scheme
        # included); its answer is origin + "/o", of which only the origin is ours.
        parts = urlsplit(oauth2_settings.oidc_issuer(request))
        return f"{parts.scheme}://{parts.netloc}"
    return request.build_absolute_uri("/").rstrip("/")


def protected_resource_url(request: HttpRequest) -> str:
    return issuer_url(request) + PROTECTED_RESOURCE_PATH


def protected_resource_metadata_url(request: HttpRequest) -> str:
    """What /graphql's 401 and 403 challenges name as ``resource_metadata`` (RFC 9728 §5.1)."""
    return issuer_url(request) + PROTECTED_RESOURCE_METADATA_PATH
