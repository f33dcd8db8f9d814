"""DOT scopes backend: every grant asks it which scopes a client may get (SPEC §2, §2.3)."""

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
