"""OpenID Connect userinfo at /o/userinfo/ (SPEC §2.5): DOT's view; the claims come from users.oauth2.Validator."""

from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views as dot_views

from users.views.base import (
    TOKEN_IN_HEADER_ONLY,
    body_refusal,
    invalid_request,
    oauth_error,
    server_error,
    token_outside_header,
)


@method_decorator(csrf_exempt, name="dispatch")  # a bearer-token endpoint, as DOT's: cookies carry no authority
class UserInfoView(dot_views.UserInfoView):
    http_method_names = ["get", "post", "options"]

    def dispatch(self, request, *args, **kwargs):
        # Every answer JSON (SPEC: never an HTML error page): a POST body Django cannot parse (a multipart
        # body without a boundary) was a 400 page, anything unexpected a 500 page.
        try:
            if request.method == "POST":
                refusal = body_refusal(request)
                if refusal is not None:
                    return invalid_request(refusal)
            if token_outside_header(request):
                return invalid_request(TOKEN_IN_HEADER_ONLY)
            return super().dispatch(request, *args, **kwargs)
        except Exception:
            return server_error(request)

    def _create_userinfo_response(self, request):
        response = super()._create_userinfo_response(request)
        # DOT sends oauthlib's JSON error bodies as text/html; personal data is never cached (RFC 6750 §5.3).
        if response.status_code >= 400:
            response["Content-Type"] = "application/json"
        response["Cache-Control"] = "no-store"
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = oauth_error("invalid_request", "Use GET or POST.", 405)
        response["Allow"] = "GET, POST"
        return response
