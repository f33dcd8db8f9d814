"""SPEC §8 and §7.3: a client's page lists its trusted documents, imports them from an upload (all or
nothing, each refusal in plain words), removes one or all, sets the policy, and lists the audit."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from users.models import DocumentSighting, TrustedDocument
from users.trusted_documents import record_sighting

ME = "query Me { me { username } }"
GROUPS = "query Groups { groups(first: 5) { edges { node { name } } } }"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def manifest(*texts: str) -> SimpleUploadedFile:
    operations = [{"id": digest(t), "name": t.split()[1], "type": "query", "body": t} for t in texts]
    body = json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations})
    return SimpleUploadedFile("persisted-query-manifest.json", body.encode(), "application/json")


@pytest.fixture
def staff(make_user):
    client = Client()
    client.force_login(make_user("staff", is_staff=True))
    return client


@pytest.fixture
def app(make_application):
    return make_application(name="mobile", allowed_scopes="read")


def page(app) -> str:
    return f"/o/applications/{app.pk}/"


def test_upload_imports_the_documents_and_lists_them(staff, app):
    response = staff.post(f"{page(app)}documents/", {"files": [manifest(ME)]}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Imported 1 new document of 1." in html
    assert f"sha256:{digest(ME)[:12]}" in html and ">Me<" in html
    assert TrustedDocument.objects.filter(application=app).count() == 1


def test_graphql_files_upload_together(staff, app):
    files = [SimpleUploadedFile("me.graphql", ME.encode()), SimpleUploadedFile("b.graphql", b"query B { me { id } }")]
    staff.post(f"{page(app)}documents/", {"files": files})
    assert TrustedDocument.objects.filter(application=app).count() == 2


def test_a_refused_upload_imports_nothing_and_says_why_next_to_the_field(staff, app):
    response = staff.post(f"{page(app)}documents/", {"files": [manifest(ME, GROUPS)]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "Groups (sha256:" in html and "needs the &#x27;groups&#x27; scope" in html
    assert TrustedDocument.objects.filter(application=app).count() == 0


def test_an_upload_without_a_file_is_refused(staff, app):
    response = staff.post(f"{page(app)}documents/", {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_remove_one_and_remove_all(staff, app):
    staff.post(f"{page(app)}documents/", {"files": [manifest(ME, "query B { me { id } }")]})
    staff.post(f"{page(app)}documents/remove/", {"document": digest(ME)})
    assert list(TrustedDocument.objects.values_list("operation_name", flat=True)) == ["B"]
    staff.post(f"{page(app)}documents/remove/", {"all": "1"})
    assert TrustedDocument.objects.count() == 0


def test_policy_choice(staff, app):
    assert 'value="any" ' in staff.get(page(app)).content.decode().replace("checked", "")
    response = staff.post(f"{page(app)}documents/policy/", {"trusted_documents": "only"}, follow=True)
    app.refresh_from_db()
    assert app.trusted_documents == "only"
    assert "Document policy: only." in response.content.decode()


def test_audit_list_shows_hash_operation_first_and_last_seen_and_the_count_over_7_days(staff, app):
    now = timezone.now()
    old = digest("query Old { me { id } }")
    record_sighting(app.pk, old, "Old", now - timedelta(days=8))
    record_sighting(app.pk, old, "Old", now - timedelta(days=2))
    for _ in range(3):
        record_sighting(app.pk, digest(ME), "Me", now)
    assert DocumentSighting.objects.filter(application=app).count() == 3  # per hash and day
    html = staff.get(page(app)).content.decode()
    rows = html.split("Documents it sent that are not trusted")[1].split("<tr>")[2:]
    assert f"sha256:{digest(ME)[:12]}" in rows[0] and ">Me<" in rows[0] and "<td>3</td>" in rows[0]
    assert f"sha256:{old[:12]}" in rows[1] and "<td>1</td>" in rows[1]
    assert (now - timedelta(days=8)).strftime("%Y-%m-%d") in rows[1]


@pytest.mark.parametrize("path", ["documents/", "documents/remove/", "documents/policy/"])
def test_non_staff_cannot_change_documents(alice, app, path):
    client = Client()
    client.force_login(alice)
    assert client.post(f"{page(app)}{path}", {"all": "1", "trusted_documents": "only"}).status_code == 403


def test_signed_out_person_is_sent_to_sign_in(app):
    response = Client().post(f"{page(app)}documents/policy/", {"trusted_documents": "only"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
