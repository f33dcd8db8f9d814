"""SPEC §2: refresh tokens rotate on every use; a replay revokes the whole family; scopes never widen."""

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from tests.users.client_side import sha256

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
ME = "{ me { username } }"


@pytest.fixture
def refresh(token_endpoint, password_client):
    def post(refresh_token, scope=None, application=None):
        return token_endpoint(
            application or password_client, grant_type="refresh_token", refresh_token=refresh_token, scope=scope
        )

    return post


@pytest.fixture
def issued(password_client, password_grant):
    """The tutorial's first token response, scopes ``read groups``."""
    return password_grant(password_client, scope="read groups").json()


def test_refresh_issues_a_new_access_and_refresh_token(issued, refresh):
    response = refresh(issued["refresh_token"])
    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["access_token", "expires_in", "refresh_token", "scope", "token_type"]
    assert (body["scope"], body["expires_in"]) == ("read groups", 1200)
    assert body["refresh_token"] != issued["refresh_token"]
    assert body["access_token"] != issued["access_token"]


def test_each_refresh_rotates_the_refresh_token(issued, refresh):
    seen = [issued["refresh_token"]]
    for _ in range(3):
        response = refresh(seen[-1])
        assert response.status_code == 200
        seen.append(response.json()["refresh_token"])
    assert len(set(seen)) == 4
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 1
    assert RefreshToken.objects.filter(revoked__isnull=False).count() == 3
    assert AccessToken.objects.count() == 1


def test_refresh_retires_the_previous_access_token(issued, refresh, graphql):
    new = refresh(issued["refresh_token"]).json()
    old_answer = graphql(ME, token=issued["access_token"])
    assert old_answer.status == 401
    assert old_answer.codes == ["INVALID_TOKEN"]
    assert graphql(ME, token=new["access_token"]).data == {"me": {"username": "alice"}}


def test_replayed_refresh_token_is_invalid_grant(issued, refresh):
    assert refresh(issued["refresh_token"]).status_code == 200
    replay = refresh(issued["refresh_token"])
    assert replay.status_code == 400
    assert replay["Content-Type"] == "application/json"
    assert replay.json() == {"error": "invalid_grant"}


def test_replay_revokes_the_whole_family(issued, refresh, graphql):
    first = refresh(issued["refresh_token"]).json()
    latest = refresh(first["refresh_token"]).json()

    assert refresh(issued["refresh_token"]).status_code == 400  # the replay

    # The newest refresh token of the family stops working ...
    response = refresh(latest["refresh_token"])
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}
    # ... and so does the family's live access token: DOT deletes it (RefreshToken.revoke_family).
    answer = graphql(ME, token=latest["access_token"])
    assert answer.status == 401
    assert answer.codes == ["INVALID_TOKEN"]
    assert AccessToken.objects.count() == 0
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 0


def test_replay_leaves_other_families_alone(password_client, password_grant, issued, refresh, graphql):
    other = password_grant(password_client).json()
    refresh(issued["refresh_token"])
    refresh(issued["refresh_token"])  # replay in the first family
    assert graphql(ME, token=other["access_token"]).status == 200
    assert refresh(other["refresh_token"]).status_code == 200


@pytest.mark.parametrize(
    ("scope", "status", "granted"),
    [
        pytest.param(None, 200, "read groups", id="no-scope-keeps-original"),
        pytest.param("read", 200, "read", id="narrower"),
        pytest.param("read groups", 200, "read groups", id="same"),
        pytest.param("read groups write", 400, None, id="wider-than-original"),
        pytest.param("write", 400, None, id="other-allowed-scope"),
        pytest.param("introspection", 400, None, id="scope-client-may-not-have"),
        pytest.param("bogus", 400, None, id="unknown-scope"),
    ],
)
def test_refresh_cannot_widen_the_original_scopes(issued, refresh, scope, status, granted):
    response = refresh(issued["refresh_token"], scope=scope)
    assert response.status_code == status
    if granted is None:
        assert response.json() == {"error": "invalid_scope"}
        assert RefreshToken.objects.filter(revoked__isnull=True).count() == 1  # the old one still works
    else:
        assert response.json()["scope"] == granted
        assert AccessToken.objects.get().scope == granted


def test_refresh_after_admin_narrows_the_client_gets_the_intersection(password_client, issued, refresh):
    password_client.allowed_scopes = "read write"
    password_client.save()
    response = refresh(issued["refresh_token"])
    assert response.status_code == 200
    assert response.json()["scope"] == "read"
    assert AccessToken.objects.get().scope == "read"


def test_refresh_after_admin_narrows_the_client_refuses_the_removed_scope(password_client, issued, refresh):
    password_client.allowed_scopes = "read"
    password_client.save()
    response = refresh(issued["refresh_token"], scope="read groups")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_scope"}


def test_refresh_token_of_another_client_is_invalid_grant(make_application, issued, refresh):
    other = make_application(name="other-client")
    response = refresh(issued["refresh_token"], application=other)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}


def age_refresh_token(raw: str, seconds: int) -> None:
    """Make the refresh token (and the access token issued with it) ``seconds`` old."""
    issued = timezone.now() - timedelta(seconds=seconds)
    token = RefreshToken.objects.get(token_checksum=sha256(raw))
    RefreshToken.objects.filter(pk=token.pk).update(created=issued)  # created is auto_now_add
    AccessToken.objects.filter(pk=token.access_token_id).update(
        created=issued, expires=issued + timedelta(seconds=1200)
    )


@pytest.mark.parametrize(
    ("age", "status"),
    [
        pytest.param(3500, 200, id="3500s-old-works"),
        pytest.param(3601, 400, id="3601s-old-is-expired"),
        pytest.param(4700, 400, id="within-access-lifetime-plus-3600-is-expired-too"),
    ],
)
def test_refresh_token_lives_3600_seconds_from_its_own_issue(issued, refresh, age, status):
    """SPEC §2: 3600 s from issue, not REFRESH_TOKEN_EXPIRE_SECONDS after the access token expires (DOT)."""
    age_refresh_token(issued["refresh_token"], age)
    response = refresh(issued["refresh_token"])
    assert response.status_code == status
    if status == 400:
        assert response.json() == {"error": "invalid_grant"}


def test_a_rotated_refresh_token_gets_its_own_3600_seconds(issued, refresh):
    age_refresh_token(issued["refresh_token"], 3500)
    rotated = refresh(issued["refresh_token"]).json()
    age_refresh_token(rotated["refresh_token"], 3500)
    assert refresh(rotated["refresh_token"]).status_code == 200


def test_refresh_token_lifetime_follows_the_setting(issued, refresh, settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "REFRESH_TOKEN_EXPIRE_SECONDS": 600}
    age_refresh_token(issued["refresh_token"], 601)
    assert refresh(issued["refresh_token"]).json() == {"error": "invalid_grant"}


def test_refresh_after_admin_removes_every_granted_scope_is_invalid_scope(password_client, issued, refresh):
    password_client.allowed_scopes = "write"
    password_client.save()
    response = refresh(issued["refresh_token"])
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_scope",
        "error_description": "The client may no longer have any of this grant's scopes.",
    }
    assert AccessToken.objects.count() == 1  # the old pair is untouched
