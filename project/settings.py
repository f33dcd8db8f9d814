"""Settings for the whole service, read from the environment in this one place.

Embedded default (a fresh laptop): SQLite and an in-process cache, DEBUG on, public introspection.
Production switches, each read from the environment:

- ``SECRET_KEY``: required when ``DEBUG`` is off.
- ``DEBUG``: ``1`` for development; defaults to on only when no ``SECRET_KEY`` is given.
- ``DATABASE_URL``: e.g. ``postgres://user@host:5432/db``; SQLite (``db.sqlite3``) without it.
- ``REDIS_URL``: shared cache (rate-limit counters) for several server processes.
- ``ALLOWED_HOSTS``: comma-separated.
- ``GRAPHQL_PUBLIC_INTROSPECTION``: ``1``/``0``; defaults to ``DEBUG``.
- ``ACCESS_TOKEN_EXPIRE_SECONDS``, ``REFRESH_TOKEN_EXPIRE_SECONDS``, ``AUTHORIZATION_CODE_EXPIRE_SECONDS``.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_flag("DEBUG", default=not SECRET_KEY)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-a-local-laptop"

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "oauth2_provider",
    "graphene_django",
    "django_filters",
    "users",
    "schema",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After AuthenticationMiddleware: on /graphql it replaces any session user with the bearer token's.
    "schema.authentication.BearerTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "users" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}

# A query cannot hold a worker for long: PostgreSQL cancels statements after this many ms (SPEC §5),
# and gunicorn's --timeout (30 s, see README) restarts a stuck worker.
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "users.User"
LOGIN_URL = "/accounts/login/"
# The home page: staff find the client registry there, everyone else is not met by a 403.
LOGIN_REDIRECT_URL = "/"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # user passwords, as Django's default
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "users.hashers.ClientSecretHasher",  # chosen by name only, for server-generated client secrets
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- OAuth2 server (django-oauth-toolkit) ------------------------------------------------------
OAUTH2_PROVIDER_APPLICATION_MODEL = "users.Application"

OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Read your user details",
        "write": "Change your details and groups",
        "groups": "Read groups and memberships",
        "introspection": "Introspect tokens (resource servers)",
    },
    # Stock DOT defaults to ["__all__"]: an empty scope request would get every scope.
    "DEFAULT_SCOPES": ["read"],
    # Per-client allowed scopes (SPEC §2.3), applied by every grant through DOT's scopes backend.
    "SCOPES_BACKEND_CLASS": "users.scopes.ApplicationScopes",
    "OAUTH2_VALIDATOR_CLASS": "users.oauth2.Validator",
    # Salted SHA-256 for the server's 384-bit client secrets instead of PBKDF2 (users/hashers.py).
    "CLIENT_SECRET_HASHER": "client_secret_sha256",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("ACCESS_TOKEN_EXPIRE_SECONDS", 1200),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("REFRESH_TOKEN_EXPIRE_SECONDS", 3600),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": env_int("AUTHORIZATION_CODE_EXPIRE_SECONDS", 60),
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "PKCE_REQUIRED": True,
    # http redirect URIs are allowed by DOT's scheme list; users.models.Application.clean limits them
    # to loopback hosts (RFC 8252 §7.3), so native apps and local development keep working.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
    "ALLOW_URI_WILDCARDS": False,
    # RFC 9700 gates we enforce.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    # Kept off on purpose:
    # - PASSWORD_GRANT: the tutorial's first-party flow (grant_type=password) is part of the product.
    # - REDIRECT_URI_SCHEME: it would forbid http loopback redirects for native apps (RFC 8252);
    #   the loopback-only rule lives in Application.clean instead.
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": False,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": False,
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "password", "client_credentials", "refresh_token"],
    "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
}

# Failed logins at /o/token/ (bad client secret, bad password) allowed per window before 429.
TOKEN_FAILURE_WINDOW_SECONDS = env_int("TOKEN_FAILURE_WINDOW_SECONDS", 300)
TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = env_int("TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS", 20)
TOKEN_FAILURES_PER_ADDRESS = env_int("TOKEN_FAILURES_PER_ADDRESS", 50)
# Behind a load balancer, the META key of the header carrying the client's address, e.g.
# HTTP_X_FORWARDED_FOR (its last entry is used); empty: REMOTE_ADDR.
TRUSTED_PROXY_HEADER = os.environ.get("TRUSTED_PROXY_HEADER", "")

# --- GraphQL ---------------------------------------------------------------------------------------
GRAPHENE = {"SCHEMA": "schema.schema.schema", "RELAY_CONNECTION_MAX_LIMIT": 100}
GRAPHQL_PUBLIC_INTROSPECTION = env_flag("GRAPHQL_PUBLIC_INTROSPECTION", default=DEBUG)

# --- Browser: GraphiQL, CORS, pages (issue 9) -----------------------------------------------------
# GraphiQL at GET /graphql (schema/graphiql.py): on in development, in production only with GRAPHIQL_ENABLED=1.
GRAPHIQL_ENABLED = env_flag("GRAPHIQL_ENABLED", default=DEBUG)
# CORS (SPEC §7.2): django-cors-headers answers, users/cors.py decides per request which origins from the
# clients' allowed_origins. Before CommonMiddleware, so preflights are answered before any redirect.
INSTALLED_APPS += ["corsheaders"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"), "corsheaders.middleware.CorsMiddleware"
)
CORS_URLS_REGEX = r"^/(graphql|o/token/|o/revoke_token/|o/userinfo/)$"
CORS_ALLOWED_ORIGINS = []  # none statically: every origin comes from a client (users/cors.py)
CORS_ALLOW_CREDENTIALS = False  # no cookies across origins: only bearer tokens authenticate
CORS_ALLOW_HEADERS = ["authorization", "content-type"]
CORS_ALLOW_METHODS = ["GET", "POST", "OPTIONS"]
CORS_EXPOSE_HEADERS = [
    "WWW-Authenticate",
    "X-OAuth-Scopes",
    "X-Accepted-OAuth-Scopes",
    "Retry-After",
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Used",
    "X-RateLimit-Reset",
    "X-RateLimit-Resource",
]
# DOT validates allowed_origins against ALLOWED_SCHEMES (default https only); http is accepted here and
# limited to loopback hosts by users.models.Application.clean, like redirect URIs (SPEC §2.3).
OAUTH2_PROVIDER["ALLOWED_SCHEMES"] = ["https", "http"]

# --- Production hardening (manage.py check --deploy) ----------------------------------------------
SILENCED_SYSTEM_CHECKS = [
    # The password grant stays on by design: the tutorial's first-party flow (SPEC §2) depends on it.
    "oauth2_provider.W002",
    # http redirect URIs are accepted for loopback hosts only, enforced in users.models.Application.clean.
    "oauth2_provider.W008",
]
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Cost points per token per hour (SPEC §5); a query costs one point per hundred nodes, at least one.
GRAPHQL_RATE_BUDGET = env_int("GRAPHQL_RATE_BUDGET", 5000)
