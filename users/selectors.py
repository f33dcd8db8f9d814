"""Reads with the visibility rules every path to a user shares (lists, `node`, nested fields)."""

from collections.abc import Callable

from django.db.models import QuerySet

from users.models import User


def users_visible_to(viewer: User | None, users: QuerySet[User] | None = None) -> QuerySet[User]:
    """Inactive users are visible to staff only."""
    users = User.objects.all() if users is None else users
    if viewer is None or not viewer.is_staff:
        users = users.filter(is_active=True)
    return users


def can_view_email(viewer: User | None, user: User, may_view_all: Callable[[], bool] | None = None) -> bool:
    """The user themself, or a viewer with the ``users.view_user`` permission (``may_view_all``: how the
    caller asks ``may_view_all_emails`` for this viewer, e.g. once per request; asked only if needed)."""
    if viewer is None:
        return False
    if viewer.pk == user.pk:
        return True
    return may_view_all_emails(viewer) if may_view_all is None else may_view_all()


def may_view_all_emails(viewer: User | None) -> bool:
    """Whether ``viewer`` sees every user's e-mail. Django's has_perm asks ModelBackend's two queries
    (own and group permissions) once per viewer and keeps the answer on it (_perm_cache); the check
    itself walks the backends each time, so a list asks it once (schema.users)."""
    return viewer is not None and viewer.has_perm("users.view_user")
