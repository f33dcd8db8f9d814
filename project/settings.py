"""Settings for the whole service, read from the environment in this one place.

Embedded default (a fresh laptop): SQLite and an in-process cache, DEBUG on, public introspection.
Production switches, each read from the environment:

- ``DEBUG``: ``1`` for development. Unset, it is on only for loopback development: no ``SECRET_KEY``,
  ``ALLOWED_HOSTS`` unset or loopback hosts only, and not served by gunicorn (the production command).
  Anything else without ``SECRET_KEY`` is a start-up error (SPEC §6). With it off, ``DATABASE_URL``,
  ``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``ISSUER_URL`` and ``OIDC_RSA_PRIVATE_KEY`` are
  required (README "Deploy" lists every variable).
- ``SECRET_KEY`` (and ``SECRET_KEY_FALLBACKS`` while rotating it).
- ``DATABASE_URL``: e.g. ``postgres://user@host:5432/db``; SQLite (``db.sqlite3``) without it.
- ``REDIS_URL``: shared cache (rate-limit counters) for several server processes.
- ``ALLOWED_HOSTS``: comma-separated.
- ``TRUSTED_PROXY_HEADER``: set only behind a proxy; then X-Forwarded-Proto and that address header count.
- ``SECURE_SSL_REDIRECT``: ``0`` serves plain http with DEBUG off. ``LOG_LEVEL``: default ``INFO``.
- ``GRAPHQL_PUBLIC_INTROSPECTION``: ``1``/``0``; defaults to ``DEBUG``.
- ``ACCESS_TOKEN_EXPIRE_SECONDS``, ``REFRESH_TOKEN_EXPIRE_SECONDS``, ``AUTHORIZATION_CODE_EXPIRE_SECONDS``.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from project import sqlite
from project.logs import logging_config
from users import oidc

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def loopback_development() -> bool:
    """Nothing says this process serves anyone but its own machine (SPEC §6: production never starts in
    development mode by accident, so a deployment that forgets SECRET_KEY is an error, not a debug server).
    gunicorn's arbiter puts SERVER_SOFTWARE in the environment before it loads the app (gunicorn/arbiter.py),
    so the production command counts as a deployment whatever it binds (its default is 0.0.0.0)."""
    hosts = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
    served_by_gunicorn = os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/")
    return all(host in LOOPBACK_HOSTS for host in hosts) and not served_by_gunicorn


# --- Production: required environment (fleet) -----------------------------------------------------
SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_flag("DEBUG", default=not SECRET_KEY and loopback_development())
# SPEC §6: without DEBUG these must be given. One error names every missing one, so a deploy is not
# fixed one restart at a time. (ISSUER_URL and OIDC_RSA_PRIVATE_KEY are read by the OIDC section.)
PRODUCTION_REQUIRED = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "ISSUER_URL", "OIDC_RSA_PRIVATE_KEY")
if not DEBUG:
    _missing = [name for name in PRODUCTION_REQUIRED if not os.environ.get(name, "").strip()]
    if _missing:
        raise ImproperlyConfigured(
            f"Missing environment variables for production (DEBUG is off): {', '.join(_missing)}. "
            "See the README's Deploy section; DEBUG=1 runs the embedded development setup (without it, "
            "development mode is only for loopback hosts, never under gunicorn)."
        )
if not SECRET_KEY:
    SECRET_KEY = "insecure-development-key-only-for-a-local-laptop"
# Rotation: the new key in SECRET_KEY, the old ones here (comma-separated) until sessions turn over.
SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]

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
    # First: every response (a redirect or an error of a later middleware too) gets X-Request-ID,
    # and every log line of the request carries the id.
    "project.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app itself (SPEC §6), after the https redirect and HSTS, before sessions.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sessions, session users and messages: the browser's half, not /graphql (project/browser_middleware.py).
    "project.browser_middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "project.browser_middleware.AuthenticationMiddleware",
    # Before any view (and before CsrfViewMiddleware's check, in process_view): SPEC §2's one NUL rule.
    "project.nul_parameters.NulParameterMiddleware",
    # On /graphql (where the session middleware above does nothing) request.user is the bearer token's user.
    "schema.authentication.BearerTokenMiddleware",
    "project.browser_middleware.MessageMiddleware",
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
                "users.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    # An empty DATABASE_URL means unset (dj_database_url would parse it into no engine at all).
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}

# A query cannot hold a worker for long: PostgreSQL cancels statements after this many ms (SPEC §5),
# and gunicorn's --timeout (30 s, see README) restarts a stuck worker.
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000)
# PostgreSQL: /graphql's token lookup and e-mail permission query are prepared once per persistent connection
# (project/raw_sql.py). Off (0) behind a pooler in transaction mode, which does not keep a session's prepared
# statements (it would still answer right, only slower). CSRF_USE_SESSIONS must stay off: /graphql has no
# session (project/browser_middleware.py) and GraphiQL's page hands out a CSRF token.
DATABASE_PREPARED_STATEMENTS = env_flag("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"

# --- SQLite for concurrent requests (fleet; SPEC §6) ------------------------------------------------
# WAL lets readers run while one writer writes; IMMEDIATE makes every transaction take the write
# lock when it begins, so two writers queue at BEGIN (for up to the busy timeout) instead of failing
# with "database is locked" when a reader upgrades to a writer. It also serialises the refresh grant,
# where PostgreSQL uses select_for_update (a no-op on SQLite).
SQLITE_BUSY_TIMEOUT_SECONDS = env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            # synchronous=NORMAL is durable in WAL mode except on power loss (not process death).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
        }
    )
    # Tests on a file, not in memory: Django shares one in-memory connection with live-server threads,
    # which would hide every concurrency problem. One file per test process (several may run at once).
    DATABASES["default"]["TEST"] = {"NAME": sqlite.test_database_name()}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Short socket timeouts: a stopped Redis costs a request milliseconds, not a worker (counters fail open).
    CACHES = {
        "default": {
            # Django's RedisCache, answering as an empty cache while Redis is unreachable (SPEC §6).
            "BACKEND": "project.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
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
# Production serves /static/ itself (SPEC §6): WhiteNoise, from STATIC_ROOT filled by collectstatic (which
# project/gunicorn.conf.py runs at start), gzip-compressed, with content-hashed names cached for a year
# (immutable). Development keeps Django's plain storage: no collectstatic between edits.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "project.static_storage.StaticFilesStorage"
    },
}
# In development (and tests) WhiteNoise reads the apps' static folders directly, as runserver does.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- OAuth2 server (django-oauth-toolkit) ------------------------------------------------------
OAUTH2_PROVIDER_APPLICATION_MODEL = "users.Application"
# DOT's own token models, named so migrations can refer to them (users.DPoPBinding points at them).
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"

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
    # cleartokens (fleet; README "Deploy"): delete in batches of 1,000 so no transaction holds the
    # token tables for long while the service is serving.
    "CLEAR_EXPIRED_TOKENS_BATCH_SIZE": env_int("CLEAR_EXPIRED_TOKENS_BATCH_SIZE", 1000),
    "CLEAR_EXPIRED_TOKENS_BATCH_INTERVAL": 0.05,
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
    "OAUTH2_GRANT_TYPES_SUPPORTED": [
        "authorization_code",
        "password",
        "client_credentials",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
    ],
    # The device grant (SPEC §2.7, users/device_flow.py): DOT's pre-token hook
    # set_oauthlib_user_to_device_request_user raises DoesNotExist for an unknown device_code (a 500);
    # users.device_flow.DeviceCodeRules.validate_device_code sets the user and scopes instead.
    "OAUTH_PRE_TOKEN_VALIDATION": [],
    "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
}

# DPoP (SPEC §2.6, users/dpop.py): with DPOP_NONCE_REQUIRED=1 every proof must carry the server's current
# nonce (RFC 9449 §8), sent in the DPoP-Nonce header; off by default (proofs are already single-use).
DPOP_NONCE_REQUIRED = env_flag("DPOP_NONCE_REQUIRED", default=False)

# Failed logins at /o/token/ (bad client secret, bad password) allowed per window before 429.
TOKEN_FAILURE_WINDOW_SECONDS = env_int("TOKEN_FAILURE_WINDOW_SECONDS", 300)
TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS = env_int("TOKEN_FAILURES_PER_CLIENT_AND_ADDRESS", 20)
TOKEN_FAILURES_PER_ADDRESS = env_int("TOKEN_FAILURES_PER_ADDRESS", 50)
# Behind a load balancer, the META key of the header carrying the client's address, e.g.
# HTTP_X_FORWARDED_FOR (its last entry is used); empty: REMOTE_ADDR.
TRUSTED_PROXY_HEADER = os.environ.get("TRUSTED_PROXY_HEADER", "")

# --- Sign-in pages (authz; SPEC §2.4, users/views/accounts.py) -----------------------------------
# Failed sign-ins at /accounts/login/ and /admin/login/ (counted together) allowed per window before 429.
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 300)
LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = env_int("LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS", 20)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 50)

# --- OpenID Connect (SPEC §2.5; users/oidc.py, users/issuer.py, users/views/metadata.py) ---------
# The one issuer: ISSUER_URL (an origin such as https://api.example.com, required in production);
# empty in development, where the issuer is the request's origin.
ISSUER_URL = os.environ.get("ISSUER_URL", "").rstrip("/")
if ISSUER_URL and urlsplit(ISSUER_URL)._replace(scheme="", netloc="").geturl():
    raise ImproperlyConfigured(f"ISSUER_URL must be an origin (scheme://host[:port]) without a path: {ISSUER_URL}")
# OIDC_RSA_PRIVATE_KEY (PEM; "\n" escapes allowed) signs id tokens. Rotation: put the new key in
# OIDC_RSA_PRIVATE_KEY and the old one in OIDC_RSA_PRIVATE_KEYS_INACTIVE (PEM blocks, concatenated):
# the JWKS publishes both until the old one is dropped, after ID_TOKEN_EXPIRE_SECONDS plus the JWKS
# max-age (OIDC_JWKS_MAX_AGE_SECONDS, 3600). Development without it: a key generated once under
# OIDC_DEV_KEY_FILE (default ~/.local/share/oauth2-graphql/oidc-dev-key.pem, outside the repository).
try:
    OIDC_RSA_PRIVATE_KEY, OIDC_RSA_PRIVATE_KEYS_INACTIVE = oidc.signing_keys(os.environ, debug=DEBUG)
except oidc.SigningKeyError as exc:
    raise ImproperlyConfigured(str(exc)) from None
OAUTH2_PROVIDER["SCOPES"].update(
    {
        "openid": "Sign you in with your account (your user id)",
        "profile": "Your username, first and last name",
        "email": "Your email address",
    }
)
OAUTH2_PROVIDER.update(
    {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": OIDC_RSA_PRIVATE_KEY,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": OIDC_RSA_PRIVATE_KEYS_INACTIVE,
        # Empty in development: users.oauth2.Validator and users/issuer.py then use the request's origin
        # (DOT would use origin + "/o"). Set, DOT's RFC 9207 "iss" and every document name it verbatim.
        "OIDC_ISS_ENDPOINT": ISSUER_URL,
        # DOT's default is 10 hours; an id token says who signed in just now, no longer than an access token.
        "ID_TOKEN_EXPIRE_SECONDS": env_int("ID_TOKEN_EXPIRE_SECONDS", 1200),
        # Only what the code grant delivers; DOT's defaults list the implicit and hybrid response types.
        "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    }
)

# --- GraphQL ---------------------------------------------------------------------------------------
GRAPHENE = {"SCHEMA": "schema.schema.schema", "RELAY_CONNECTION_MAX_LIMIT": 100}
GRAPHQL_PUBLIC_INTROSPECTION = env_flag("GRAPHQL_PUBLIC_INTROSPECTION", default=DEBUG)
# Compiled execution plans per cached document (schema/plan.py, issue 12); off runs every operation on
# graphql-core, the reference executor the differential test (tests/schema/test_plan.py) compares them with.
GRAPHQL_COMPILED_PLANS = env_flag("GRAPHQL_COMPILED_PLANS", default=True)
# graphql-core middleware (import paths) run on every field of every operation. Plans do not run
# middleware, so while any is configured no operation is planned (schema/documents.py: plan_of).
GRAPHQL_MIDDLEWARE: list[str] = []

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
CORS_ALLOW_HEADERS = ["authorization", "content-type", "dpop"]  # DPoP proofs (SPEC §2.6)
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
    "DPoP-Nonce",
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
if TRUSTED_PROXY_HEADER:
    # Only a proxy in front may say the request came over https; without one, any client could
    # (gunicorn.conf.py sets forwarded_allow_ips from the same switch).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain http on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logs (fleet; SPEC §6): JSON lines with request ids, secrets redacted (project/logs.py) ----------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
LOGGING = logging_config(LOG_LEVEL)

# Cost points per token per hour (SPEC §5); a query costs one point per hundred nodes, at least one.
GRAPHQL_RATE_BUDGET = env_int("GRAPHQL_RATE_BUDGET", 5000)
# Anonymous requests (public introspection) allowed per address per hour (SPEC §5).
GRAPHQL_ANONYMOUS_BUDGET = env_int("GRAPHQL_ANONYMOUS_BUDGET", 1000)
