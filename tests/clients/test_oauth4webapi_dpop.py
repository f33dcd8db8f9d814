"""An independent DPoP client (panva's oauth4webapi, its DPoP handle) against a live server: the code exchanged
with a proof gets a DPoP token that /graphql and userinfo accept with proofs, a refresh with the same key keeps
it bound, and the token sent as Bearer is refused (SPEC §2.6)."""

import secrets
from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import get_grant_model

from tests.clients.node import run_node
from tests.users.client_side import REDIRECT_URI, pkce_pair
from users.models import Application

pytestmark = pytest.mark.slow
Grant = get_grant_model()


@pytest.mark.parametrize("nonce_required", [False, True], ids=["no nonce", "nonce required"])
def test_oauth4webapi_gets_and_uses_a_dpop_bound_token(
    nonce_required, settings, node, loopback_server, transactional_db, alice, make_application
):
    settings.DPOP_NONCE_REQUIRED = nonce_required
    spa = make_application(
        grant=Application.GRANT_AUTHORIZATION_CODE,
        client_type="public",
        redirect_uris=REDIRECT_URI,
        allowed_scopes="openid profile read",
        require_dpop=True,
    )
    verifier, challenge = pkce_pair()
    code = secrets.token_urlsafe(32)  # what alice's approval on the consent page would have issued
    Grant.objects.create(
        application=spa,
        user=alice,
        code=code,
        expires=timezone.now() + timedelta(seconds=60),
        redirect_uri=REDIRECT_URI,
        scope="openid profile read",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    steps = run_node(
        node, "oauth4webapi_dpop.mjs", loopback_server.url, spa.client_id, str(alice.pk), code, verifier, REDIRECT_URI
    )
    by_step = {step.pop("step"): step for step in steps}
    assert by_step["discovery"] == {"dpop_signing_alg_values_supported": ["ES256", "PS256", "RS256"]}
    assert by_step["token"] == {"token_type": "dpop", "scope": "openid profile read", "has_refresh_token": True}
    me = {"status": 200, "data": {"me": {"username": "alice"}}}
    assert by_step["graphql"] == me
    assert by_step["userinfo"] == {"preferred_username": "alice"}
    assert by_step["refresh"] == {"token_type": "dpop"}
    assert by_step["graphql after refresh"] == me
    assert by_step["as bearer"]["status"] == 401
    assert by_step["as bearer"]["www_authenticate"].startswith('Bearer error="invalid_token"')
    assert ("nonce asked" in by_step) is nonce_required
