"""The authorization endpoint at /o/authorize/: DOT's, with partial consent and its gaps closed.

- The consent page has a checkbox per requested scope, all checked; the code holds only the
  checked ones, and none checked is a denial (SPEC §2.4).
- A person is asked every time, unless they tick "remember" on the consent page; then a request
  for those scopes or fewer gets its code without the page until they forget the client on the
  authorized-apps page (users/consents.py). DOT's ``approval_prompt=auto`` (approve silently when
  a live token covers the scopes) is ignored; ``prompt=consent`` always shows the page.
- PKCE is S256 with a well-formed challenge (RFC 7636 §4.2), checked before the consent page is
  shown: oauthlib takes an absent method as ``plain`` and any challenge string, and DOT refuses
  ``plain`` only when the approved form comes back.
- Every redirect to the client carries ``iss`` (RFC 9207): DOT adds it to successful responses only.
- Whether the request named a ``redirect_uri`` is passed on to the code (RFC 6749 §4.1.3; see
  users/code_grant.py): DOT's form always carries the effective one.
- ``dpop_jkt`` (RFC 9449 §10) binds the code to a key (users/token_binding.py); it is checked like PKCE.
- Nothing here is cached or framed (SPEC §2.4): the page holds a CSRF token and an Authorize button.
"""

import re
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.forms import AllowForm
from oauth2_provider.oauth2_backends import _add_iss_to_redirect  # the one DOT uses on success
from oauth2_provider.scopes import get_scopes_backend
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749 import errors

from users import consents
from users.models import Application
from users.token_binding import JKT

# RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters; the ABNF allows 43-128 unreserved ones.
CODE_CHALLENGE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def pkce_problem(challenge: str | None, method: str | None) -> str | None:
    """Why a request's PKCE parameters are refused, or None. A missing challenge is oauthlib's to refuse."""
    if challenge is None:
        return None
    if method != "S256":
        return 'code_challenge_method must be "S256" (the default, "plain", is not accepted).'
    if not CODE_CHALLENGE.fullmatch(challenge):
        return "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.2)."
    return None


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


class ScopeChoices(forms.MultipleChoiceField):
    def validate(self, value):
        pass  # a value that was never offered is dropped in ConsentForm.clean, not an error page


class ConsentForm(AllowForm):
    granted_scopes = ScopeChoices(required=False, widget=forms.CheckboxSelectMultiple, label="Allow")
    # Set when the authorization request named no redirect_uri (absent: it did, the stricter reading).
    # The person approving could set it, but only to loosen the binding of their own code.
    redirect_uri_absent = forms.BooleanField(required=False, widget=forms.HiddenInput)
    remember = forms.BooleanField(required=False, initial=False, label="Remember my choice for this app")
    dpop_jkt = forms.CharField(required=False, widget=forms.HiddenInput)  # RFC 9449 §10, passed on to the code

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        requested = (self.data.get("scope") if self.is_bound else self.initial.get("scope")) or ""
        descriptions = get_scopes_backend().get_all_scopes()
        self.fields["granted_scopes"].choices = [
            (scope, descriptions[scope]) for scope in requested.split() if scope in descriptions
        ]

    def clean(self):
        cleaned = super().clean()
        requested = (cleaned.get("scope") or "").split()
        checked = set(cleaned.get("granted_scopes") or ())
        cleaned["granted_scopes"] = [scope for scope in requested if scope in checked]
        return cleaned


