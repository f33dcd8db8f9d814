"""The token endpoint at /o/token/: DOT's, with failed-login limits and JSON for every answer."""

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider import views as dot_views

from users import client_auth, dpop, token_binding
from users.grants import offered_grant_types
from users.issuer import issuer_url
from users.secret_parameters import SECRET_PARAMETERS
from users.views.base import OAuth2Endpoint, oauth_error, oauthlib_response


def client_id_of(request) -> str | None:
    """The client id the request named, as our endpoints read it (None before they did, or if it named none)."""
    reading = request.META.get(client_auth.ENVIRON_KEY)
    return reading.client_id if reading is not None else None


class TokenView(OAuth2Endpoint, dot_views.TokenView):
    """DOT's token endpoint, with failed-login limits and JSON for every answer (RFC 6749 §5.2)."""

    def post(self, request, *args, **kwargs):
        # Failed-login limits: OAuth2Endpoint, for every endpoint that checks a secret.
        offered = offered_grant_types()
        if request.POST.get("grant_type") not in offered:
            return oauth_error("unsupported_grant_type", "Use one of: " + ", ".join(offered), 400)
        return self.token_response(request)

    @method_decorator(sensitive_post_parameters(*SECRET_PARAMETERS))
    def token_response(self, request) -> HttpResponse:
        # DOT's post() also routes the device grant (which no client here may use, and which raises
        # KeyError without a device_code), and after a success reads the new token back for the
        # app_authorized signal, one more query that nothing here listens to.
        try:
            read_proof(request)
        except dpop.InvalidProof as refused:
            response = oauth_error(refused.error, str(refused), 400)
        else:
            url, headers, body, status = self.create_token_response(request)
            response = oauthlib_response(headers, body, status)
        if dpop.nonce_required():  # RFC 9449 §8: the nonce the next proof must carry
            response[dpop.NONCE_HEADER] = dpop.current_nonce()
        return response


def read_proof(request) -> None:
    """RFC 9449 §5: a DPoP header's proof, verified for this endpoint; its key's thumbprint is left for the
    validator (users/token_binding.py), which binds what it issues to it."""
    proof = request.META.get(dpop.HEADER)
    if proof is not None:
        url = issuer_url(request) + request.path
        request.META[token_binding.ENVIRON_KEY] = dpop.verify(proof, method="POST", url=url).jkt
