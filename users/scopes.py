"""Scope rules (SPEC §2, §2.3): DOT's scopes backend, which every grant asks which scopes a client may get,
and the two rules every part of the server applies to a token's scopes."""

from collections.abc import Iterable

from oauth2_provider.scopes import SettingsScopes
from oauth2_provider.settings import oauth2_settings


class ApplicationScopes(SettingsScopes):
    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        known = oauth2_settings._SCOPES
        if application is None:
            return known
        return [scope for scope in known if scope in application.allowed_scope_set]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        # An empty scope request gets the settings' defaults the client is allowed, never "__all__".
        available = self.get_available_scopes(application, request)
        return [scope for scope in oauth2_settings._DEFAULT_SCOPES if scope in available]


def unique(scopes: Iterable[str]) -> list[str]:
    """Each scope once, in the order first named (SPEC §2: ``scope=read read`` is ``read``). oauthlib keeps
    a scope string's repetitions, and DOT stores and answers them (issue 16, item 7)."""
    return list(dict.fromkeys(scopes))


def allowed_scopes_of(client) -> frozenset[str]:
    """What a client may have now; nothing without a client."""
    return client.allowed_scope_set if client is not None else frozenset()


def effective(granted: str | Iterable[str], allowed: Iterable[str]) -> list[str]:
    """What a token or grant holds now (SPEC §2): what was granted, cut down to what its client may have
    now (an admin may have narrowed the client since), each scope once. The one place this rule lives:
    /graphql, introspection, userinfo, refresh and the code exchange all ask here."""
    allowed = frozenset(allowed)
    return unique(scope for scope in (granted.split() if isinstance(granted, str) else granted) if scope in allowed)
