"""SPEC §7.2: which origins get CORS headers, per endpoint, from the clients' allowed_origins."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.users.client_side import basic_auth
from users import cors
from users.models import Application

SPA = "http://127.0.0.1:5173"
OTHER_SPA = "https://other.example.com"
EXPOSED = (
    "WWW-Authenticate, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, Retry-After, X-Request-ID, X-RateLimit-Limit, "
    "X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Reset, X-RateLimit-Resource, DPoP-Nonce"
)


@pytest.fixture
def spa(make_application):
    return make_application(
        name="spa",
        grant=Application.GRANT_AUTHORIZATION_CODE,
        client_type="public",
        redirect_uris=f"{SPA}/callback",
        allowed_origins=SPA,
    )


@pytest.fixture
def other(make_application):
    return make_application(name="other", allowed_origins=OTHER_SPA)


def preflight(path, origin, headers="authorization, content-type, dpop"):
    return Client().options(
        path, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers
    )


@pytest.mark.parametrize("path", ["/graphql", "/o/token/", "/o/revoke_token/", "/o/userinfo/"])
def test_preflight_from_a_listed_origin_is_allowed_without_credentials(spa, path):
    response = preflight(path, SPA)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SPA
    assert response["Access-Control-Allow-Headers"] == "authorization, content-type, dpop"  # SPEC §7.2
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("path", ["/graphql", "/o/token/", "/o/userinfo/"])
def test_an_origin_no_client_lists_gets_no_cors_headers(spa, path):
    response = preflight(path, "http://127.0.0.1:9999")
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


def test_graphql_answers_any_clients_origin_and_exposes_the_api_headers(spa, other, graphql):
    for origin in (SPA, OTHER_SPA):
        response = graphql("{ __typename }", headers={"HTTP_ORIGIN": origin}).headers
        assert response["Access-Control-Allow-Origin"] == origin
        assert response["Access-Control-Expose-Headers"] == EXPOSED


def spelled(header: str, how: str) -> str:
    """The same HTTP Basic credentials in the spellings the token endpoint accepts (users.client_auth)."""
    encoded = header.removeprefix("Basic ")
    return {
        "basic": header,
        "basic, no padding": "Basic " + encoded.rstrip("="),
        "basic, extra padding": "Basic " + encoded.rstrip("=") + "===",
        "basic, spaces": "basic  " + encoded + " ",
    }[how]


@pytest.mark.parametrize("how", ["body", "basic", "basic, no padding", "basic, extra padding", "basic, spaces"])
def test_token_endpoint_answers_only_the_calling_clients_own_origin(spa, other, how):
    """The origin is decided for the client the endpoint itself read, however its credentials are spelled."""

    def token_request(origin, application):
        data = {"grant_type": "client_credentials"}
        extra = {"HTTP_ORIGIN": origin}
        if how.startswith("basic"):
            extra["HTTP_AUTHORIZATION"] = spelled(basic_auth(application.client_id, "wrong-but-long-enough-" * 3), how)
        else:
            data["client_id"] = application.client_id
        return Client().post("/o/token/", data, **extra)

    assert token_request(SPA, spa)["Access-Control-Allow-Origin"] == SPA
    assert "Access-Control-Allow-Origin" not in token_request(SPA, other)  # another client's origin
    assert "Access-Control-Allow-Origin" not in token_request(OTHER_SPA, spa)


def test_a_broken_basic_header_gets_no_cors_headers_and_no_500(spa):
    response = Client().post("/o/token/", {}, HTTP_ORIGIN=SPA, HTTP_AUTHORIZATION="Basic %%%")
    assert response.status_code < 500
    assert "Access-Control-Allow-Origin" not in response


def test_a_change_to_a_clients_origins_applies_on_the_next_request(spa, graphql):
    new = "https://new.example.com"
    assert "Access-Control-Allow-Origin" not in graphql("{ __typename }", headers={"HTTP_ORIGIN": new}).headers
    spa.allowed_origins = new
    spa.save()
    assert graphql("{ __typename }", headers={"HTTP_ORIGIN": new}).headers["Access-Control-Allow-Origin"] == new
    assert "Access-Control-Allow-Origin" not in graphql("{ __typename }", headers={"HTTP_ORIGIN": SPA}).headers
    spa.delete()
    assert "Access-Control-Allow-Origin" not in graphql("{ __typename }", headers={"HTTP_ORIGIN": new}).headers


def test_cached_origins_cost_one_query_for_their_generation(spa, django_assert_num_queries):
    """Not the clients' rows: the generation that says whether the cached origins are current (SPEC §6)."""
    cors.origins_by_client()
    with django_assert_num_queries(1):
        assert SPA in cors.origins_by_client()[spa.client_id]


@pytest.mark.parametrize(
    "origin, ok",
    [
        pytest.param("https://app.example.com", True, id="https"),
        pytest.param("http://127.0.0.1:5173", True, id="http-loopback"),
        pytest.param("http://localhost:3000", True, id="http-localhost"),
        pytest.param("http://app.example.com", False, id="http-non-loopback"),
        pytest.param("https://app.example.com/path", False, id="with-path"),
    ],
)
def test_allowed_origins_are_https_or_http_on_loopback(spa, origin, ok):
    spa.allowed_origins = origin
    if ok:
        spa.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            spa.full_clean()
        assert list(error.value.message_dict) == ["allowed_origins"]
