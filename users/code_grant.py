"""The authorization code's second leg: what users.oauth2.Validator adds to DOT's (SPEC §2).

- A code works once, and a second exchange revokes every token issued from it (RFC 6749 §4.1.2).
  DOT deletes the grant on use and keeps no link from tokens to it. The refresh token a code issues
  starts a token family (DOT propagates it on every rotation), so that family's id is derived from
  the code: a replay finds the code's tokens, and their refreshed descendants, with nothing stored
  but what DOT keeps already (the id is a hash, so no code is stored).
- The exchange repeats the authorization request's ``redirect_uri`` exactly, and must carry it when
  the request did (RFC 6749 §4.1.3). oauthlib fills in the client's one registered URI whenever it
  is absent, at both ends, so the grant records a blank ``redirect_uri`` when the request had none.
"""

import hashlib
import json
import uuid

from oauth2_provider.models import get_grant_model, get_refresh_token_model
from oauthlib.oauth2.rfc6749 import errors

from users.scopes import allowed_scopes_of
from users.scopes import effective as effective_scopes

Grant = get_grant_model()
RefreshToken = get_refresh_token_model()


def code_family(code: str) -> uuid.UUID:
    """The token family of the tokens issued from ``code``."""
    return uuid.UUID(bytes=hashlib.sha256(code.encode()).digest()[:16], version=4)


def revoke_tokens_of_code(code: str, client) -> None:
    family = code_family(code)
    # Only the client the code was issued to: another client presenting it proves nothing about them.
    if RefreshToken.objects.filter(token_family=family, application=client).exists():
        RefreshToken.revoke_family(family)  # DOT's: refresh tokens revoked, access tokens deleted


class CodeGrantRules:
    """Mixed into users.oauth2.Validator ahead of DOT's OAuth2Validator."""

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        # DOT's, keeping the grant it reads on the request: DOT reads it again for the PKCE challenge,
        # its method and the redirect URI, and a racing exchange of the same code may delete it in
        # between (Grant.DoesNotExist, a 500). Three queries fewer, too.
        grant = Grant.objects.select_related("user").filter(code=code, application=client).first()
        if grant is None or grant.is_expired():
            # Used (DOT deleted the grant), expired or unknown: invalid_grant. If it was used, this is
            # a replay: whoever holds it now may not be who exchanged it first.
            revoke_tokens_of_code(code, client)
            return False
        if not grant.user.is_active:  # SPEC §2: a deactivated user loses everything, codes included
            return False
        request.code_grant = grant
        # SPEC §2: never wider than what the client may have now (an admin may have narrowed it since
        # the consent); a grant left with nothing it may have is no grant.
        request.scopes = effective_scopes(grant.scope, allowed_scopes_of(client))
        if not request.scopes:
            return False
        request.user = grant.user
        if grant.nonce:
            request.nonce = grant.nonce
        if grant.claims:
            request.claims = json.loads(grant.claims)
        return True

    def get_code_challenge(self, code, request):
        return request.code_grant.code_challenge or None

    def get_code_challenge_method(self, code, request):
        return request.code_grant.code_challenge_method or None

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        try:
            super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)
        except errors.InvalidGrantError:
            # Two exchanges raced past validate_code and both saved tokens (in the code's family);
            # the one that finds the grant already gone revokes both: the code was used twice.
            revoke_tokens_of_code(code, request.client)
            raise

    def _create_refresh_token(self, request, refresh_token_code, access_token, previous_refresh_token):
        if previous_refresh_token is not None or request.grant_type != "authorization_code":
            return super()._create_refresh_token(request, refresh_token_code, access_token, previous_refresh_token)
        # DOT's own method, with the family derived from the code instead of uuid4().
        refresh_token = RefreshToken(
            user=request.user,
            application=request.client,
            access_token=access_token,
            token_family=code_family(request.code),
            resource=getattr(request, "resource", []),  # RFC 8707
        )
        self._set_token_value(refresh_token, refresh_token_code)
        refresh_token.save()
        return refresh_token

    def _create_authorization_code(self, request, code, expires=None):
        grant = super()._create_authorization_code(request, code, expires)
        # Set by users.views.authorization from the request the person approved.
        if not getattr(request, "redirect_uri_given", True):
            Grant.objects.filter(pk=grant.pk).update(redirect_uri="")
            grant.redirect_uri = ""
        return grant

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        grant = request.code_grant
        if not grant.redirect_uri:  # the request named none, so the client's one registered URI applies
            return client.redirect_uri_allowed(redirect_uri)
        # RFC 6749 §5.2: a redirect URI that does not match the authorization request's is invalid_grant
        # (oauthlib answers invalid_request). request.using_default_redirect_uri: the exchange had none.
        if request.using_default_redirect_uri or not grant.redirect_uri_allowed(redirect_uri):
            raise errors.InvalidGrantError(
                description="redirect_uri must be the authorization request's, exactly (RFC 6749 §4.1.3).",
                request=request,
            )
        return True
