"""RFC 7662 introspection at /o/introspect/, with DOT's hole for client credentials closed."""

import calendar
import hashlib

from django.core.exceptions import ObjectDoesNotExist
from django.http import JsonResponse
from oauth2_provider import views as dot_views
from oauth2_provider.models import get_access_token_model
from oauthlib.common import Request as OauthlibRequest

from users import client_auth
from users.models import Application, DPoPBinding
from users.scopes import allowed_scopes_of
from users.scopes import effective as effective_scopes
from users.views.base import BASIC_CHALLENGE, OAuth2Endpoint, invalid_request, oauth_error

AccessToken = get_access_token_model()

NEEDS_CREDENTIALS = "Authenticate as a client or with a token holding 'introspection'."


def _binding_of(token) -> DPoPBinding | None:
    try:
        return token.dpop_binding  # loaded with the token (select_related)
    except ObjectDoesNotExist:
        return None


class IntrospectTokenView(OAuth2Endpoint, dot_views.IntrospectTokenView):
    """RFC 7662 introspection for callers holding the ``introspection`` scope only, by POST only.

    Stock DOT 3.4.1 lets any client that authenticates with its id and secret introspect any
    token (django-oauth-toolkit issue 1451): its scope check covers the bearer-token path only.
    Here a client authenticating with its credentials must be allowed ``introspection`` too.
    """

    def post(self, request, *args, **kwargs):
        credentials = self.credentials(request)
        if credentials.presented:  # HTTP Basic or a body secret: the caller is a client
            client = self.authenticated_client(request, credentials)
            if client is None:
                return self.error_response("invalid_client", NEEDS_CREDENTIALS)
            if "introspection" not in client.allowed_scope_set:
                return self.error_response("insufficient_scope", "This client may not introspect tokens.")
        else:
            valid, oauth_request = self.verify_request(request)  # a bearer token with required_scopes
            if not valid:
                return self.unauthenticated_response(oauth_request)
            if "introspection" not in oauth_request.scopes:  # the token's scopes its client still allows
                return self.error_response("insufficient_scope", NEEDS_CREDENTIALS)
        return self.get_token_response(request.POST.get("token"))

    def authenticated_client(self, request, credentials) -> Application | None:
        # The validator authenticates from the credentials our endpoint already read (users.client_auth).
        oauth_request = OauthlibRequest(
            request.build_absolute_uri(), "POST", headers={client_auth.ENVIRON_KEY: credentials}
        )
        if self.get_oauthlib_core().server.request_validator.authenticate_client(oauth_request):
            return oauth_request.client
        return None

    @staticmethod
    def get_token_response(token_value=None) -> JsonResponse:
        if token_value is None:
            return invalid_request("Token parameter is missing.")
        checksum = hashlib.sha256(token_value.encode("utf-8")).hexdigest()
        token = (
            AccessToken.objects.select_related("user", "application", "dpop_binding")
            .filter(token_checksum=checksum)
            .first()
        )
        # SPEC §2: a deactivated user's token is as dead as an unknown, expired or revoked one (DOT's
        # answer here checks only the token's expiry).
        if token is None or not token.is_valid() or (token.user is not None and not token.user.is_active):
            return JsonResponse({"active": False})
        # SPEC §2: the scopes the token holds now, cut down to what its client is allowed (as on /graphql).
        scope = " ".join(effective_scopes(token.scope, allowed_scopes_of(token.application)))
        data = {"active": True, "scope": scope, "exp": int(calendar.timegm(token.expires.timetuple()))}
        if token.application:
            data["client_id"] = token.application.client_id
        if token.user:
            data["username"] = token.user.get_username()
        if token.resource:  # RFC 8707 audiences, as DOT answers them
            data["aud"] = token.resource
        binding = _binding_of(token)
        if binding is not None:  # RFC 9449 §6.2: the key a resource server must see a proof of
            data["token_type"] = "DPoP"
            data["cnf"] = {"jkt": binding.jkt}
        return JsonResponse(data)

    def unauthenticated_response(self, oauthlib_request=None) -> JsonResponse:
        oauth2_error = getattr(oauthlib_request, "oauth2_error", None) or {}
        return self.error_response(oauth2_error.get("error", "invalid_client"), NEEDS_CREDENTIALS)

    @staticmethod
    def error_response(error: str, description: str) -> JsonResponse:
        response = oauth_error(error, description, 403 if error == "insufficient_scope" else 401)
        # RFC 7235 §3.1: a 401 carries a challenge, for the scheme the caller should use: HTTP Basic for a
        # client (RFC 6749 §5.2), Bearer for a token (RFC 6750 §3, which insufficient_scope gets too).
        if error == "invalid_client":
            response["WWW-Authenticate"] = BASIC_CHALLENGE
        elif error == "insufficient_scope":
            response["WWW-Authenticate"] = 'Bearer error="insufficient_scope", scope="introspection"'
        else:
            response["WWW-Authenticate"] = f'Bearer error="{error}"'
        return response
