"""project.browser_middleware: sessions, session users and messages everywhere but /graphql."""

import json

import pytest
from django.conf import settings
from django.test import Client


def test_graphql_requests_build_no_session_no_cookie_user_and_no_messages(make_user, make_token):
    client = Client()
    alice = make_user("alice")
    client.force_login(alice)  # a session cookie that /graphql must ignore (SPEC §3)
    for token, expected_user in ((make_token(alice), alice), (None, None)):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        response = client.post("/graphql", json.dumps({"query": "{ me { id } }"}), "application/json", **headers)
        request = response.wsgi_request
        assert not hasattr(request, "session") and not hasattr(request, "_messages")
        assert "Cookie" not in response.get("Vary", "") and not response.cookies
        if expected_user is None:  # the session's alice does not count
            assert response.status_code == 401 and request.user.is_anonymous
        else:
            assert response.status_code == 200 and request.user == expected_user


@pytest.mark.parametrize("path", ["/accounts/login/", "/o/applications/", "/admin/"])
def test_every_other_path_has_them_as_django_gives_them(client, make_user, path):
    client.force_login(make_user("alice", is_staff=True, is_superuser=True))
    request = client.get(path).wsgi_request
    assert request.session.session_key and request.user.username == "alice"
    assert hasattr(request, "_messages")


def test_each_is_djangos_own_class_underneath():
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.messages.middleware import MessageMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.utils.module_loading import import_string

    installed = [import_string(path) for path in settings.MIDDLEWARE]
    for django_class in (SessionMiddleware, AuthenticationMiddleware, MessageMiddleware):
        assert sum(issubclass(cls, django_class) for cls in installed) == 1


def test_graphiqls_page_at_get_graphql_still_hands_out_a_csrf_token(db, settings):
    """Its sign-out posts to Django's logout view with this token (SPEC §7.1); the cookie-based token needs
    no session, which /graphql does not have (a CSRF_USE_SESSIONS setting would break it)."""
    import re

    settings.GRAPHIQL_ENABLED = True
    response = Client().get("/graphql", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and not hasattr(response.wsgi_request, "session")
    config = json.loads(
        re.search(
            r'id="graphiql-config" type="application/json">(.*?)</script>', response.content.decode(), re.S
        ).group(1)
    )
    cookie = response.cookies[settings.CSRF_COOKIE_NAME].value
    assert config["csrfToken"] and cookie and not settings.CSRF_USE_SESSIONS
