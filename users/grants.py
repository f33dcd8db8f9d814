"""The grants the server offers (SPEC §2), from one list: OAUTH2_PROVIDER's OAUTH2_GRANT_TYPES_SUPPORTED, which
DOT also publishes as the RFC 8414 metadata's grant_types_supported."""

from oauth2_provider.models import AbstractApplication
from oauth2_provider.settings import oauth2_settings

# The Application grant (DOT's authorization_grant_type) that lets a client use each token-endpoint
# grant type. refresh_token is no registrable grant: it comes with the others.
APPLICATION_GRANT = {
    "authorization_code": AbstractApplication.GRANT_AUTHORIZATION_CODE,
    "implicit": AbstractApplication.GRANT_IMPLICIT,
    "password": AbstractApplication.GRANT_PASSWORD,
    "client_credentials": AbstractApplication.GRANT_CLIENT_CREDENTIALS,
    "urn:ietf:params:oauth:grant-type:device_code": AbstractApplication.GRANT_DEVICE_CODE,
}


def offered_grant_types() -> tuple[str, ...]:
    """The grant_type values /o/token/ answers (DOT would also route the device grant)."""
    offered = tuple(oauth2_settings.OAUTH2_GRANT_TYPES_SUPPORTED)
    # DOT refuses these two when their RFC 9700 gates are on (and leaves them out of its metadata).
    if oauth2_settings.COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT:
        offered = tuple(grant for grant in offered if grant != "implicit")
    if oauth2_settings.COMPLIANT_BCP_RFC9700_PASSWORD_GRANT:
        offered = tuple(grant for grant in offered if grant != "password")
    return offered


def registrable_grants() -> tuple[str, ...]:
    """The Application grant choices an admin may register a client for."""
    return tuple(APPLICATION_GRANT[name] for name in offered_grant_types() if name in APPLICATION_GRANT)
