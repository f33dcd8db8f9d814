"""Writes. Each validates first and saves only when everything is valid: nothing half-applied."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from users.models import User
from users.text import NUL_MESSAGE, SURROGATE_MESSAGE, fields_not_unicode, fields_with_nul


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str


def _field_errors(exc: ValidationError, fields: dict[str, str]) -> list[FieldError]:
    """Django's per-field errors, named as the API names the fields (``fields`` maps them)."""
    return [
        FieldError(fields.get(name, name), error.code or "invalid", " ".join(error.messages))
        for name, errors in exc.error_dict.items()
        for error in errors
    ]


PROFILE_FIELDS = {"first_name": "firstName", "last_name": "lastName", "email": "email"}


def _text_errors(values: dict[str, str], names: dict[str, str]) -> list[FieldError]:
    """Text no database stores alike: NUL characters and lone surrogates (SPEC §4: a payload error)."""
    return [
        *(FieldError(names.get(n, n), "null_characters_not_allowed", NUL_MESSAGE) for n in fields_with_nul(values)),
        *(FieldError(names.get(n, n), "invalid_unicode", SURROGATE_MESSAGE) for n in fields_not_unicode(values)),
    ]


def update_profile(user: User, changes: dict[str, str]) -> list[FieldError]:
    """Apply ``changes`` (model field names) to the user's profile, all or nothing."""
    if errors := _text_errors(changes, PROFILE_FIELDS):
        return errors
    candidate = User.objects.get(pk=user.pk)
    for name, value in changes.items():
        setattr(candidate, name, value.strip())
    try:
        candidate.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in changes])
    except ValidationError as exc:
        return _field_errors(exc, PROFILE_FIELDS)
    candidate.save(update_fields=list(changes))
    for name in changes:
        setattr(user, name, getattr(candidate, name))
    return []


def create_group(name: str) -> tuple[Group | None, list[FieldError]]:
    if errors := _text_errors({"name": name}, {}):
        return None, errors
    group = Group(name=name.strip())
    try:
        group.full_clean()
        with transaction.atomic():
            group.save()
    except ValidationError as exc:
        return None, _field_errors(exc, {})
    except IntegrityError:  # a concurrent request created the same name between check and save
        return None, [FieldError("name", "unique", "Group with this Name already exists.")]
    return group, []


def add_member(group: Group, user: User) -> None:
    group.user_set.add(user)


def remove_member(group: Group, user: User) -> None:
    group.user_set.remove(user)
