"""SPEC §2.3, §7.3: an admin registers a client in the browser and the credentials shown once work."""

import os
import re
from pathlib import Path

import requests
from playwright.sync_api import expect

from tests.browser.steps import sign_in

DOCS = Path(__file__).parents[2] / "docs"


def test_admin_registers_a_client_and_the_shown_credentials_work(page, server, make_user):
    make_user("root", is_staff=True)
    page.goto(f"{server}/o/applications/register/")
    sign_in(page, "root")
    expect(page).to_have_title(re.compile("Register an application"))
    page.get_by_label("Name").fill("Inventory service")
    page.get_by_label("Client type").select_option("confidential")
    page.get_by_label("Authorization grant type").select_option("client-credentials")
    page.get_by_label("Allowed scopes").fill("read groups")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading")).to_have_text("Inventory service is registered")
    client_id = page.get_by_label("Client id").input_value()
    secret = page.get_by_label("Client secret").input_value()
    if os.environ.get("SAVE_DOCS_SCREENSHOTS") == "1":
        page.screenshot(path=str(DOCS / "client-registration.png"))
    token = requests.post(
        f"{server}/o/token/",
        data={"grant_type": "client_credentials", "scope": "read groups"},
        auth=(client_id, secret),
    )
    assert token.status_code == 200
    assert token.json()["scope"] == "read groups"


def test_a_non_staff_user_lands_on_the_home_page_not_a_403(page, server, alice):
    page.goto(f"{server}/accounts/login/")
    sign_in(page, "alice")
    expect(page).to_have_title(re.compile("^Home"))
    expect(page.get_by_role("link", name="Explore the API in GraphiQL")).to_be_visible()
    expect(page.get_by_role("link", name="Client registry")).to_have_count(0)
    page.get_by_role("button", name="Sign out").first.click()
    expect(page).to_have_title(re.compile("^Signed out"))


def test_save_looks_like_the_primary_action_and_cancel_does_not(page, server, make_user):
    make_user("root", is_staff=True)
    page.goto(f"{server}/o/applications/register/")
    sign_in(page, "root")
    background = "(element) => getComputedStyle(element).backgroundColor"
    save = page.get_by_role("button", name="Save").evaluate(background)
    cancel = page.get_by_role("link", name="Cancel").evaluate(background)
    assert save != cancel
    assert save == "rgb(29, 78, 216)"  # the accent, as on every primary button
    # One-line values get one-line inputs, each with its help beside it.
    expect(page.get_by_label("Redirect URIs")).to_have_attribute("type", "text")
    expect(page.get_by_label("Allowed origins")).to_have_attribute("type", "text")
    expect(page.get_by_text("127.0.0.1, localhost or [::1]").first).to_be_visible()


def test_a_clients_page_shows_its_activity_as_a_chart(page, server, make_user, alice, make_application, make_token):
    make_user("root", is_staff=True)
    app = make_application(name="Inventory service")
    token = make_token(user=alice, application=app)
    for _ in range(2):
        requests.post(
            f"{server}/graphql", json={"query": "{ me { username } }"}, headers={"Authorization": f"Bearer {token}"}
        )
    page.goto(f"{server}/o/applications/{app.pk}/")
    sign_in(page, "root")
    chart = page.get_by_role("img", name="Requests per hour to /graphql over the last 24 hours")
    expect(chart).to_be_visible()
    expect(chart).to_have_accessible_name(re.compile("2 in all"))
    expect(page.get_by_role("cell", name="alice")).to_be_visible()
    if os.environ.get("SAVE_DOCS_SCREENSHOTS") == "1":
        page.screenshot(path=str(DOCS / "client-page.png"), full_page=True)
