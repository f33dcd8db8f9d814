"""OAuth2 client management (staff only) and the introspection endpoint with its hole closed."""

import base64
import binascii
from urllib.parse import unquote_plus

from django import forms
from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import SuspiciousOperation
from django.forms.models import modelform_factory
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import View
from oauth2_provider import views as dot_views
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauthlib.common import Request as OauthlibRequest

from users import throttle
from users.models import Application

EDITABLE_FIELDS = (
    "name",
    "client_type",
    "authorization_grant_type",
    "allowed_scopes",
    "redirect_uris",
    "post_logout_redirect_uris",
    "allowed_origins",
    "skip_authorization",
)
# The grants SPEC §2 offers; implicit, hybrid and device code are not registrable.
OFFERED_GRANTS = (
    Application.GRANT_AUTHORIZATION_CODE,
    Application.GRANT_PASSWORD,
    Application.GRANT_CLIENT_CREDENTIALS,
)


class ApplicationForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grant = self.fields["authorization_grant_type"]
        grant.choices = [(value, label) for value, label in grant.choices if value in OFFERED_GRANTS]


ApplicationFormClass = modelform_factory(Application, form=ApplicationForm, fields=EDITABLE_FIELDS)


class StaffOnlyMixin(UserPassesTestMixin):
    """Signed-out people go to the login page; signed-in non-staff get 403 (SPEC §2.3)."""

    def test_func(self) -> bool:
        return self.request.user.is_staff

    def get_queryset(self):
        return Application.objects.order_by("name")


class ApplicationList(StaffOnlyMixin, dot_views.ApplicationList):
    pass


class ApplicationDetail(StaffOnlyMixin, dot_views.ApplicationDetail):
    pass


class ApplicationDelete(StaffOnlyMixin, dot_views.ApplicationDelete):
    pass


class ApplicationUpdate(StaffOnlyMixin, dot_views.ApplicationUpdate):
    def get_form_class(self):
        return ApplicationFormClass


@method_decorator(never_cache, name="dispatch")
class ApplicationRegistration(StaffOnlyMixin, dot_views.ApplicationRegistration):
    """The server generates the secret and shows it once, on the response to the creation."""

    def get_form_class(self):
        return ApplicationFormClass

    def form_valid(self, form):
        secret = generate_client_secret()
        form.instance.user = self.request.user
        form.instance.client_secret = secret
        form.instance.hash_client_secret = True
        application = form.save()
        return render(
            self.request,
            "oauth2_provider/application_created.html",
            {"application": application, "client_secret": secret},
            status=201,
        )


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


# SPEC §2's grants at /o/token/ (the authorization code's second leg included). DOT would also route
# the device grant, and answer 500 for an unknown device code.
OFFERED_GRANT_TYPES = ("authorization_code", "password", "client_credentials", "refresh_token")


def oauth_error(error: str, description: str, status: int) -> JsonResponse:
    """RFC 6749 §5.2's error body."""
    return JsonResponse({"error": error, "error_description": description}, status=status)


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
