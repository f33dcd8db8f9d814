"""OpenID Connect userinfo at /o/userinfo/ (SPEC §2.5): DOT's view; the claims come from users.oauth2.Validator."""

import hashlib
import re

from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views as dot_views
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.openid import Server

from users import dpop
from users.models import DPoPBinding
from users.views.base import (
    TOKEN_IN_HEADER_ONLY,
    body_refusal,
    invalid_request,
    oauth_error,
    server_error,
    token_outside_header,
)

# RFC 6750 §3: every refusal of a bearer token challenges, a 403 included (oauthlib challenges only 401s).
INSUFFICIENT_SCOPE = (
    'Bearer error="insufficient_scope", error_description="The access token does not hold the openid scope.",'
    ' scope="openid"'
)


# RFC 6750 §2.1 / RFC 9449 §7.1: the two schemes a token may come in (token68 syntax).
AUTHORIZATION = re.compile(r"(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)
DPOP_CHALLENGE = 'DPoP error="{error}", algs="' + dpop.CHALLENGE_ALGS + '"'


def sender_refusal(request) -> JsonResponse | None:
    """SPEC §2.6, as on /graphql: a bound token only as DPoP with a proof of its key, an unbound one only as
    Bearer. A DPoP token is then handed to DOT as a bearer token; None when the request may go on."""
    match = AUTHORIZATION.fullmatch(request.META.get("HTTP_AUTHORIZATION", "").strip())
    if match is None:
        return None  # no token, or a malformed header: DOT's answer
    scheme, token = match.groups()
    checksum = hashlib.sha256(token.encode()).hexdigest()
    jkt = DPoPBinding.objects.filter(access_token__token_checksum=checksum).values_list("jkt", flat=True).first()
    try:
        dpop.check_presentation(request, scheme, token, jkt)
    except dpop.WrongScheme as refused:
        response = oauth_error("invalid_token", str(refused), 401)
        response["WWW-Authenticate"] = f'{"Bearer" if scheme.lower() == "bearer" else "DPoP"} error="invalid_token"'
        return response
    except dpop.InvalidProof as refused:
        response = oauth_error(refused.error, str(refused), 401)
        response["WWW-Authenticate"] = DPOP_CHALLENGE.format(error=refused.error)
        if isinstance(refused, dpop.NonceRequired):
            response[dpop.NONCE_HEADER] = dpop.current_nonce()
        return response
    request.META["HTTP_AUTHORIZATION"] = f"Bearer {token}"  # oauthlib reads the Bearer scheme only
    return None


class UserInfoServer(Server):
    """oauthlib asks the validator for a token holding `openid`, so a live token without it was refused
    as unknown (401 invalid_token) and strict clients discarded a token that still works at /graphql.
    The token is checked alone here, then its scopes: RFC 6750 §3.1's 403 insufficient_scope."""

    def validate_userinfo_request(self, request):
        request.scopes = []  # what the token must hold beyond being live: nothing, here
        if not self.bearer.validate_request(request):
            raise errors.InvalidTokenError()
        if "openid" not in request.scopes:  # the token's scopes that its client is still allowed (Validator)
            raise errors.InsufficientScopeError()


def has_body(request) -> bool:
    """A bodyless POST (what Authlib sends) has no Content-Type; Django's development server reports that
    as text/plain (wsgiref's default), gunicorn as none: either way there is no body to refuse (issue 17)."""
    return request.META.get("CONTENT_LENGTH", "") not in ("", "0")


@method_decorator(csrf_exempt, name="dispatch")  # a bearer-token endpoint, as DOT's: cookies carry no authority
class UserInfoView(dot_views.UserInfoView):
    http_method_names = ["get", "post", "options"]
    server_class = UserInfoServer

    def dispatch(self, request, *args, **kwargs):
        # Every answer JSON (SPEC: never an HTML error page): a POST body Django cannot parse (a multipart
        # body without a boundary) was a 400 page, anything unexpected a 500 page.
        try:
            if request.method == "POST" and has_body(request):
                refusal = body_refusal(request)
                if refusal is not None:
                    return invalid_request(refusal)
            if token_outside_header(request):
                return invalid_request(TOKEN_IN_HEADER_ONLY)
            if request.method != "OPTIONS":
                refusal = sender_refusal(request)
                if refusal is not None:
                    return refusal
            return super().dispatch(request, *args, **kwargs)
        except Exception:
            return server_error(request)

    def _create_userinfo_response(self, request):
        response = super()._create_userinfo_response(request)
        # DOT sends oauthlib's JSON error bodies as text/html; personal data is never cached (RFC 6750 §5.3).
        if response.status_code >= 400:
            response["Content-Type"] = "application/json"
        if response.status_code == 403:
            response["WWW-Authenticate"] = INSUFFICIENT_SCOPE
        response["Cache-Control"] = "no-store"
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = oauth_error("invalid_request", "Use GET or POST.", 405)
        response["Allow"] = "GET, POST"
        return response
