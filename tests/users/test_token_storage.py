"""SPEC §2: tokens are stored at rest only as checksums; client secrets are stored hashed."""

from django.contrib.auth.hashers import check_password, identify_hasher
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from tests.users.client_side import sha256
from users.models import Application

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()


def test_access_token_is_stored_only_as_its_sha256(password_client, password_grant):
    raw = password_grant(password_client).json()["access_token"]
    stored = AccessToken.objects.get()
    assert stored.token == ""
    assert stored.token_checksum == sha256(raw)
    assert AccessToken.objects.filter(token=raw).count() == 0


def test_refresh_token_is_stored_only_as_its_sha256(password_client, password_grant):
    raw = password_grant(password_client).json()["refresh_token"]
    stored = RefreshToken.objects.get()
    assert stored.token == ""
    assert stored.token_checksum == sha256(raw)


def test_rotated_tokens_are_stored_only_as_checksums(password_client, password_grant, token_endpoint):
    first = password_grant(password_client).json()
    second = token_endpoint(password_client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert list(AccessToken.objects.values_list("token", "token_checksum")) == [("", sha256(second["access_token"]))]
    assert sorted(RefreshToken.objects.values_list("token", "token_checksum")) == sorted(
        [("", sha256(first["refresh_token"])), ("", sha256(second["refresh_token"]))]
    )


def test_client_credentials_token_is_stored_only_as_its_sha256(make_application, token_endpoint):
    server = make_application(grant=Application.GRANT_CLIENT_CREDENTIALS, allowed_scopes="read")
    raw = token_endpoint(server, grant_type="client_credentials").json()["access_token"]
    assert list(AccessToken.objects.values_list("token", "token_checksum")) == [("", sha256(raw))]


def test_client_secret_is_stored_hashed(password_client):
    stored = Application.objects.get(pk=password_client.pk).client_secret
    assert stored != password_client.raw_secret
    assert password_client.raw_secret not in stored
    identify_hasher(stored)  # raises ValueError for a raw secret
    assert check_password(password_client.raw_secret, stored)
