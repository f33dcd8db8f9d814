"""The token endpoint at /o/token/: DOT's, with failed-login limits and JSON for every answer."""

import base64
import binascii
from urllib.parse import unquote_plus

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider import views as dot_views

from users import throttle
from users.views.base import oauth_error

# SPEC §2's grants at /o/token/ (the authorization code's second leg included). DOT would also route
# the device grant, and answer 500 for an unknown device code.
OFFERED_GRANT_TYPES = ("authorization_code", "password", "client_credentials", "refresh_token")


def client_id_of(request) -> str | None:
    """The client id a token request names, from HTTP Basic or the body, without verifying it."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        return unquote_plus(decoded.split(":", 1)[0])
    return request.POST.get("client_id")


def has_nul(request, client_id: str | None) -> bool:
    """NUL bytes in a parameter: PostgreSQL refuses them in text columns (a DataError, a 500 in DOT)."""
    values = [client_id or "", *(v for values in request.POST.lists() for v in values[1])]
    return any("\x00" in value for value in values)


def is_failed_login(request, response) -> bool:
    if response.status_code == 401:
        return True  # invalid_client
    if response.status_code == 400 and request.POST.get("grant_type") == "password":
        return b'"invalid_grant"' in response.content
    return False


@method_decorator(csrf_exempt, name="dispatch")
class TokenView(dot_views.TokenView):
    """DOT's token endpoint, with failed-login limits and JSON for every answer (RFC 6749 §5.2)."""

    def post(self, request, *args, **kwargs):
        client_id, address = client_id_of(request), throttle.client_address(request)
        try:
            refusal = self.refusal(request, client_id, address)
        except SuspiciousOperation:  # Django's request limits: body size, number of fields
            refusal = oauth_error("invalid_request", "The request is too large.", 400)
        if refusal is not None:
            return refusal
        response = self.token_response(request)
        if is_failed_login(request, response):
            throttle.record_failure(client_id, address)
        return response

    @staticmethod
    def refusal(request, client_id: str | None, address: str) -> JsonResponse | None:
        """The answer to a request refused before any authentication, or None."""
        if has_nul(request, client_id):
            return oauth_error("invalid_request", "Parameters may not contain NUL characters.", 400)
        wait = throttle.retry_after(client_id, address)
        if wait is not None:
            response = oauth_error("too_many_requests", f"Too many failed attempts; retry in {wait} s.", 429)
            response["Retry-After"] = str(wait)
            return response
        if request.POST.get("grant_type") not in OFFERED_GRANT_TYPES:
            return oauth_error("unsupported_grant_type", "Use one of: " + ", ".join(OFFERED_GRANT_TYPES), 400)
        return None

    @method_decorator(sensitive_post_parameters("password", "client_secret"))
    def token_response(self, request) -> HttpResponse:
        # DOT's post() also routes the device grant (which no client here may use, and which raises
        # KeyError without a device_code), and after a success reads the new token back for the
        # app_authorized signal, one more query that nothing here listens to.
        url, headers, body, status = self.create_token_response(request)
        response = HttpResponse(body, status=status, content_type="application/json")
        for name, value in headers.items():
            response[name] = value
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = oauth_error("invalid_request", "Use POST.", 405)
        response["Allow"] = "POST"
        return response