@method_decorator([never_cache, xframe_options_deny], name="dispatch")
class AuthorizationView(dot_views.AuthorizationView):
    template_name = "oauth2_provider/authorize.html"
    form_class = ConsentForm

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        # X-Frame-Options for old browsers, CSP frame-ancestors for the rest (it wins where both exist).
        policies = [p for p in response.get("Content-Security-Policy", "").split(";") if p.strip()]
        if not any(p.split()[0] == "frame-ancestors" for p in policies):
            response["Content-Security-Policy"] = "; ".join([*policies, "frame-ancestors 'none'"])
        return response

    def get_initial(self):
        initial = super().get_initial()
        initial["granted_scopes"] = initial["scope"].split()  # every box checked (SPEC §2.4)
        initial["redirect_uri_absent"] = "redirect_uri" not in self.request.GET
        initial["dpop_jkt"] = self.request.GET.get("dpop_jkt", "")
        return initial

    def get(self, request, *args, **kwargs):
        # DOT's approval_prompt=auto approves silently whenever a live token covers the scopes: holding a
        # token is not the person's choice to be asked no more (users/consents.py). DOT reads it from GET.
        if "approval_prompt" in request.GET:
            request.GET = request.GET.copy()
            del request.GET["approval_prompt"]
        return super().get(request, *args, **kwargs)

    def validate_authorization_request(self, request):
        scopes, credentials = super().validate_authorization_request(request)
        self.refuse_bad_pkce(credentials, credentials.get("request"))
        self.refuse_bad_dpop_jkt(self.request.GET.get("dpop_jkt"), credentials, credentials.get("request"))
        self.validated = credentials  # DOT's get() completes this dict before it renders the consent page
        return scopes, credentials

    def render_to_response(self, context, **kwargs):
        # DOT's get() ends here when consent is needed (an error page has "error", a refused form is a POST).
        if self.request.method == "GET" and "form" in context and "error" not in context:
            application, scopes = context["application"], context["scopes"]
            prompt = self.request.GET.get("prompt", "").split()
            if "consent" not in prompt and consents.remembered_covers(self.request.user, application, scopes):
                try:
                    uri, _, _, _ = self.create_authorization_response(
                        self.request, " ".join(scopes), self.validated, allow=True
                    )
                except OAuthToolkitError as error:
                    return self.error_response(error, application)
                return self.redirect(uri, application)
        return super().render_to_response(context, **kwargs)

    def form_valid(self, form):
        granted = form.cleaned_data["granted_scopes"]
        if granted:
            form.cleaned_data["scope"] = " ".join(granted)
        else:  # nothing left to allow: the same answer as Cancel
            form.cleaned_data["allow"] = False
        self.redirect_uri_given = not form.cleaned_data["redirect_uri_absent"]
        self.dpop_jkt = form.cleaned_data["dpop_jkt"]
        response = super().form_valid(form)
        if granted and form.cleaned_data["remember"] and "code" in query_of(response.get("Location", "")):
            application = Application.objects.get(client_id=form.cleaned_data["client_id"])
            consents.remember(self.request.user, application, granted)
        return response

    def create_authorization_response(self, request, scopes, credentials, allow):
        # Reached from the approved form (POST) and from GET when no consent is needed (skip_authorization,
        # a remembered client); the form's hidden fields are the client's parameters again, so check again.
        self.refuse_bad_pkce(credentials)
        credentials["redirect_uri_given"] = getattr(self, "redirect_uri_given", "redirect_uri" in request.GET)
        credentials["dpop_jkt"] = getattr(self, "dpop_jkt", request.GET.get("dpop_jkt")) or None
        self.refuse_bad_dpop_jkt(credentials["dpop_jkt"], credentials)
        return super().create_authorization_response(request, scopes, credentials, allow)

    @staticmethod
    def refuse_bad_pkce(credentials: dict, oauthlib_request=None) -> None:
        problem = pkce_problem(credentials.get("code_challenge"), credentials.get("code_challenge_method"))
        if problem:
            error = errors.InvalidRequestError(
                description=problem, state=credentials.get("state"), request=oauthlib_request
            )
            raise OAuthToolkitError(error=error, redirect_uri=credentials["redirect_uri"])

    @staticmethod
    def refuse_bad_dpop_jkt(jkt: str | None, credentials: dict, oauthlib_request=None) -> None:
        if jkt is not None and not JKT.fullmatch(jkt):
            problem = "dpop_jkt must be a key's RFC 7638 SHA-256 thumbprint, base64url (RFC 9449 §10)."
            error = errors.InvalidRequestError(
                description=problem, state=credentials.get("state"), request=oauthlib_request
            )
            raise OAuthToolkitError(error=error, redirect_uri=credentials["redirect_uri"])

    def redirect(self, redirect_to, application):
        # RFC 9207 §2: every authorization response, errors included (DOT: successes only), with the
        # issuer DOT names on successes.
        issuer = oauth2_settings.oauth2_authorization_server_issuer(self.request)
        return super().redirect(_add_iss_to_redirect(redirect_to, issuer), application)
