"""A person's steps in the browser, in words: sign in, authorize GraphiQL, run a query."""

import json
import re

from playwright.sync_api import Page, expect

PASSWORD = "correct-horse-battery"  # tests/conftest.py's make_user default


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def choose_scopes(page: Page, scopes: list[str]) -> None:
    for box in page.get_by_role("group", name="Scopes").get_by_role("checkbox").all():
        box.set_checked(box.get_attribute("value") in scopes)


def consent_to(page: Page, client_name: str, uncheck: tuple[str, ...] = ()) -> None:
    expect(page).to_have_title(re.compile(f"Authorize {client_name}"))
    for description in uncheck:
        page.get_by_label(description).uncheck()
    page.get_by_role("button", name="Authorize").click()


def consent(page: Page, uncheck: tuple[str, ...] = ()) -> None:
    consent_to(page, "GraphiQL", uncheck)


def authorize_graphiql(page: Page, server: str, scopes: list[str], username: str | None = "alice") -> None:
    """From GraphiQL: pick scopes, Authorize, sign in (when asked), approve; back in GraphiQL, signed in."""
    page.goto(f"{server}/graphql")
    choose_scopes(page, scopes)
    page.get_by_role("button", name="Authorize").click()
    if username:
        sign_in(page, username)
    consent(page)
    expect_signed_in(page)


def expect_signed_in(page: Page, username: str = "alice") -> None:
    page.wait_for_url(re.compile(r"/graphql$"))
    expect(page.get_by_role("status")).to_contain_text(f"Signed in as {username}")


def run_query(page: Page, query: str) -> dict:
    """Type the query into GraphiQL's editor, press the run button, read the result pane."""
    result = page.get_by_label("Result Window")
    before = result.inner_text()
    page.get_by_label("Query Editor").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(query)  # typed as text: CodeMirror does not auto-close brackets
    page.get_by_role("button", name=re.compile("^Execute query")).click()
    for _ in range(50):
        text = result.inner_text().replace("\u200b", "").replace("\xa0", " ")
        if text.strip() and text != before:
            try:
                return json.loads(text)
            except ValueError:
                pass  # still rendering
        page.wait_for_timeout(100)
    raise AssertionError(f"no new result in GraphiQL; the pane shows: {result.inner_text()!r}")


def session_token(page: Page) -> dict:
    return page.evaluate("JSON.parse(sessionStorage.getItem('graphiql.token'))")
