"""Tokens bound to a key (SPEC §2.6, RFC 9449): what users.oauth2.Validator adds to DOT's issuing.

The token endpoint verified the request's proof (users/dpop.py) and left the key's thumbprint in the
request (``ENVIRON_KEY``, which DOT copies into oauthlib's headers). Here:

- a client with ``require_dpop`` that sent no proof is refused (``invalid_request``);
- access tokens issued with a proof are bound to its key, ``token_type: DPoP`` (RFC 9449 §5);
- a public client's refresh tokens are bound too (§5: a public client's refresh token MUST be), and
  refreshing them needs a proof with the same key (else ``invalid_grant``); a confidential client's
  refresh tokens are bound to its authentication instead, as §5 allows;
- an authorization request's ``dpop_jkt`` binds its code; the exchange needs a proof with that key (§10).
"""

import re

from oauthlib.oauth2.rfc6749 import errors

from users.models import DPoPBinding

ENVIRON_KEY = "users.dpop_jkt"
JKT = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url of a SHA-256 (RFC 7638)


class InvalidDPoPProofError(errors.OAuth2Error):
    error = "invalid_dpop_proof"  # RFC 9449 §5 (error registered in §12.2)
    status_code = 400


def presented_jkt(request) -> str | None:
    """The thumbprint of the key that signed this token request's proof, or None without a proof."""
    return request.headers.get(ENVIRON_KEY)


class TokenBindingRules:
    """Mixed into users.oauth2.Validator ahead of DOT's OAuth2Validator."""

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        # Every grant passes here once its client is known (authenticated or identified).
        if getattr(client, "require_dpop", False) and presented_jkt(request) is None:
            raise errors.InvalidRequestError(
                description="This client must send a DPoP proof (RFC 9449): its tokens are bound to a key.",
                request=request,
            )
        return super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs)

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        bound = DPoPBinding.objects.filter(grant=request.code_grant).values_list("jkt", flat=True).first()
        if bound is not None and bound != presented_jkt(request):
            raise InvalidDPoPProofError(
                description="The code is bound to the key named by dpop_jkt: sign the proof with it (RFC 9449 §10).",
                request=request,
            )
        return True

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        instance = request.refresh_token_instance
        bound = DPoPBinding.objects.filter(refresh_token=instance).values_list("jkt", flat=True).first()
        return bound is None or bound == presented_jkt(request)

    def _create_authorization_code(self, request, code, expires=None):
        grant = super()._create_authorization_code(request, code, expires)
        jkt = getattr(request, "dpop_jkt", None)  # set by users.views.authorization from the request
        if jkt:
            DPoPBinding.objects.create(grant=grant, jkt=jkt)
        return grant

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        jkt = presented_jkt(request)
        if jkt is not None:
            DPoPBinding.objects.create(access_token=access_token, jkt=jkt)
            token["token_type"] = "DPoP"  # the response oauthlib sends (RFC 9449 §5)
        return access_token

    def _create_refresh_token(self, request, refresh_token_code, access_token, previous_refresh_token):
        refresh_token = super()._create_refresh_token(request, refresh_token_code, access_token, previous_refresh_token)
        jkt = presented_jkt(request)
        if jkt is not None and request.client.client_type == request.client.CLIENT_PUBLIC:
            DPoPBinding.objects.create(refresh_token=refresh_token, jkt=jkt)
        return refresh_token
