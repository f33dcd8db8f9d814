"""The built-in GraphiQL client (SPEC §7.1): its id, scopes, and the one redirect URI it may use.

Its redirect URI is this server's own origin plus /graphql/callback on whatever host the request
reached, so a stored list cannot express it: users.oauth2.Validator asks ``graphiql_redirect_allowed``
instead of the client's ``redirect_uris`` (which holds the development URI, for people to read).
"""

from django.http import HttpRequest
from oauthlib.common import Request as OAuthlibRequest

GRAPHIQL_CLIENT_ID = "graphiql"
GRAPHIQL_CALLBACK_PATH = "/graphql/callback"
GRAPHIQL_SCOPES = ("read", "write", "groups")


def own_origin(request: HttpRequest | OAuthlibRequest) -> str:
    """scheme://host of this request; the host is checked against ALLOWED_HOSTS by get_host()."""
    if isinstance(request, OAuthlibRequest):
        # DOT hands oauthlib a copy of the Django request's META as headers, with this marker when
        # request.is_secure() (which honours SECURE_PROXY_SSL_HEADER): oauth2_backends.extract_headers.
        django_request = HttpRequest()
        django_request.META = request.headers
        scheme = "https" if request.headers.get("X_DJANGO_OAUTH_TOOLKIT_SECURE") else "http"
        return f"{scheme}://{django_request.get_host()}"
    return f"{request.scheme}://{request.get_host()}"


def graphiql_redirect_uri(request: HttpRequest | OAuthlibRequest) -> str:
    return own_origin(request) + GRAPHIQL_CALLBACK_PATH


def graphiql_redirect_allowed(redirect_uri: str, request: OAuthlibRequest) -> bool:
    return redirect_uri == graphiql_redirect_uri(request)
