"""One function decides a request's id (users/request_ids.py): the first middleware and every fallback
(the /graphql error paths, the OAuth2 endpoints' 500) agree (issue 16, item 12)."""

import pytest
from django.test import RequestFactory

from schema.authentication import request_id_of as graphql_request_id
from users.request_ids import request_id_of


@pytest.mark.parametrize("incoming, kept", [("abc-123.X_y", True), ("bad id!", False), ("x" * 129, False)])
def test_an_incoming_id_is_kept_only_when_safe_even_without_the_middleware(incoming, kept):
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID=incoming)
    request_id = request_id_of(request)
    assert (request_id == incoming) is kept
    assert request_id_of(request) == request_id == request.request_id  # decided once


def test_graphql_uses_the_same_function():
    assert graphql_request_id is request_id_of


def test_the_oauth2_endpoints_500_names_the_incoming_id():
    from users.views.base import server_error

    request = RequestFactory().post("/o/token/", HTTP_X_REQUEST_ID="lb-42")
    assert server_error(request).content.decode().count('"request_id": "lb-42"') == 1


def test_every_response_carries_the_incoming_id(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-42")["X-Request-ID"] == "lb-42"
