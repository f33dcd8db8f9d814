"""SPEC §2: a NUL in any parameter of any endpoint or page is a 400 (JSON at OAuth2's machine endpoints,
the product's page elsewhere), never a 500 and never a page that carries it on (issue 16, item 2)."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.users.client_side import REDIRECT_URI, pkce_pair
from users.models import Application

PAGES_GET = [
    ("authorize client_id", "/o/authorize/", "client_id"),
    ("authorize state", "/o/authorize/", "state"),
    ("authorize nonce", "/o/authorize/", "nonce"),
    ("authorize resource", "/o/authorize/", "resource"),
    ("authorize redirect_uri", "/o/authorize/", "redirect_uri"),
    ("authorize unknown name", "/o/authorize/", "x\x00"),
    ("home", "/", "next"),
    ("login", "/accounts/login/", "next"),
    ("authorized tokens", "/o/authorized_tokens/", "page"),
    ("applications", "/o/applications/", "q"),
]
FORMS_POST = [
    ("authorize state", "/o/authorize/", "state"),
    ("authorize nonce", "/o/authorize/", "nonce"),
    ("login username", "/accounts/login/", "username"),
    ("admin login password", "/admin/login/", "password"),
    ("register name", "/o/applications/register/", "name"),
    ("logout", "/accounts/logout/", "next"),
]
JSON_ENDPOINTS = ["/o/token/", "/o/revoke_token/", "/o/introspect/", "/o/userinfo/"]


@pytest.fixture
def staff_browser(make_user):
    client = Client()
    client.force_login(make_user("staff", is_staff=True))
    return client


@pytest.fixture
def authorization_request(make_application):
    application = make_application(
        grant=Application.GRANT_AUTHORIZATION_CODE, redirect_uris=REDIRECT_URI, allowed_scopes="read openid"
    )
    _, challenge = pkce_pair()
    return {
        "client_id": application.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid read",
        "state": "s",
        "nonce": "n",
        "resource": "https://api.example.com/graphql",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def assert_page_400(response):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Null characters are not allowed." in response.content.decode()


@pytest.mark.parametrize("label, path, name", PAGES_GET, ids=[case[0] for case in PAGES_GET])
@pytest.mark.parametrize("spelling", ["escaped", "raw"])
def test_a_nul_in_a_query_parameter_of_a_page_is_a_400(
    staff_browser, authorization_request, label, path, name, spelling
):
    params = {**authorization_request, name: "a\x00b"} if path == "/o/authorize/" else {name: "a\x00b"}
    query = urlencode(params)
    if spelling == "raw":
        query = query.replace("%00", "\x00")
    assert_page_400(staff_browser.get(f"{path}?{query}"))


@pytest.mark.parametrize("label, path, name", FORMS_POST, ids=[case[0] for case in FORMS_POST])
@pytest.mark.parametrize("encoding", ["form", "multipart"])
def test_a_nul_in_a_form_field_of_a_page_is_a_400(staff_browser, authorization_request, label, path, name, encoding):
    data = {**authorization_request, "allow": "Authorize", name: "a\x00b"}
    if encoding == "form":
        response = staff_browser.post(path, urlencode(data), content_type="application/x-www-form-urlencoded")
    else:
        response = staff_browser.post(path, data)
    assert_page_400(response)


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
@pytest.mark.parametrize("where", ["query", "body"])
def test_a_nul_at_a_machine_endpoint_is_a_json_invalid_request(db, path, where):
    client = Client()
    if where == "query":
        response = client.get(f"{path}?token=a%00b") if path == "/o/userinfo/" else client.post(f"{path}?x=%00")
    else:
        response = client.post(path, "token=a%00b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "error": "invalid_request",
        "error_description": "Null characters are not allowed.",
    }


def test_an_escaped_percent_is_not_a_nul(staff_browser):
    assert staff_browser.get("/?next=%2500").status_code == 200


@pytest.mark.parametrize("query", ["query=%7B%20me%00%20%7D", "query=%7B__typename%7D&operationName=a%00"])
def test_graphql_answers_a_nul_in_its_own_shape(db, query):
    """A request error of GraphQL over HTTP: 400 as application/graphql-response+json, 200 with errors
    and no data to a legacy application/json client (SPEC §5), never a 500."""
    for accept, status in (("application/graphql-response+json", 400), ("application/json", 200)):
        response = Client().get(f"/graphql?{query}", HTTP_ACCEPT=accept)
        assert response.status_code == status
        body = json.loads(response.content)
        assert body["errors"][0]["extensions"]["code"] and "data" not in body
