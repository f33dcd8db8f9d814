"""SPEC §7.1: GraphiQL's page is this server's static files only, under a strict CSP, and can be off."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

VENDOR = Path(__file__).parents[2] / "schema" / "static" / "graphiql" / "vendor"


def graphiql(path="/graphql"):
    return Client().get(path, HTTP_ACCEPT="text/html")


def test_graphiql_is_served_under_a_strict_content_security_policy(db):
    response = graphiql()
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy.startswith("default-src 'self';")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "Cache-Control" in response and "no-store" in response["Cache-Control"]


def test_the_style_nonce_changes_with_every_response(db):
    nonces = {re.search(r"'nonce-([^']+)'", graphiql()["Content-Security-Policy"]).group(1) for _ in range(2)}
    assert len(nonces) == 2


@pytest.mark.parametrize("path", ["/graphql", "/graphql/callback"])
def test_every_script_and_stylesheet_is_a_static_file_of_this_app(db, path):
    page = graphiql(path).content.decode()
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', page)
    assert assets and all(url.startswith("/static/") for url in assets)
    for url in assets:
        assert finders.find(url.removeprefix("/static/")), url
    # The only script element without src is the configuration, which the browser does not run.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == [
        '<script id="graphiql-config" type="application/json">'
    ]


@pytest.mark.parametrize("library", ["graphiql", "react", "react-dom"])
def test_each_vendored_library_has_its_version_and_licence(library):
    assert (VENDOR / library / "LICENSE").read_text().strip()
    assert (VENDOR / library / "VERSION").read_text().startswith(f"{library} ")


def test_with_graphiql_off_a_browser_gets_the_api_answer_and_no_callback_page(db, settings):
    settings.GRAPHIQL_ENABLED = False
    # A browser's navigation also accepts */* (SPEC §5: application/json); text/html alone would be a 406.
    response = Client().get("/graphql", HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert response["Content-Type"].startswith("application/json")
    assert response.status_code == 400
    assert graphiql("/graphql/callback").status_code == 404


def test_the_page_names_this_origins_callback_as_redirect_uri(db):
    assert '"redirectUri": "http://testserver/graphql/callback"' in graphiql().content.decode()
