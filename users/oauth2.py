"""Our OAuth2 request validator: DOT's, refusing empty scope sets and narrowing refreshes to the client."""

from oauth2_provider.models import get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from users.builtin_clients import GRAPHIQL_CLIENT_ID, graphiql_redirect_allowed
from users.models import is_strong_client_secret

RefreshToken = get_refresh_token_model()


class Validator(OAuth2Validator):
    def client_authentication_required(self, request, *args, **kwargs):
        # SPEC §2: the password grant is the tutorial's first-party flow with HTTP Basic client
        # credentials. DOT lets a public client use it with a bare client_id.
        if request.grant_type == "password":
            return True
        return super().client_authentication_required(request, *args, **kwargs)

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        # The built-in GraphiQL client redirects to this server's own origin + /graphql/callback on any
        # host the server answers to (SPEC §2.3, §7.1); every other client: DOT's exact match.
        if client_id == GRAPHIQL_CLIENT_ID:
            return graphiql_redirect_allowed(redirect_uri, request)
        return super().validate_redirect_uri(client_id, redirect_uri, request, *args, **kwargs)

    def _save_bearer_token(self, token, request, *args, **kwargs):
        # Concurrent refreshes with one refresh token (upstream issues 722, 960): all pass
        # validate_refresh_token before the first commits. DOT then hands the losers the winner's
        # stored pair, which with checksum-only storage is empty, and its view answers 500. Lock
        # the refresh token (this runs inside save_bearer_token's transaction): whoever finds it
        # already rotated lost the race and gets invalid_grant. (A request arriving after the winner
        # committed fails earlier, in validate_refresh_token, as a replay that revokes the family.)
        previous = getattr(request, "refresh_token_instance", None)
        if request.grant_type == "refresh_token" and isinstance(previous, RefreshToken):
            if not RefreshToken.objects.select_for_update().filter(pk=previous.pk, revoked__isnull=True).exists():
                raise errors.InvalidGrantError(description="The refresh token was just used.", request=request)
        return super()._save_bearer_token(token, request, *args, **kwargs)

    def _check_secret(self, provided_secret, stored_secret):
        # Refuse what the server cannot have generated before spending any hashing on it.
        if not is_strong_client_secret(provided_secret or ""):
            return False
        return super()._check_secret(provided_secret, stored_secret)

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        # RFC 6749 §3.3: a request without scope gets the defaults or fails with invalid_scope. A client
        # allowed none of the default scopes has nothing to default to; without this, the password and
        # client-credentials grants issued a token with no scope and the consent page could not be approved.
        if not scopes:
            return False
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        # oauthlib's refresh grant checks scopes only against the original grant; an admin may
        # have narrowed the client since, so a refreshed token gets the intersection.
        original = super().get_original_scopes(refresh_token, request, *args, **kwargs)
        if isinstance(original, str):
            original = original.split()
        allowed = request.client.allowed_scope_set if request.client else frozenset()
        remaining = [scope for scope in original if scope in allowed]
        if not remaining:  # a token with no scope can do nothing; say so rather than issue it
            raise errors.InvalidScopeError(
                description="The client may no longer have any of this grant's scopes.", request=request
            )
        return remaining
