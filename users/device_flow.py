"""The device authorization grant (SPEC §2.7, RFC 8628): user codes, polling pace, and the rules the
validator adds to DOT's device grant.

DOT 3.4.1 ships the pieces (the DeviceGrant model, oauthlib's DeviceCodeGrant behind its Server) but
not the decisions this module makes:

- oauthlib asks the validator ``validate_device_code`` for a code's status; DOT does not implement it
  (a 500). ``DeviceCodeRules`` answers it: unknown, another client's or already used is
  ``invalid_grant`` (DOT's own view answered a non-RFC ``device_not_found``; its pre-token hook
  ``set_oauthlib_user_to_device_request_user`` raised DoesNotExist, a 500: project/settings.py drops it);
- ``slow_down`` (RFC 8628 §3.5), which DOT leaves as a TODO: a poll sooner than the code's interval
  after the last one is refused, and the interval grows by 5 s, counted in the shared cache so every
  process agrees (``users.counters.take``, the one primitive of every limit);
- a code works once: the poll that gets the tokens deletes the grant in one conditional statement,
  so two concurrent polls cannot both get tokens;
- a code belongs to whoever approves or denies it first (``decide``): one conditional UPDATE on a
  pending, unclaimed row (DOT#1819's class of bug: DOT 3.4.1 assigns the user when the code is typed
  and lets a later typist overwrite it).

The verification page and the device authorization endpoint are users/views/device.py.
"""

import hashlib
import re
import secrets

from django.utils import timezone
from oauth2_provider.models import get_device_grant_model
from oauthlib.oauth2.rfc8628.grant_types import DeviceCodeGrant

from users import client_auth, counters

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
EXPIRES_IN = 600  # seconds a device code and its user code live
INTERVAL = 5  # seconds between polls (RFC 8628 §3.2), grown by SLOW_DOWN_STEP on every slow_down (§3.5)
SLOW_DOWN_STEP = 5
# RFC 8628 §6.1: consonants only (no vowels, so no words; no 0/O, 1/I/L, 5/S, 2/Z look-alikes among them).
USER_CODE_ALPHABET = "BCDFGHJKMNPQRTVWXY"
USER_CODE_LENGTH = 8
NOT_CODE_CHARACTERS = re.compile(r"[\s\-]")

DeviceGrant = get_device_grant_model()


def new_user_code() -> str:
    """8 characters of the alphabet, stored without the dash (``display`` adds it)."""
    return "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))


def display(user_code: str) -> str:
    return f"{user_code[:4]}-{user_code[4:]}"


def normalise(typed: str) -> str:
    """What a person typed, as stored: case, spaces and dashes do not matter."""
    return NOT_CODE_CHARACTERS.sub("", typed).upper()


def pending(user_code: str):
    """The pending, unexpired grant with this user code, or None."""
    if len(user_code) != USER_CODE_LENGTH:
        return None
    return (
        DeviceGrant.objects.filter(
            user_code=user_code, status=DeviceGrant.AUTHORIZATION_PENDING, user__isnull=True, expires__gt=timezone.now()
        )
        .order_by("-pk")
        .first()
    )


def decide(grant, user, scopes: list[str]) -> bool:
    """Approve (some scopes) or deny (none) a pending grant as ``user``; False when someone decided first."""
    status = DeviceGrant.AUTHORIZED if scopes else DeviceGrant.DENIED
    changes = {"status": status, "user": user}
    if scopes:
        changes["scope"] = " ".join(scopes)
    claimed = DeviceGrant.objects.filter(
        pk=grant.pk, status=DeviceGrant.AUTHORIZATION_PENDING, user__isnull=True, expires__gt=timezone.now()
    ).update(**changes)
    return claimed == 1


# --- polling pace (RFC 8628 §3.5 slow_down), in the shared cache --------------------------------------


def _key(device_code: str, what: str) -> str:
    return f"device-{what}:{hashlib.sha256(device_code.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}"


def poll_too_soon(device_code: str) -> bool:
    """Count this poll; True when it came sooner than the code's interval after the last one (the
    interval then grows by 5 s). Fails open: while the shared cache is unreachable, never too soon."""
    slow_downs = _key(device_code, "slow-downs")
    grown = counters.read_counters([slow_downs]).get(slow_downs, 0)
    interval = INTERVAL + SLOW_DOWN_STEP * grown
    # A poll is a counter with a limit of one that lives for the interval: taken means on time.
    if counters.take([(_key(device_code, "poll"), 1)], 1, timeout=interval).allowed:
        return False
    counters.take([(slow_downs, 10**6)], 1, timeout=EXPIRES_IN + 60)
    return True


def current_interval(device_code: str) -> int:
    slow_downs = _key(device_code, "slow-downs")
    return INTERVAL + SLOW_DOWN_STEP * counters.read_counters([slow_downs]).get(slow_downs, 0)


# --- the validator's part ------------------------------------------------------------------------------


class DeviceCodeRules:
    """Mixed into users.oauth2.Validator: oauthlib's ``validate_device_code`` (RFC 8628 §3.4-3.5)."""

    def validate_device_code(self, client_id, device_code, request, *args, **kwargs):
        grant = DeviceGrant.objects.filter(device_code=device_code).select_related("user").first()
        if grant is None or grant.client_id != request.client.client_id:
            # invalid_grant; a wrong code counts as a failed login at /o/token/ (users/views/base.py)
            client_auth.of_oauthlib_request(request).failed = True
            return None
        if grant.status == grant.DENIED:
            return DeviceCodeGrant.DEVICE_CODE_DENIED
        if grant.status == grant.EXPIRED or grant.expires <= timezone.now():
            return DeviceCodeGrant.DEVICE_CODE_EXPIRED
        if poll_too_soon(device_code):
            return DeviceCodeGrant.DEVICE_CODE_SLOW_DOWN
        if grant.status != grant.AUTHORIZED:
            return DeviceCodeGrant.DEVICE_CODE_PENDING
        if grant.user is None or not grant.user.is_active:
            return None
        # The code works once: of concurrent polls, the one that deletes the row gets the tokens.
        if DeviceGrant.objects.filter(pk=grant.pk, status=grant.AUTHORIZED).delete()[0] != 1:
            return None
        request.user = grant.user
        request.scopes = grant.scope.split()
        return DeviceCodeGrant.DEVICE_CODE_AUTHORIZED
