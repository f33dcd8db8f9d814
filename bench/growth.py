"""Growth check (issue 4, target 5): token lookup with 1,000,000 tokens in the table, and ``cleartokens``
deleting 1,000,000 expired tokens in batches.

Runs on PostgreSQL (a scratch database it creates and drops on 127.0.0.1), with DEBUG off. Writes the
median token lookup time with one token and with a million, their ratio, and cleartokens' total and
per-batch time to bench/growth.md and the README (``--quick``: 10,000 tokens, to bench/results/ only).
Exits non-zero, publishing nothing, if it measured nothing: no token inserted, no batch seen, or
expired tokens left behind.

    .venv/bin/python bench/growth.py [--quick]
"""

import argparse
import logging
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, only bench/ is on the path
    sys.path.insert(0, str(ROOT))

from bench import readme  # noqa: E402
from bench.environment import production_env  # noqa: E402
from bench.scratch_db import drop_database, recreate_database  # noqa: E402

DATABASE = "bench_growth"
TOKENS, QUICK_TOKENS = 1_000_000, 10_000
PUBLISHED = ROOT / "bench" / "growth.md"
QUICK = ROOT / "bench" / "results" / "growth-quick.md"
LIVE_TOKEN = "growth-live-token"
BATCH_LINE = re.compile(r"\d+ tokens deleted, \d+ left")  # oauth2_provider.models.clear_expired


@dataclass
class Growth:
    tokens: int  # expired tokens inserted
    insert_seconds: float
    lookup_one_us: float  # median lookup with only the live token in the table
    lookup_many_us: float  # and with the expired ones too
    clear_seconds: float
    batches: list[float]  # seconds per batch of cleartokens
    left: int  # tokens in the table after cleartokens: the live one only
    batch_size: int
    batch_pause: float
    when: str = ""
    load: str = ""  # load average before and after: the machine may be shared


def problems(g: Growth) -> list[str]:
    """Why these figures say nothing, if they do not."""
    found = []
    if g.tokens <= 0:
        found.append("no expired token was inserted")
    if not g.batches:
        found.append("cleartokens logged no batch: its per-batch time was not measured")
    if g.left != 1:
        found.append(f"{g.left} tokens left after cleartokens, expected only the live one")
    return found


def render(g: Growth) -> str:
    """The figures as the README shows them; only for figures without problems()."""
    if problems(g):
        raise ValueError("nothing to render: " + "; ".join(problems(g)))
    return (
        f"Growth (`bench/growth.py`, PostgreSQL, DEBUG off, {g.when}; load average (1 min) {g.load}):\n\n"
        f"- token lookup median: {g.lookup_one_us:.0f} us with 1 token, {g.lookup_many_us:.0f} us with"
        f" {g.tokens:,} expired tokens besides it (ratio {g.lookup_many_us / g.lookup_one_us:.2f})\n"
        f"- `cleartokens`: {g.tokens:,} expired tokens in {g.clear_seconds:.1f} s, {len(g.batches)} batches of"
        f" {g.batch_size:,}; per batch median {statistics.median(g.batches):.2f} s, longest {max(g.batches):.2f} s"
        f" (each including DOT's pause of {g.batch_pause:g} s)\n"
        f"- set-up: {g.tokens:,} tokens inserted in {g.insert_seconds:.1f} s\n"
    )


def publish(g: Growth, target: Path, marker: str | None, readme_path: Path = readme.README) -> int:
    """Write the figures (and the README between ``marker``'s markers), or refuse: the exit status."""
    refused = problems(g)
    for reason in refused:
        print(f"measured nothing: {reason}", file=sys.stderr)
    if refused:
        return 1
    text = render(g)
    target.parent.mkdir(exist_ok=True)
    target.write_text("# Growth results (`bench/growth.py`)\n\n" + text)
    if marker is not None:
        readme.update(marker, text, readme_path)
    print(text)
    return 0


