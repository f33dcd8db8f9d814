"""A client's redirect URIs and browser origins, checked in plain words (SPEC §2.3, §7.3).

DOT's own checks (AbstractApplication.clean, AllowedURIValidator) speak in its internals ("redirect_uris cannot
be empty with grant_type authorization-code", "allowed origin URI validation error. path not allowed"); these
run first and say the same in the form's words, so DOT's stay as a backstop that a valid client always passes.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
NEEDS_REDIRECT = ("authorization-code", "openid-hybrid", "implicit")


def _address_problem(value: str) -> str | None:
    """What is wrong with an absolute http(s) address, or None."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return f"{value} is not a valid web address."
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return f"{value} is not a full web address: write it like https://app.example.com."
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        return f"{value}: http is allowed only on 127.0.0.1, localhost or [::1]; use https."
    return None


def redirect_uri_errors(value: str, grant: str) -> list[ValidationError]:
    uris = value.split()
    if not uris and grant in NEEDS_REDIRECT:
        return [ValidationError("The authorization code grant needs at least one redirect URI.")]
    errors = []
    for uri in uris:
        problem = _address_problem(uri)
        if problem is None and urlsplit(uri).fragment:
            problem = f"{uri}: a redirect URI cannot have a #fragment."
        if problem:
            errors.append(ValidationError(problem))
    return errors


def origin_errors(value: str) -> list[ValidationError]:
    errors = []
    for origin in value.split():
        problem = _address_problem(origin)
        parts = urlsplit(origin)
        if problem is None and (parts.path not in {"", "/"} or parts.query or parts.fragment):
            problem = f"{origin} is not an origin: keep only the scheme, host and port, like https://app.example.com."
        if problem:
            errors.append(ValidationError(problem))
    return errors
