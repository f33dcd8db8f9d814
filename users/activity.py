"""What a client does (SPEC §7.3, the client's page): its live tokens, when it was last used, and its
requests to /graphql per hour over the last 24 hours, drawn by the server as a small SVG chart.

Requests are counted where the rate budget is counted (schema/budget.py): one more counter in the same
cache round trip, so a request pays no extra query and no extra round trip (with Redis, a request served
from a budget lease is counted locally first: users/leases.py). Hourly counters live 25 hours;
the client's page reads the 24 of them in one ``get_many``. With Redis they are shared by every process;
with the in-process cache (development) each process counts its own.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from users.counters import read_counters
from users.leases import budget_leases

HOUR = 3600
HOURS = 24
KEEP_SECONDS = (HOURS + 1) * HOUR


def hour_key(application_id: int, hour: int | None = None) -> str:
    """The counter of a client's requests in one hour (Unix time // 3600)."""
    hour = int(time.time()) // HOUR if hour is None else hour
    return f"client-requests:{application_id}:{hour}"


@dataclass(frozen=True)
class Bar:
    start: datetime
    count: int
    x: int
    y: int
    height: int


@dataclass(frozen=True)
class Activity:
    live_tokens: list
    live_token_count: int
    last_used: datetime | None  # the start of the last hour with a request, within the last 24
    last_token_issued: datetime | None
    bars: list[Bar]
    total: int
    peak: int

    # The chart's geometry, for the template (users/templates/oauth2_provider/application_detail.html).
    width: int = HOURS * 16
    height: int = 64
    bar_width: int = 12


def requests_per_hour(application_id: int, now: float | None = None) -> list[tuple[datetime, int]]:
    """The last 24 hours, oldest first, the current one included."""
    current = int(time.time() if now is None else now) // HOUR
    hours = range(current - HOURS + 1, current + 1)
    keys = [hour_key(application_id, hour) for hour in hours]
    counts = read_counters(keys)
    for key, amount in budget_leases.pending(keys).items():  # counted here, not yet in Redis (users/leases.py)
        counts[key] = counts.get(key, 0) + amount
    return [
        (datetime.fromtimestamp(hour * HOUR, UTC), int(counts.get(hour_key(application_id, hour), 0))) for hour in hours
    ]


def activity(application, now: float | None = None, listed: int = 20) -> Activity:
    hourly = requests_per_hour(application.pk, now)
    peak = max((count for _, count in hourly), default=0)
    chart_height = Activity.height
    bars = []
    for index, (start, count) in enumerate(hourly):
        height = round(count / peak * (chart_height - 4)) if peak else 0
        if count and not height:
            height = 1  # a single request stays visible next to thousands
        bars.append(Bar(start, count, index * 16 + 2, chart_height - height, height))
    used = [start for start, count in hourly if count]
    tokens = get_access_token_model().objects.filter(application=application, expires__gt=timezone.now())
    newest = get_access_token_model().objects.filter(application=application).order_by("-created").first()
    return Activity(
        live_tokens=list(tokens.select_related("user").order_by("-created")[:listed]),
        live_token_count=tokens.count(),
        last_used=used[-1] if used else None,
        last_token_issued=newest.created if newest else None,
        bars=bars,
        total=sum(count for _, count in hourly),
        peak=peak,
    )
