"""Our OAuth2 request validator: DOT's, with the client's allowed scopes applied on refresh too."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        # oauthlib's refresh grant checks scopes only against the original grant; an admin may
        # have narrowed the client since, so a refreshed token gets the intersection.
        original = super().get_original_scopes(refresh_token, request, *args, **kwargs)
        if isinstance(original, str):
            original = original.split()
        allowed = request.client.allowed_scope_set if request.client else frozenset()
        return [scope for scope in original if scope in allowed]