def median_lookup_us(rounds: int = 2000) -> float:
    from schema.authentication import principal_for_token

    for _ in range(200):  # warm: the connection, the statement's plan, the fresh table statistics
        principal_for_token(LIVE_TOKEN)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        principal_for_token(LIVE_TOKEN)
        samples.append((time.perf_counter() - started) * 1e6)
    return statistics.median(samples)


def insert_expired_tokens(count: int, application_id: int, user_id: int) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO oauth2_provider_accesstoken
                (user_id, application_id, token, token_checksum, expires, scope, resource, created, updated)
            SELECT %s, %s, '', encode(sha256(('expired-' || n)::bytea), 'hex'),
                   now() - interval '1 day', 'read', '[]', now() - interval '2 days', now() - interval '2 days'
            FROM generate_series(1, %s) AS n
            """,
            [user_id, application_id, count],
        )
        cursor.execute("ANALYZE oauth2_provider_accesstoken")
    return time.perf_counter() - started


class BatchTimer(logging.Handler):
    """Times DOT's batches ("N tokens deleted, M left"): each batch is its own short transaction.

    A batch runs from the log line before it (the previous batch, or the end of the previous phase) to its
    own; the per-phase totals ("0 Revoked refresh tokens deleted") are no batches.
    """

    def __init__(self, started: float) -> None:
        super().__init__(logging.DEBUG)
        self.last = started
        self.batches: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        now = time.perf_counter()
        if BATCH_LINE.fullmatch(record.getMessage()):
            self.batches.append(now - self.last)
        self.last = now


def measure(tokens: int) -> Growth:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone
    from oauth2_provider.models import AccessToken
    from oauth2_provider.settings import oauth2_settings

    from users.models import Application, User

    load_before = os.getloadavg()[0]
    call_command("migrate", verbosity=0)
    user = User.objects.create(username="growth")
    application = Application.objects.create(
        name="growth", client_type="confidential", authorization_grant_type="password", allowed_scopes="read"
    )
    AccessToken.objects.create(
        user=user, application=application, token=LIVE_TOKEN, scope="read", expires=timezone.now() + timedelta(days=1)
    )
    one = median_lookup_us()
    insert_seconds = insert_expired_tokens(tokens, application.pk, user.pk)
    inserted = AccessToken.objects.count() - 1
    many = median_lookup_us()
    dot_logger = logging.getLogger("oauth2_provider")
    dot_logger.setLevel(logging.DEBUG)
    started = time.perf_counter()
    timer = BatchTimer(started)
    dot_logger.addHandler(timer)
    call_command("cleartokens")
    clear_seconds = time.perf_counter() - started
    return Growth(
        tokens=inserted,
        insert_seconds=insert_seconds,
        lookup_one_us=one,
        lookup_many_us=many,
        clear_seconds=clear_seconds,
        batches=timer.batches,
        left=AccessToken.objects.count(),
        batch_size=oauth2_settings.CLEAR_EXPIRED_TOKENS_BATCH_SIZE,
        batch_pause=oauth2_settings.CLEAR_EXPIRED_TOKENS_BATCH_INTERVAL,
        when=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        load=f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_TOKENS:,} tokens; README untouched")
    args = parser.parse_args()

    url = recreate_database(DATABASE)
    os.environ.update(
        production_env("127.0.0.1", 8000),
        DATABASE_URL=url,
        # Neither the lookup nor cleartokens uses the cache: bench.settings keeps it in-process.
        REDIS_URL="redis://unused.invalid:6379/0",
        BENCH_CACHE="local",
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_STATEMENT_TIMEOUT_MS="0",  # bulk set-up, not web requests
    )
    import django

    django.setup()
    try:
        growth = measure(QUICK_TOKENS if args.quick else TOKENS)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(DATABASE)
    return publish(growth, QUICK, None) if args.quick else publish(growth, PUBLISHED, "growth")


if __name__ == "__main__":
    sys.exit(main())
