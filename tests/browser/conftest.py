"""Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by Playwright
against the app served on 127.0.0.1, with a screenshot of every test's last page in artifacts/."""

import importlib
import os
from pathlib import Path

import pytest
from pytest_django.live_server_helper import LiveServer

from users.models import Application

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"

# Every CSP violation the page meets is kept, so a test can assert there were none.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.fspath).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def chromium():
    """One browser per module. Module-scoped, not session: while Playwright's sync API is open its event
    loop runs in this thread, and Django refuses ORM calls there unless DJANGO_ALLOW_ASYNC_UNSAFE says
    the test's own (synchronous) ORM calls between browser steps are fine; tests after these get neither."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installed it: a missing browser is a broken run, not a skip
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def loopback_server(django_db_setup, django_db_blocker):
    # pytest-django's live_server listens on "localhost"; the SPEC's loopback origins are 127.0.0.1.
    server = LiveServer("127.0.0.1")
    yield server
    server.stop()


@pytest.fixture
def server(loopback_server, transactional_db):
    """The app's origin, with the migration's GraphiQL client back after the previous test's flush."""
    graphiql = importlib.import_module("users.migrations.0002_graphiql_client").GRAPHIQL
    # 0009_graphiql_requires_dpop: GraphiQL's tokens are DPoP-bound.
    Application.objects.get_or_create(client_id=graphiql["client_id"], defaults={**graphiql, "require_dpop": True})
    return loopback_server.url


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.requested = []
    page.on("request", lambda r: page.requested.append(r.url))
    page.add_init_script(WATCH_CSP)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()
