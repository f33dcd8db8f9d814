"""SPEC §7.3: errors the framework raises itself get the product's pages (DEBUG off, as in production),
and links go only where something is served."""

import re

import pytest
from django.test import Client

from users.views import home

STYLESHEET = re.compile(r'<link rel="stylesheet" href="/static/users/site\.css">')


def page(response) -> str:
    text = response.content.decode()
    assert STYLESHEET.search(text), text[:500]  # the site's own page, not the framework's
    return text


@pytest.fixture
def browser(db):
    return Client(raise_request_exception=False)


def test_a_path_with_a_trailing_slash_is_the_products_404(browser):
    response = browser.get("/graphql/")
    assert response.status_code == 404
    assert "<title>Not found · GraphQL API</title>" in page(response)


def test_a_csrf_failure_is_the_products_403(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "alice", "password": "x"})
    assert response.status_code == 403
    text = page(response)
    assert "<title>Form expired · GraphQL API</title>" in text
    assert "Reload the page" in text


def test_a_malformed_request_is_the_products_400(browser):
    response = browser.get("/", HTTP_HOST="evil.example")  # not in ALLOWED_HOSTS
    assert response.status_code == 400
    assert "<title>Bad request · GraphQL API</title>" in page(response)


def test_a_server_error_is_the_products_500(browser, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(home, "render", broken)
    response = browser.get("/")
    assert response.status_code == 500
    assert "<title>Server error · GraphQL API</title>" in page(response)


@pytest.mark.parametrize(("label", "enabled"), [("graphiql off", False), ("graphiql on", True)])
def test_the_nav_links_graphiql_only_when_it_is_served(browser, settings, label, enabled):
    settings.GRAPHIQL_ENABLED = enabled
    for path in ("/", "/accounts/login/", "/nowhere"):
        text = browser.get(path).content.decode()
        assert ('href="/graphql"' in text) is enabled, (path, text[:800])


def test_the_favicon_is_served(browser):
    response = browser.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
