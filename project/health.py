"""Liveness and readiness for load balancers and orchestrators (SPEC §6)."""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger("health")


@never_cache
@require_GET
def healthz(request):
    """200 while the process serves requests: nothing else is asked, so a slow database cannot
    make an orchestrator restart healthy processes."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """200 when the database and the cache both answer, else 503 naming the one that failed."""
    checks = {"database": _database, "cache": _cache}
    results = {}
    for name, check in checks.items():
        try:
            check()
        except Exception:  # any failure means "do not route here"; the line says which and why
            log.warning("readiness check failed: %s", name, exc_info=True)
            results[name] = "error"
        else:
            results[name] = "ok"
    ready = all(value == "ok" for value in results.values())
    return JsonResponse(results, status=200 if ready else 503)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    ping = getattr(cache, "ping", None)  # project.cache.FailOpenRedisCache: get() would hide an outage
    if ping is not None:
        ping()
    else:
        cache.get("readyz")  # a round trip; a missing key is fine
