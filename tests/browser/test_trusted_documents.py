"""SPEC §8 and §7.3 in Chromium, as an admin does it: put a client in audit, see what it sends listed on
its page (hash, operation, first and last seen, count over 7 days), import those documents from a
manifest, switch the client to `only`, and remove the documents again."""

import hashlib
import json
import re

import requests
from playwright.sync_api import expect

from tests.browser.steps import sign_in
from tests.conftest import RECOMMENDED_ACCEPT

SENT = "query Profile { me { username firstName } }"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def send(server: str, token: str, query: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Accept": RECOMMENDED_ACCEPT}
    return requests.post(f"{server}/graphql", json={"query": query}, headers=headers, timeout=30)


def test_admin_audits_a_client_then_trusts_what_it_sends_and_allows_only_that(
    page, server, make_user, alice, make_application, make_token, tmp_path
):
    make_user("root", is_staff=True)
    app = make_application(name="Mobile app", allowed_scopes="read")
    token = make_token(alice, "read", application=app)
    page.goto(f"{server}/o/applications/{app.pk}/")
    sign_in(page, "root")
    expect(page).to_have_title(re.compile("Mobile app"))

    page.get_by_role("radio", name=re.compile(r"\baudit:")).check()
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("status")).to_have_text("Document policy: audit.")

    assert send(server, token, SENT).status_code == 200
    assert send(server, token, SENT).status_code == 200
    page.reload()
    audit = page.get_by_role("table", name=re.compile("Recorded while the policy is audit"))
    row = audit.get_by_role("row").filter(has_text=f"sha256:{digest(SENT)[:12]}")
    expect(row.get_by_role("cell")).to_have_text(
        [f"sha256:{digest(SENT)[:12]}…", "Profile", re.compile(r"\d{4}-\d\d-\d\d"), re.compile(r"\d{4}"), "2"]
    )

    manifest = tmp_path / "persisted-query-manifest.json"
    operation = {"id": digest(SENT), "name": "Profile", "type": "query", "body": SENT}
    manifest.write_text(
        json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": [operation]})
    )
    page.get_by_label("Documents to trust").set_input_files(str(manifest))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_have_text("Imported 1 new document of 1.")
    trusted = page.get_by_role("table", name="1 trusted document")
    expect(trusted.get_by_role("row").filter(has_text="Profile")).to_be_visible()

    page.get_by_role("radio", name=re.compile(r"\bonly:")).check()
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("status")).to_have_text("Document policy: only.")
    assert send(server, token, SENT).status_code == 200
    refused = send(server, token, "{ me { username } }")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"

    page.get_by_role("button", name="Remove Profile").click()
    expect(page.get_by_text("No trusted documents.")).to_be_visible()
    assert send(server, token, SENT).status_code == 403
