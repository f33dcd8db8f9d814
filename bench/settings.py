"""Benchmark settings: the product's settings (run with DEBUG off) plus the comparison views of bench/urls.py.

A fresh SQLite file (``BENCH_DATABASE``) and the in-process cache, the embedded default of SPEC §6.
"""

import os

from project.settings import *  # noqa: F403
from project.settings import BASE_DIR, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework"]
ROOT_URLCONF = "bench.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BENCH_DATABASE", str(BASE_DIR / "bench" / "results" / "bench.sqlite3")),
        "CONN_MAX_AGE": 60,
    }
}
SECURE_SSL_REDIRECT = False  # plain http on 127.0.0.1
# The per-token budget is still spent on every request; it is only made large enough not to run out.
GRAPHQL_RATE_BUDGET = 10**12
