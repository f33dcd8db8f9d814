"""RFC 7662 introspection at /o/introspect/, with DOT's hole for client credentials closed."""

from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from oauth2_provider import views as dot_views
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauthlib.common import Request as OauthlibRequest

from users.models import Application
from users.views.base import oauth_error


@method_decorator(csrf_exempt, name="dispatch")  # a machine endpoint: client credentials, no cookies
class IntrospectTokenView(dot_views.IntrospectTokenView):
    """RFC 7662 introspection for callers holding the ``introspection`` scope only.

    Stock DOT 3.4.1 lets any client that authenticates with its id and secret introspect any
    token (django-oauth-toolkit issue 1451): its scope check covers the bearer-token path only.
    Here a client authenticating with its credentials must be allowed ``introspection`` too.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.method.upper() == "OPTIONS":
            return View.dispatch(self, request, *args, **kwargs)
        client = self.authenticated_client(request)
        if client is not None:
            if "introspection" not in client.allowed_scope_set:
                return self.error_response("insufficient_scope", "This client may not introspect tokens.")
            return View.dispatch(self, request, *args, **kwargs)
        valid, oauth_request = self.verify_request(request)  # a bearer token with required_scopes
        if not valid:
            return self.unauthenticated_response(request, oauth_request)
        return View.dispatch(self, request, *args, **kwargs)

    @staticmethod
    def authenticated_client(request) -> Application | None:
        core = get_oauthlib_core()
        oauth_request = OauthlibRequest(*core._extract_params(request))
        if core.server.request_validator.authenticate_client(oauth_request):
            return oauth_request.client
        return None

    def unauthenticated_response(self, request, oauthlib_request=None):
        oauth2_error = getattr(oauthlib_request, "oauth2_error", None) or {}
        error = oauth2_error.get("error", "invalid_client")
        return self.error_response(error, "Authenticate as a client or with a token holding 'introspection'.")

    @staticmethod
    def error_response(error: str, description: str) -> JsonResponse:
        response = oauth_error(error, description, 403 if error == "insufficient_scope" else 401)
        # RFC 7235 §3.1: a 401 carries a challenge; RFC 6750 §3: so does insufficient_scope.
        challenge = f'Bearer error="{error}"'
        if error == "insufficient_scope":
            challenge += ', scope="introspection"'
        response["WWW-Authenticate"] = challenge
        return response
