"""Token housekeeping (issue 10, item 7): the README's schedule runs DOT's cleartokens, which removes
expired tokens and grants and revoked refresh tokens once replay detection no longer needs them."""

import secrets
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model
from oauth2_provider.settings import oauth2_settings

AccessToken, RefreshToken, Grant = get_access_token_model(), get_refresh_token_model(), get_grant_model()


def test_cleartokens_loop_removes_what_is_dead_and_keeps_what_is_alive(alice, make_application):
    application = make_application()
    now = timezone.now()
    refresh_life = timedelta(seconds=oauth2_settings.REFRESH_TOKEN_EXPIRE_SECONDS)

    def access(expires, **fields):
        return AccessToken.objects.create(
            user=alice, application=application, token=secrets.token_urlsafe(30), expires=expires, **fields
        )

    def refresh(access_token, revoked=None):
        return RefreshToken.objects.create(
            user=alice,
            application=application,
            token=secrets.token_urlsafe(30),
            access_token=access_token,
            revoked=revoked,
        )

    expired = access(now - timedelta(seconds=1))
    alive = access(now + timedelta(minutes=10))
    dormant_access = access(now - refresh_life - timedelta(minutes=1))
    dormant = refresh(dormant_access)  # not used for longer than a refresh token lives
    in_use = refresh(access(now + timedelta(minutes=10)))
    long_revoked = refresh(None, revoked=now - refresh_life - timedelta(minutes=1))
    just_revoked = refresh(None, revoked=now - timedelta(minutes=1))  # still needed to detect a replay
    old_grant = Grant.objects.create(
        user=alice,
        application=application,
        code=secrets.token_urlsafe(30),
        expires=now - timedelta(seconds=1),
        redirect_uri="https://app.example.com/callback",
        code_challenge="x" * 43,
        code_challenge_method="S256",
    )

    call_command("cleartokens_loop", every=3600, times=1)

    assert not AccessToken.objects.filter(pk__in=[expired.pk, dormant_access.pk]).exists()
    assert not RefreshToken.objects.filter(pk__in=[dormant.pk, long_revoked.pk]).exists()
    assert not Grant.objects.filter(pk=old_grant.pk).exists()
    assert AccessToken.objects.filter(pk=alive.pk).exists()
    assert set(RefreshToken.objects.values_list("pk", flat=True)) == {in_use.pk, just_revoked.pk}


def test_more_expired_tokens_than_one_batch_all_go(alice, make_application, settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "CLEAR_EXPIRED_TOKENS_BATCH_SIZE": 2}
    settings.OAUTH2_PROVIDER["CLEAR_EXPIRED_TOKENS_BATCH_INTERVAL"] = 0
    application = make_application()
    past = timezone.now() - timedelta(seconds=1)
    for _ in range(5):
        AccessToken.objects.create(user=alice, application=application, token=secrets.token_urlsafe(30), expires=past)
    call_command("cleartokens_loop", every=3600, times=1)
    assert AccessToken.objects.count() == 0
