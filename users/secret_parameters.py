"""The request parameters whose values are secrets (RFC 6749, RFC 7636, RFC 7009/7662, RFC 8628, RFC 7523,
OpenID Connect): kept out of every log line (project/logs.py, project/request_context.py) and out of
Django's error reports (users/views/token.py). One list, so the three cannot disagree."""

SECRET_PARAMETERS = (
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "code",
    "code_verifier",
    "device_code",
    "client_secret",
    "client_assertion",
    "assertion",
    "password",
)
