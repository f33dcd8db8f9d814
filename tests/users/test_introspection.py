"""SPEC §2: RFC 7662 introspection at /o/introspect/, only for callers holding the ``introspection`` scope.

Stock DOT 3.4.1 lets any client with valid credentials introspect any token (django-oauth-toolkit
issue 1451); ``users.views.introspect.IntrospectTokenView`` closes that hole, which these tests pin down."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from tests.users.client_side import basic_auth, sha256
from users.models import Application

AccessToken = get_access_token_model()
INTROSPECT = "/o/introspect/"
NEEDS_CREDENTIALS = "Authenticate as a client or with a token holding 'introspection'."


@pytest.fixture
def subject(alice, password_client):
    """The token being introspected: alice's, scopes ``read groups``."""
    raw = "subject-token-" + "x" * 30
    AccessToken.objects.create(
        user=alice,
        application=password_client,
        token=raw,
        scope="read groups",
        expires=timezone.now() + timedelta(seconds=600),
    )
    return raw


@pytest.fixture
def introspector(make_application):
    return make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes="introspection")


def introspect(token, authorization=None, **extra):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    return Client().post(INTROSPECT, {"token": token, **extra}, **headers)


def test_client_allowed_introspection_introspects_with_basic_credentials(introspector, subject, password_client):
    response = introspect(subject, basic_auth(introspector.client_id, introspector.raw_secret))
    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["active", "client_id", "exp", "scope", "username"]
    assert (body["active"], body["scope"], body["username"]) == (True, "read groups", "alice")
    assert body["client_id"] == password_client.client_id
    assert body["exp"] == int(AccessToken.objects.get(token_checksum=sha256(subject)).expires.timestamp())


def test_client_allowed_introspection_introspects_with_credentials_in_the_body(introspector, subject):
    response = introspect(subject, client_id=introspector.client_id, client_secret=introspector.raw_secret)
    assert response.status_code == 200
    assert response.json()["active"] is True


