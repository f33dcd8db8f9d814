"""SPEC §7.3: a client's page shows what it does: live tokens, when it was last used, and its requests per
hour over the last 24 hours as a small chart drawn by the server (SVG, no script, nothing from elsewhere)."""

import re
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from users import activity


@pytest.fixture
def staff(make_user):
    client = Client()
    client.force_login(make_user("staff", is_staff=True))
    return client


def test_the_clients_page_shows_its_tokens_last_use_and_requests_per_hour(
    staff, alice, graphql, make_token, make_application
):
    app = make_application(name="Inventory")
    token = make_token(user=alice, application=app)
    for _ in range(3):
        assert graphql("{ me { username } }", token=token).status == 200
    page = staff.get(f"/o/applications/{app.pk}/").content.decode()
    assert "<dt>Live tokens</dt><dd>1</dd>" in page
    assert "<td>alice</td><td>read</td>" in page
    assert "No request to" not in page and "the hour of its last request" in page
    chart = re.search(r"<svg .*?</svg>", page, re.S)[0]
    assert 'role="img"' in chart and "3 in all, at most 3 in one hour" in chart
    bars = re.findall(r'<rect [^>]*height="(\d+)"[^>]*><title>(\d\d:\d\d) UTC: (\d+) requests?</title>', chart)
    assert len(bars) == 24
    assert [int(count) for _, _, count in bars] == [0] * 23 + [3]  # this hour, on the right
    assert int(bars[-1][0]) > 0 and {int(height) for height, _, _ in bars[:-1]} == {0}
    assert "<script" not in page and "https://" not in page.split("<svg")[1].split("</svg>")[0]


def test_a_client_never_used_says_so(staff, make_application):
    page = staff.get(f"/o/applications/{make_application().pk}/").content.decode()
    assert "No request to <code>/graphql</code> in the last 24 hours" in page
    assert "<dt>Live tokens</dt><dd>0</dd>" in page
    assert "0 in all, at most 0 in one hour" in page


def test_requests_per_hour_reads_the_last_24_hourly_counters_oldest_first(db):
    now = time.time()
    hour = int(now) // 3600
    cache.set(activity.hour_key(7, hour - 5), 40)
    cache.set(activity.hour_key(7, hour - 30), 99)  # older than a day: not shown
    hourly = activity.requests_per_hour(7, now)
    assert len(hourly) == 24
    assert [count for _, count in hourly] == [0] * 18 + [40] + [0] * 5
    assert hourly[-1][0].timestamp() == hour * 3600


def test_counting_a_clients_requests_adds_no_database_query(graphql, alice, make_token):
    token = make_token(user=alice)
    graphql("{ me { username } }", token=token)  # warm caches
    with CaptureQueriesContext(connection) as queries:
        assert graphql("{ me { username } }", token=token).status == 200
    assert not any("client-requests" in q["sql"] for q in queries.captured_queries)
    assert len(queries.captured_queries) == 1  # the token lookup (SPEC §3), as before
