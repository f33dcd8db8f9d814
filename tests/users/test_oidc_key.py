"""SPEC §2.5: the id-token signing key: OIDC_RSA_PRIVATE_KEY in production, a development key kept
outside the repository that survives restarts, rotation through OIDC_RSA_PRIVATE_KEYS_INACTIVE."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.test import Client
from oauth2_provider.utils import jwk_from_pem

from users import oidc


def new_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def pem() -> str:
    return new_pem()


def test_the_configured_key_is_used_as_given(pem, tmp_path):
    key_file = tmp_path / "never.pem"
    environ = {"OIDC_RSA_PRIVATE_KEY": pem, "OIDC_DEV_KEY_FILE": str(key_file)}
    assert oidc.signing_keys(environ, debug=True) == (pem, [])
    assert not key_file.exists()


def test_a_key_on_one_line_with_escaped_newlines_is_read(pem):
    assert oidc.signing_keys({"OIDC_RSA_PRIVATE_KEY": pem.replace("\n", "\\n")}, debug=False)[0] == pem


@pytest.mark.parametrize(
    "label, value, message",
    [
        ("not a key", "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----", "not an unencrypted PEM"),
        ("no PEM block", "hello", "exactly one PEM private key"),
        ("two keys", None, "exactly one PEM private key"),
        ("too short for RS256", "short", "at least 2048 bits"),
    ],
)
def test_a_key_that_cannot_sign_is_refused_by_name(pem, label, value, message):
    value = {None: pem + pem, "short": new_pem(1024)}.get(value, value)
    with pytest.raises(oidc.SigningKeyError, match=message) as refused:
        oidc.signing_keys({"OIDC_RSA_PRIVATE_KEY": value}, debug=False)
    assert "OIDC_RSA_PRIVATE_KEY" in str(refused.value)


def test_production_without_a_key_generates_none(tmp_path):
    environ = {"OIDC_DEV_KEY_FILE": str(tmp_path / "key.pem")}
    assert oidc.signing_keys(environ, debug=False) == ("", [])
    assert not (tmp_path / "key.pem").exists()


def test_development_generates_a_private_key_once_and_keeps_it(tmp_path):
    environ = {"OIDC_DEV_KEY_FILE": str(tmp_path / "keys" / "dev.pem")}
    first, _ = oidc.signing_keys(environ, debug=True)
    second, _ = oidc.signing_keys(environ, debug=True)
    assert first == second
    assert "PRIVATE KEY" in first
    assert stat.S_IMODE((tmp_path / "keys" / "dev.pem").stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["dev.pem"]  # no draft left behind


def test_an_unwritable_key_location_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(oidc.SigningKeyError, match="OIDC_DEV_KEY_FILE"):
        oidc.signing_keys({"OIDC_DEV_KEY_FILE": str(blocker / "dev.pem")}, debug=True)


def test_the_default_development_key_lives_outside_the_repository(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert not oidc.default_key_file().resolve().is_relative_to(settings.BASE_DIR)
    assert oidc.default_key_file().is_relative_to(Path.home())
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert oidc.default_key_file().is_relative_to(tmp_path)


def test_inactive_keys_are_read_for_verification(pem):
    old = new_pem()
    active, inactive = oidc.signing_keys(
        {"OIDC_RSA_PRIVATE_KEY": pem, "OIDC_RSA_PRIVATE_KEYS_INACTIVE": old + pem}, debug=False
    )
    assert (active, inactive) == (pem, [old, pem])


def test_jwks_publishes_the_active_and_the_inactive_keys(db, settings, pem):
    old = new_pem()
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": pem,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [old],
    }
    keys = Client().get("/o/.well-known/jwks.json").json()["keys"]
    assert len({key["kid"] for key in keys}) == 2
    assert all(key.keys() >= {"kty", "n", "e", "kid"} and "d" not in key for key in keys)  # public halves only


SHOW_KID = (
    "import django; django.setup();"
    "from oauth2_provider.settings import oauth2_settings;"
    "from oauth2_provider.utils import jwk_from_pem;"
    "print(jwk_from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY).thumbprint())"
)


def start(environ: dict) -> subprocess.CompletedProcess:
    """Start the service's settings in a fresh process, as each server restart does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="project.settings", **environ)
    return subprocess.run(
        [sys.executable, "-c", SHOW_KID], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.slow
def test_development_key_survives_a_restart(tmp_path):
    environ = {"DEBUG": "1", "OIDC_DEV_KEY_FILE": str(tmp_path / "dev.pem")}
    first, second = start(environ), start(environ)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) == 43  # an RFC 7638 SHA-256 thumbprint, base64url


@pytest.mark.slow
def test_a_bad_configured_key_stops_start_up_naming_it(tmp_path):
    result = start({"DEBUG": "1", "OIDC_RSA_PRIVATE_KEY": "not a key", "OIDC_DEV_KEY_FILE": str(tmp_path / "k")})
    assert result.returncode != 0
    assert "ImproperlyConfigured: OIDC_RSA_PRIVATE_KEY must hold exactly one PEM private key." in result.stderr


def test_the_jwks_publishes_the_public_half_of_the_settings_key(db):
    # Application.jwk_key signs id tokens with OAUTH2_PROVIDER's OIDC_RSA_PRIVATE_KEY, the settings' key.
    key = jwk_from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"])
    (published,) = Client().get("/o/.well-known/jwks.json").json()["keys"]
    assert published == {"alg": "RS256", "use": "sig", "kid": key.thumbprint(), **json.loads(key.export_public())}
