"""Benchmark settings: the product's settings (run with DEBUG off) plus the comparison views of bench/urls.py.

``BENCH_CACHE=local`` keeps the in-process cache of SPEC §6's embedded setup (with SQLite); otherwise the
product's REDIS_URL cache (bench/run.py --database postgres).
"""

import os

from project.settings import *  # noqa: F403
from project.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework"]
ROOT_URLCONF = "bench.urls"
if os.environ.get("BENCH_CACHE") == "local":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SECURE_SSL_REDIRECT = False  # plain http on 127.0.0.1
# The per-token budget is still spent on every request; it is only made large enough not to run out.
GRAPHQL_RATE_BUDGET = 10**12
