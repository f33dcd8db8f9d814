"""OpenID Connect userinfo at /o/userinfo/ (SPEC §2.5): DOT's view; the claims come from users.oauth2.Validator."""

from oauth2_provider import views as dot_views


class UserInfoView(dot_views.UserInfoView):
    def _create_userinfo_response(self, request):
        response = super()._create_userinfo_response(request)
        # DOT sends oauthlib's JSON error bodies as text/html; personal data is never cached (RFC 6750 §5.3).
        if response.status_code >= 400:
            response["Content-Type"] = "application/json"
        response["Cache-Control"] = "no-store"
        return response
