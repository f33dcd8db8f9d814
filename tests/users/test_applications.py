"""SPEC §2.3: client registration and editing at /o/applications/ are for staff; secrets are shown once."""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.test import Client

from tests.users.client_side import basic_auth
from users.builtin_clients import GRAPHIQL_CLIENT_ID
from users.models import Application

PAGES = [
    pytest.param("/o/applications/", id="list"),
    pytest.param("/o/applications/register/", id="register"),
    pytest.param("/o/applications/{pk}/", id="detail"),
    pytest.param("/o/applications/{pk}/update/", id="update"),
    pytest.param("/o/applications/{pk}/delete/", id="delete"),
]


def registered():
    """The clients these tests register: the built-in GraphiQL client (a data migration) is always there."""
    return Application.objects.exclude(client_id=GRAPHIQL_CLIENT_ID)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(make_user):
    return signed_in(make_user("staff", is_staff=True))


def registration(**fields):
    form = {
        "name": "Inventory service",
        "client_type": "confidential",
        "authorization_grant_type": Application.GRANT_PASSWORD,
        "allowed_scopes": "read write",
        "redirect_uris": "",
        "post_logout_redirect_uris": "",
        "allowed_origins": "",
    }
    return {**form, **fields}


@pytest.mark.parametrize("page", PAGES)
def test_signed_out_person_is_sent_to_the_login_page(password_client, page):
    url = page.format(pk=password_client.pk)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_in_non_staff_user_gets_403(alice, password_client, page, method):
    url = page.format(pk=password_client.pk)
    response = getattr(signed_in(alice), method)(url, registration(allowed_scopes="read write groups introspection"))
    assert response.status_code == 403
    assert list(registered().values_list("name", "allowed_scopes")) == [("tutorial-client", "read write groups")]


def test_staff_sees_the_list_of_applications(staff, password_client, make_application):
    make_application(name="another-client")
    response = staff.get("/o/applications/")
    assert response.status_code == 200
    listed = [app.name for app in response.context["applications"] if app.client_id != GRAPHIQL_CLIENT_ID]
    assert listed == ["another-client", "tutorial-client"]


def test_staff_registration_shows_the_generated_secret_once_with_201(staff):
    response = staff.post("/o/applications/register/", registration())
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]  # never_cache: no cache keeps the secret
    application = registered().get()
    secret = response.context["client_secret"]
    assert len(secret) >= 32
    assert f'value="{secret}"' in response.content.decode()
    assert application.client_id in response.content.decode()
    assert (application.allowed_scopes, application.authorization_grant_type) == ("read write", "password")
    assert application.user.username == "staff"


def test_registered_secret_is_stored_hashed_and_authenticates(staff, alice, token_endpoint):
    response = staff.post("/o/applications/register/", registration())
    secret = response.context["client_secret"]
    application = registered().get()
    assert application.client_secret != secret
    identify_hasher(application.client_secret)  # a raw secret raises ValueError
    assert check_password(secret, application.client_secret)
    token = token_endpoint(
        authorization=basic_auth(application.client_id, secret),
        grant_type="password",
        username="alice",
        password="correct-horse-battery",
    )
    assert token.status_code == 200


def test_generated_secrets_differ_per_registration(staff):
    first = staff.post("/o/applications/register/", registration(name="one")).context["client_secret"]
    second = staff.post("/o/applications/register/", registration(name="two")).context["client_secret"]
    assert first != second


def test_secret_posted_by_the_registrant_is_ignored(staff):
    response = staff.post("/o/applications/register/", registration(client_secret="chosen-by-me"))
    assert response.context["client_secret"] != "chosen-by-me"
    assert not check_password("chosen-by-me", registered().get().client_secret)


