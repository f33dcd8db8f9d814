"""The device flow's two pages (SPEC §2.7, RFC 8628; the rules are users/device_flow.py).

- ``POST /o/device-authorization/`` (§3.1-3.2): a client names itself (and authenticates if it is
  confidential) and gets a device code and a user code. oauthlib validates the request (client, grant,
  scopes within the client's allowed ones) through DOT's backend; this view names the verification URI
  after the issuer, gives the codes SPEC's lifetime, and stores the grant with DOT's
  ``create_device_grant``. DOT's own view reads ``client_id`` from the body only (a 500 on HTTP Basic
  without it) and its server ignores ``expires_in`` (oauthlib's 1800 s).
- ``/o/device/`` (§3.3): a signed-in person types the code (case and dashes do not matter), sees the
  consent page of SPEC §2.4 and approves or denies. Every typed code counts as a failed sign-in (the
  counters of users/views/accounts.py, per address and per user) before it is looked up, and a right
  one gives its place back, so guessing is limited like passwords, however many guesses arrive at once.
"""

import json

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider.models import DeviceCodeResponse, DeviceRequest, create_device_grant
from oauth2_provider.scopes import get_scopes_backend
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.oauth2 import DeviceApplicationServer

from users import device_flow, throttle
from users.issuer import issuer_url
from users.models import Application
from users.secret_parameters import SECRET_PARAMETERS
from users.views import accounts
from users.views.base import BASIC_CHALLENGE, OAuth2Endpoint, oauth_error


class DeviceAuthorizationView(OAuth2Endpoint, OAuthLibMixin):
    """RFC 8628 §3.1: the client's first request; failed client logins are limited as at /o/token/."""

    @classmethod
    def get_server(cls):
        return DeviceApplicationServer(
            cls.get_validator_class()(),
            verification_uri="",  # named per request, after the issuer
            interval=device_flow.INTERVAL,
            user_code_generator=device_flow.new_user_code,
        )

    @method_decorator(sensitive_post_parameters(*SECRET_PARAMETERS))
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        credentials = self.credentials(request)
        if credentials.client_id and "client_id" not in request.POST:  # HTTP Basic: oauthlib reads the body
            request.POST = request.POST.copy()
            request.POST["client_id"] = credentials.client_id
        client_id = request.POST.get("client_id")
        if client_id and not Application.objects.filter(client_id=client_id).exists():
            # RFC 6749 §5.2 (RFC 8628 §3.2): an unknown client is invalid_client; oauthlib says invalid_request.
            credentials.failed = True
            response = oauth_error("invalid_client", "Unknown client.", 401)
            response["WWW-Authenticate"] = BASIC_CHALLENGE
            return response
        headers, body, status = self.create_device_authorization_response(request)
        if status != 200:
            response = JsonResponse(json.loads(body), status=status)
            for name, value in headers.items():
                response[name] = value
            if status == 401:
                response["WWW-Authenticate"] = BASIC_CHALLENGE
            return response
        verification_uri = issuer_url(request) + reverse("oauth2_provider:device")
        user_code = device_flow.display(body["user_code"])
        answer = {
            "device_code": body["device_code"],
            "user_code": user_code,
            "verification_uri": verification_uri,
            "verification_uri_complete": f"{verification_uri}?user_code={user_code}",
            "expires_in": device_flow.EXPIRES_IN,
            "interval": device_flow.INTERVAL,
        }
        create_device_grant(
            DeviceRequest(client_id=request.POST["client_id"], scope=body.get("scope")),
            DeviceCodeResponse(**{**answer, "user_code": body["user_code"]}),
        )
        response = JsonResponse(answer)
        response["Cache-Control"] = "no-store"
        return response


# --- the verification page ------------------------------------------------------------------------------


class UserCodeForm(forms.Form):
    user_code = forms.CharField(label="Code", max_length=32, strip=True)


class DeviceConsentForm(forms.Form):
    user_code = forms.CharField(widget=forms.HiddenInput, max_length=32)
    granted_scopes = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Allow")

    def __init__(self, *args, scopes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        descriptions = get_scopes_backend().get_all_scopes()
        self.fields["granted_scopes"].choices = [(scope, descriptions.get(scope, scope)) for scope in scopes]


def _page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, f"oauth2_provider/{template}", context, status=status)
    response["Content-Security-Policy"] = "frame-ancestors 'none'"  # SPEC §2.4, as users/views/authorization.py
    return response


@never_cache
@xframe_options_deny
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """/o/device/: type the code, then the consent page; both forms post here."""
    if request.method == "GET":
        typed = request.GET.get("user_code", "")
        return _page(request, "device_code.html", {"form": UserCodeForm(initial={"user_code": typed})})
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    form = UserCodeForm(request.POST)
    if not form.is_valid():
        return _page(request, "device_code.html", {"form": form}, status=400)
    try:
        place = accounts.take_device_code_place(request)
    except throttle.TooManyAttempts as refused:
        return accounts.too_many_attempts(request, refused.retry_after)
    grant = device_flow.pending(device_flow.normalise(form.cleaned_data["user_code"]))
    if grant is None:
        form.add_error("user_code", "That code is not valid, has expired or was already used. Check it and try again.")
        return _page(request, "device_code.html", {"form": form}, status=400)
    place.give_back()
    application = Application.objects.filter(client_id=grant.client_id).first()
    if application is None:
        form.add_error("user_code", "That code's app no longer exists.")
        return _page(request, "device_code.html", {"form": form}, status=400)
    scopes = grant.scope.split()
    consent = DeviceConsentForm(
        request.POST if "decide" in request.POST else None,
        initial={"user_code": device_flow.display(grant.user_code), "granted_scopes": scopes},
        scopes=scopes,
    )
    context = {"form": consent, "application": application}
    if "decide" not in request.POST:
        return _page(request, "device_consent.html", context)
    if not consent.is_valid():
        return _page(request, "device_consent.html", context, status=400)
    checked = set(consent.cleaned_data["granted_scopes"])
    granted = [scope for scope in scopes if scope in checked] if request.POST["decide"] == "allow" else []
    if not device_flow.decide(grant, request.user, granted):
        form.add_error("user_code", "That code was just used by someone else.")
        return _page(request, "device_code.html", {"form": form}, status=409)
    return _page(request, "device_done.html", {"application": application, "approved": bool(granted)})
