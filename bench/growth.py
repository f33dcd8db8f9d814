"""Growth check (issue: make it fast, target 5): token lookup with 1,000,000 tokens in the table, and
``cleartokens`` deleting 1,000,000 expired tokens in batches.

Runs on PostgreSQL (a scratch database it creates and drops on 127.0.0.1). Prints the median token
lookup time with one token and with a million, their ratio, and cleartokens' total and per-batch time.

    .venv/bin/python bench/growth.py [--tokens 1000000]
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

from scratch_db import drop_database, recreate_database  # bench/ is the script's directory

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "growth_bench"


def median_lookup_us(rounds: int = 2000) -> float:
    from schema.authentication import principal_for_token

    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        principal_for_token("growth-live-token")
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
    return time.perf_counter() - started


class BatchTimer(logging.Handler):
    """Times the gaps between DOT's per-batch log lines: each batch is its own short transaction."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.stamps: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "tokens deleted" in record.getMessage():
            self.stamps.append(time.perf_counter())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=1_000_000)
    args = parser.parse_args()

    recreate_database(DATABASE)
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        DJANGO_SETTINGS_MODULE="project.settings",
        DATABASE_STATEMENT_TIMEOUT_MS="0",  # bulk set-up, not web requests
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from users.models import Application, User

    try:
        call_command("migrate", verbosity=0)
        user = User.objects.create(username="growth")
        application = Application.objects.create(
            name="growth", client_type="confidential", authorization_grant_type="password", allowed_scopes="read"
        )
        AccessToken.objects.create(
            user=user,
            application=application,
            token="growth-live-token",
            scope="read",
            expires=timezone.now() + timedelta(days=1),
        )
        one = median_lookup_us()
        insert_seconds = insert_expired_tokens(args.tokens, application.pk, user.pk)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE oauth2_provider_accesstoken")
        many = median_lookup_us()
        timer = BatchTimer()
        dot_logger = logging.getLogger("oauth2_provider")
        dot_logger.addHandler(timer)
        dot_logger.setLevel(logging.DEBUG)
        started = time.perf_counter()
        call_command("cleartokens")
        clear_seconds = time.perf_counter() - started
        batches = [b - a for a, b in zip([started, *timer.stamps], timer.stamps, strict=False)]
        left = AccessToken.objects.count()
        print(f"tokens inserted: {args.tokens:,} in {insert_seconds:.1f} s")
        print(f"token lookup median, 1 token:      {one:8.0f} us")
        print(f"token lookup median, {args.tokens:,} tokens: {many:8.0f} us  (ratio {many / one:.2f})")
        print(
            f"cleartokens: {clear_seconds:.1f} s for {args.tokens:,} expired tokens in {len(batches)} batches;"
            f" longest batch {max(batches, default=0):.2f} s, median {statistics.median(batches or [0]):.2f} s;"
            f" tokens left {left}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