def test_detail_page_shows_allowed_scopes_but_never_the_secret(staff, password_client):
    response = staff.get(f"/o/applications/{password_client.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<p id="allowed_scopes">read write groups</p>' in page
    assert password_client.client_id in page
    assert password_client.raw_secret not in page
    assert registered().get().client_secret not in page


def test_update_changes_allowed_scopes_and_keeps_the_secret(staff, password_client):
    response = staff.post(
        f"/o/applications/{password_client.pk}/update/",
        registration(name="tutorial-client", allowed_scopes="read"),
    )
    assert response.status_code == 302
    application = registered().get()
    assert application.allowed_scopes == "read"
    assert check_password(password_client.raw_secret, application.client_secret)


def test_update_page_does_not_show_the_secret(staff, password_client):
    response = staff.get(f"/o/applications/{password_client.pk}/update/")
    assert response.status_code == 200
    assert "client_secret" not in response.context["form"].fields
    assert registered().get().client_secret not in response.content.decode()


def test_staff_can_delete_an_application(staff, password_client):
    response = staff.post(f"/o/applications/{password_client.pk}/delete/")
    assert response.status_code == 302
    assert registered().count() == 0


@pytest.mark.parametrize("page", ["/o/applications/register/", "/o/applications/{pk}/update/"])
def test_implicit_grant_is_not_offered(staff, password_client, page):
    response = staff.get(page.format(pk=password_client.pk))
    choices = [value for value, _ in response.context["form"].fields["authorization_grant_type"].choices]
    assert choices == ["authorization-code", Application.GRANT_DEVICE_CODE, "password", "client-credentials"]


def test_registering_an_implicit_client_is_refused(staff):
    form = registration(authorization_grant_type="implicit", redirect_uris="https://example.com/cb")
    response = staff.post("/o/applications/register/", form)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["authorization_grant_type"]
    assert registered().count() == 0


@pytest.mark.parametrize(
    "redirect_uri",
    [
        pytest.param("https://example.com/cb", id="https"),
        pytest.param("http://127.0.0.1:5000/cb", id="http-127.0.0.1"),
        pytest.param("http://localhost:5173/callback", id="http-localhost"),
        pytest.param("http://[::1]:8080/cb", id="http-ipv6-loopback"),
    ],
)
def test_redirect_uri_https_or_http_loopback_is_accepted(staff, redirect_uri):
    form = registration(authorization_grant_type="authorization-code", redirect_uris=redirect_uri)
    response = staff.post("/o/applications/register/", form)
    assert response.status_code == 201
    assert registered().get().redirect_uris == redirect_uri


@pytest.mark.parametrize(
    "redirect_uris",
    [
        pytest.param("http://example.com/cb", id="http-non-loopback"),
        pytest.param("https://example.com/cb http://example.com/cb", id="one-of-two-http"),
        pytest.param("http://127.0.0.1.example.com/cb", id="loopback-lookalike"),
        pytest.param("javascript:alert(1)", id="javascript-scheme"),
        pytest.param("https://example.com/cb#frag", id="fragment"),
    ],
)
def test_redirect_uri_http_for_non_loopback_or_malformed_is_refused(staff, redirect_uris):
    form = registration(authorization_grant_type="authorization-code", redirect_uris=redirect_uris)
    response = staff.post("/o/applications/register/", form)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["redirect_uris"]
    assert registered().count() == 0


@pytest.mark.parametrize(
    "allowed_scopes",
    [
        pytest.param("read admin", id="one-unknown"),
        pytest.param("__all__", id="all-marker"),
        pytest.param("READ", id="wrong-case"),
    ],
)
def test_allowed_scopes_with_an_unknown_scope_is_refused(staff, allowed_scopes):
    response = staff.post("/o/applications/register/", registration(allowed_scopes=allowed_scopes))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["allowed_scopes"]
    assert registered().count() == 0


def test_allowed_scopes_default_to_read(staff):
    form = registration()
    del form["allowed_scopes"]
    staff.post("/o/applications/register/", form)
    assert registered().get().allowed_scopes == "read"


def test_superuser_can_open_the_admin_add_application_page(make_user):
    admin = signed_in(make_user("root", is_staff=True, is_superuser=True))
    response = admin.get("/admin/users/application/add/")
    assert response.status_code == 200
    assert "allowed_scopes" in response.context["adminform"].form.fields
