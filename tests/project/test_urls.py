"""SPEC §2: an id that is not a number in a page's URL is a 404, by the URL pattern (issue 16, item 3)."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from users.models import Application


def patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.pattern


def test_every_id_in_our_urls_is_an_integer():
    """Ours: the admin's own URLs (Django's) capture a string and answer a non-number themselves."""
    captured = [
        (route, name, type(converter).__name__)
        for route, pattern in patterns()
        if not route.startswith("admin/")
        for name, converter in getattr(pattern, "converters", {}).items()
        if name in {"pk", "id"} or name.endswith("_id")
    ]
    assert captured, "no URL captures an id any more: update this test"
    assert [c for c in captured if c[2] != IntConverter.__name__] == []


@pytest.mark.parametrize(
    "path",
    [
        "/o/authorized_tokens/abc/delete/",
        "/o/applications/abc/",
        "/o/applications/abc/update/",
        "/o/applications/abc/delete/",
        "/o/applications/1e3/",
        "/o/applications/-1/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_non_numeric_id_is_a_404(make_user, path, method):
    client = Client()
    client.force_login(make_user("staff", is_staff=True))
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert "<title>" in response.content.decode()


def test_a_numeric_id_still_finds_the_page(make_user, make_application):
    client = Client()
    client.force_login(make_user("staff", is_staff=True))
    application = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS)
    assert client.get(f"/o/applications/{application.pk}/").status_code == 200
    assert client.get(f"/o/applications/{application.pk + 1000}/").status_code == 404


def test_the_admin_answers_a_non_numeric_id_without_an_error(make_user):
    client = Client()
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    assert client.get("/admin/users/user/abc/change/").status_code == 302  # Django's "does not exist" redirect
