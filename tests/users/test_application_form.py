"""SPEC §7.3: the client form speaks plainly: errors beside their fields without internal names, every
option explained, one-line inputs for one-line values, one name per thing on every page."""

import re

import pytest

from tests.users.test_applications import registration
from users.forms import EDITABLE_FIELDS
from users.models import Application

INTERNAL_WORDS = re.compile(r"redirect_uris|allowed_origins|grant_type|validation error|not allowed:", re.I)


@pytest.fixture
def staff(make_user, client):
    client.force_login(make_user("staff", is_staff=True))
    return client


def field_errors(response, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


@pytest.mark.parametrize(
    ("label", "fields", "field", "expected"),
    [
        (
            "authorization code without a redirect URI",
            {"client_type": "public", "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE},
            "redirect_uris",
            "The authorization code grant needs at least one redirect URI.",
        ),
        (
            "http redirect URI on a public host",
            {"authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE, "redirect_uris": "http://app.example"},
            "redirect_uris",
            "http://app.example: http is allowed only on 127.0.0.1, localhost or [::1]; use https.",
        ),
        (
            "redirect URI that is not an address",
            {"authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE, "redirect_uris": "app/callback"},
            "redirect_uris",
            "app/callback is not a full web address: write it like https://app.example.com.",
        ),
        (
            "origin with a path",
            {"allowed_origins": "https://app.example.com/spa"},
            "allowed_origins",
            "https://app.example.com/spa is not an origin: keep only the scheme, host and port, "
            "like https://app.example.com.",
        ),
        (
            "http origin on a public host",
            {"allowed_origins": "http://app.example.com"},
            "allowed_origins",
            "http://app.example.com: http is allowed only on 127.0.0.1, localhost or [::1]; use https.",
        ),
    ],
)
def test_a_refused_registration_says_why_beside_the_field_in_plain_words(staff, label, fields, field, expected):
    response = staff.post("/o/applications/register/", registration(**fields))
    assert response.status_code == 200
    assert field_errors(response, field) == [expected]
    assert response.context["form"].non_field_errors() == []
    visible_text = re.sub(r"<[^>]*>", " ", response.content.decode())
    assert not INTERNAL_WORDS.search(visible_text)


def test_every_option_says_what_it_does_and_one_line_values_are_one_line_inputs(staff):
    form = staff.get("/o/applications/register/").context["form"]
    assert list(form.fields) == list(EDITABLE_FIELDS)
    for name, field in form.fields.items():
        assert len(field.help_text) > 30, name
    page = staff.get("/o/applications/register/").content.decode()
    assert "<textarea" not in page
    assert "127.0.0.1, localhost or [::1]" in form.fields["redirect_uris"].help_text
    assert "127.0.0.1, localhost or [::1]" in form.fields["allowed_origins"].help_text


def test_skipping_consent_has_one_name_on_the_form_and_the_client_page(staff, make_application):
    app = make_application(skip_authorization=True)
    form = staff.get(f"/o/applications/{app.pk}/update/").content.decode()
    detail = staff.get(f"/o/applications/{app.pk}/").content.decode()
    assert '<label for="id_skip_authorization">Skip the consent page</label>' in form
    assert "<dt>Skip the consent page</dt><dd>yes</dd>" in detail
    assert "Skip consent<" not in detail


def test_a_valid_authorization_code_client_is_registered(staff):
    fields = {
        "client_type": "public",
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": "http://127.0.0.1:5173/callback.html https://app.example.com/cb",
        "allowed_origins": "http://127.0.0.1:5173 https://app.example.com",
    }
    response = staff.post("/o/applications/register/", registration(**fields))
    assert response.status_code == 201 and "is registered" in response.content.decode()


def test_require_dpop_is_offered_explained_and_shown_on_the_client_page(staff, make_application):
    app = make_application()
    form = staff.get(f"/o/applications/{app.pk}/update/").context["form"]
    assert form.fields["require_dpop"].label == "Require DPoP (tokens bound to a key)"
    assert "useless" in form.fields["require_dpop"].help_text
    app.require_dpop = True
    app.save()
    detail = staff.get(f"/o/applications/{app.pk}/").content.decode()
    assert "<dt>Require DPoP (tokens bound to a key)</dt>" in detail
    assert 'id="require_dpop">yes: every token request must carry a DPoP proof' in detail