@pytest.mark.parametrize(
    "allowed_scopes",
    [
        pytest.param("read write groups", id="all-but-introspection"),
        pytest.param("read", id="read-only"),
        pytest.param("", id="no-scopes"),
    ],
)
@pytest.mark.parametrize("where", ["basic", "body"])
def test_confidential_client_without_introspection_is_403_insufficient_scope(
    make_application, subject, allowed_scopes, where
):
    """Fails on stock DOT 3.4.1, which answers 200 with the token's details (issue 1451)."""
    client = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes=allowed_scopes)
    if where == "basic":
        response = introspect(subject, basic_auth(client.client_id, client.raw_secret))
    else:
        response = introspect(subject, client_id=client.client_id, client_secret=client.raw_secret)
    assert response.status_code == 403
    assert response["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="introspection"'
    assert response.json() == {
        "error": "insufficient_scope",
        "error_description": "This client may not introspect tokens.",
    }


def test_bearer_token_with_introspection_scope_introspects(make_token, introspector, subject):
    bearer = make_token(scopes="introspection", application=introspector)
    response = introspect(subject, f"Bearer {bearer}")
    assert response.status_code == 200
    assert response.json()["username"] == "alice"


@pytest.mark.parametrize(
    "scopes",
    [pytest.param("read write groups", id="all-but-introspection"), pytest.param("read", id="read-only")],
)
def test_bearer_token_without_introspection_scope_is_403_insufficient_scope(alice, make_token, subject, scopes):
    bearer = make_token(alice, scopes=scopes)
    response = introspect(subject, f"Bearer {bearer}")
    assert response.status_code == 403
    assert response["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="introspection"'
    assert response.json() == {"error": "insufficient_scope", "error_description": NEEDS_CREDENTIALS}


@pytest.mark.parametrize(
    ("authorization", "error"),
    [
        pytest.param(lambda app, make_token: None, "invalid_client", id="no-credentials"),
        pytest.param(lambda app, make_token: "Bearer no-such-token", "invalid_token", id="unknown-bearer"),
        pytest.param(
            lambda app, make_token: "Bearer " + make_token(scopes="introspection", application=app, expires_in=-1),
            "invalid_token",
            id="expired-bearer-with-introspection",
        ),
        pytest.param(
            lambda app, make_token: basic_auth(app.client_id, "not-the-secret"),
            "invalid_client",
            id="wrong-client-secret",
        ),
    ],
)
def test_unauthenticated_introspection_is_401(introspector, make_token, subject, authorization, error):
    response = introspect(subject, authorization(introspector, make_token))
    assert response.status_code == 401
    # A client authenticates with HTTP Basic (RFC 6749 §5.2), a resource server's token with Bearer (RFC 6750).
    assert response["WWW-Authenticate"] == (
        'Basic realm="oauth2"' if error == "invalid_client" else 'Bearer error="invalid_token"'
    )
    assert response.json() == {"error": error, "error_description": NEEDS_CREDENTIALS}


def test_public_client_cannot_introspect_with_its_id_alone(make_application, subject):
    public = make_application(client_type="public", allowed_scopes="introspection")
    response = introspect(subject, client_id=public.client_id)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.fixture
def inactive_token(alice, make_token, password_client, password_grant):
    """inactive_token(kind) -> a token string that is not (or no longer) a live access token."""

    def make(kind: str) -> str:
        if kind == "unknown":
            return "no-such-token"
        if kind == "expired":
            return make_token(alice, expires_in=-1)
        pair = password_grant(password_client).json()
        if kind == "revoked":
            auth = basic_auth(password_client.client_id, password_client.raw_secret)
            assert (
                Client().post("/o/revoke_token/", {"token": pair["access_token"]}, HTTP_AUTHORIZATION=auth).status_code
                == 200
            )
        elif kind == "deactivated-user":
            alice.is_active = False
            alice.save()
        elif kind == "refresh-token":
            return pair["refresh_token"]
        return pair["access_token"]

    return make


@pytest.mark.parametrize("kind", ["unknown", "expired", "revoked", "deactivated-user", "refresh-token"])
def test_unknown_expired_revoked_and_deactivated_users_tokens_are_indistinguishable(introspector, inactive_token, kind):
    """RFC 7662 §2.2: an inactive token is ``{"active": false}`` and nothing more, whatever the reason."""
    token = inactive_token(kind)
    response = introspect(token, basic_auth(introspector.client_id, introspector.raw_secret))
    assert response.status_code == 200
    assert response.json() == {"active": False}


def test_missing_token_parameter_is_400_invalid_request(introspector):
    auth = basic_auth(introspector.client_id, introspector.raw_secret)
    response = Client().post(INTROSPECT, {}, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("allowed", "scope"),
    [
        pytest.param("read write groups", "read groups", id="unchanged"),
        pytest.param("read write", "read", id="groups-removed"),
        pytest.param("write", "", id="every-granted-scope-removed"),
    ],
)
def test_narrowing_the_client_narrows_the_introspected_scope(introspector, password_client, subject, allowed, scope):
    """SPEC §2: a live token holds at most what its client is allowed now, in introspection as on /graphql."""
    password_client.allowed_scopes = allowed
    password_client.save()
    response = introspect(subject, basic_auth(introspector.client_id, introspector.raw_secret))
    assert response.status_code == 200
    assert (response.json()["active"], response.json()["scope"]) == (True, scope)


def test_a_bearer_token_whose_client_lost_introspection_is_403(make_token, introspector, subject):
    bearer = make_token(scopes="introspection", application=introspector)
    introspector.allowed_scopes = "read"
    introspector.save()
    response = introspect(subject, f"Bearer {bearer}")
    assert response.status_code == 403
    assert response.json() == {"error": "insufficient_scope", "error_description": NEEDS_CREDENTIALS}
