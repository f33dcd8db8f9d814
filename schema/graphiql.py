"""GraphiQL at GET /graphql (SPEC §7.1) and its OAuth2 redirect page at /graphql/callback.

Everything the page loads is a static file of this app (schema/static/graphiql/, the libraries under
vendor/ rebuilt by frontend/vendor.mjs), so the page works offline and under a strict CSP: no inline
script, no other origin. The sign-in runs in the browser (graphiql.js) against the built-in public
client ``graphiql`` (users/migrations/0002_graphiql_client.py).
"""

import secrets

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from oauth2_provider.settings import oauth2_settings

from users.builtin_clients import GRAPHIQL_CLIENT_ID, GRAPHIQL_SCOPES, graphiql_redirect_uri
from users.issuer import issuer_url


# default-src 'self' covers scripts, styles, fetch and workers. GraphiQL's stylesheet embeds its fonts
# and a few icons as data: URIs (it is vendored untouched), so fonts and images also allow data:;
# data: is not another origin, nothing is fetched. No 'unsafe-inline' anywhere: React and CodeMirror
# set styles through the CSSOM, which style-src does not govern, and the one <style> element GraphiQL
# injects (react-remove-scroll, when a dialog opens) carries the nonce it reads from __webpack_nonce__.
def content_security_policy(style_nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"style-src 'self' 'nonce-{style_nonce}'",
            "font-src 'self' data:",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def graphiql_enabled() -> bool:
    return settings.GRAPHIQL_ENABLED


def page_config(request: HttpRequest) -> dict:
    return {
        "clientId": GRAPHIQL_CLIENT_ID,
        "graphqlUrl": reverse("graphql"),
        "authorizeUrl": reverse("oauth2_provider:authorize"),
        "tokenUrl": reverse("oauth2_provider:token"),
        "revokeUrl": reverse("oauth2_provider:revoke-token"),
        # Sign out ends the session too (SPEC §7.1): a POST to Django's logout view with this CSRF token.
        "logoutUrl": reverse("logout"),
        "csrfToken": get_token(request),
        "redirectUri": graphiql_redirect_uri(request),
        "issuer": issuer_url(request),  # RFC 9207: the callback refuses a response another server issued
        "publicIntrospection": settings.GRAPHQL_PUBLIC_INTROSPECTION,
    }


def strict_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    if not graphiql_enabled():
        raise Http404("GraphiQL is off (GRAPHIQL_ENABLED).")
    style_nonce = secrets.token_urlsafe(16)
    config = {**page_config(request), "styleNonce": style_nonce}
    response = render(request, template, {"config": config, **context})
    response["Content-Security-Policy"] = content_security_policy(style_nonce)
    response["Referrer-Policy"] = "no-referrer"  # the callback URL carries a code
    return response


@never_cache
def graphiql_page(request: HttpRequest) -> HttpResponse:
    """GraphiQL itself; schema.view routes GET /graphql here when a browser asks for HTML."""
    scopes = [(name, oauth2_settings.SCOPES[name]) for name in GRAPHIQL_SCOPES]
    return strict_page(request, "graphiql/page.html", {"scopes": scopes})


@never_cache
def graphiql_callback(request: HttpRequest) -> HttpResponse:
    """Where /o/authorize/ sends the browser back; callback.js checks state and exchanges the code."""
    return strict_page(request, "graphiql/callback.html", {})
