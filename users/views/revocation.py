"""RFC 7009 revocation at /o/revoke_token/: DOT's, behind the checks every OAuth2 endpoint of ours shares."""

from oauth2_provider import views as dot_views

from users.views.base import OAuth2Endpoint, oauthlib_response


class RevokeTokenView(OAuth2Endpoint, dot_views.RevokeTokenView):
    def post(self, request, *args, **kwargs):
        url, headers, body, status = self.create_revocation_response(request)
        return oauthlib_response(headers, body, status)
