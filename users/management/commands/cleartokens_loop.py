"""``manage.py cleartokens_loop --every 3600``: DOT's ``cleartokens`` on a schedule, for platforms without
cron (a container platform's worker process, a systemd-less host). See README "Deploy"."""

import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

log = logging.getLogger("users.cleartokens")


class Command(BaseCommand):
    help = "Run cleartokens now and then every --every seconds (expired tokens, grants and old revoked tokens)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=3600, help="seconds between runs (default 3600)")
        parser.add_argument("--times", type=int, default=0, help="stop after this many runs (default: never)")

    def handle(self, *args, every: int, times: int, **options):
        runs = 0
        while True:
            started = time.monotonic()
            try:
                call_command("cleartokens")
            except Exception:  # a database blip must not end the schedule; the next run retries
                log.exception("cleartokens failed; retrying in %s s", every)
            runs += 1
            if times and runs >= times:
                return
            time.sleep(max(0.0, every - (time.monotonic() - started)))
