"""SPEC §6, §7.3: the production command alone serves a finished site: the app serves its own static
files (WhiteNoise: content-hashed names, compressed, cached for a year) and its own error pages."""

import re

import pytest
import requests

from tests.fleet.servers import production_env

pytestmark = pytest.mark.slow


@pytest.fixture
def production(database_url, redis_url, servers):
    return servers(production_env(database_url, redis_url), "production", workers=1)


def test_pages_link_hashed_static_files_that_the_app_serves_compressed_and_cacheable(production):
    home = requests.get(f"{production.url}/", timeout=10)
    assert home.status_code == 200
    stylesheet = re.search(r'href="(/static/users/site\.[0-9a-f]{12}\.css)"', home.text)
    assert stylesheet, home.text[:1000]
    css = requests.get(f"{production.url}{stylesheet[1]}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert css.headers["Content-Encoding"] == "gzip"
    assert "immutable" in css.headers["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", css.headers["Cache-Control"])[1])
    assert max_age >= 365 * 24 * 3600
    assert "--accent" in css.text


def test_the_admin_is_styled_too(production):
    login = requests.get(f"{production.url}/admin/login/", timeout=10)
    sheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.text)
    assert sheet and requests.get(f"{production.url}{sheet[1]}", timeout=10).status_code == 200


def test_the_favicon_is_served(production):
    icon = requests.get(f"{production.url}/favicon.ico", timeout=10)
    assert icon.status_code == 200
    assert icon.headers["Content-Type"].startswith("image/svg+xml")


@pytest.mark.parametrize(
    ("label", "method", "path", "headers", "status", "heading"),
    [
        ("trailing slash", "get", "/graphql/", {}, 404, "Not found"),
        ("no such page", "get", "/no/such/page", {}, 404, "Not found"),
        ("csrf failure", "post", "/accounts/login/", {}, 403, "This form has expired"),
        ("unknown host", "get", "/", {"Host": "evil.example"}, 400, "Bad request"),
    ],
)
def test_framework_errors_get_the_products_pages(production, label, method, path, headers, status, heading):
    response = requests.request(method, f"{production.url}{path}", headers=headers, timeout=10)
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in response.text
    assert re.search(r'href="/static/users/site\.[0-9a-f]{12}\.css"', response.text)
