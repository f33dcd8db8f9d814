"""Reads with the visibility rules every path to a user shares (lists, `node`, nested fields)."""

from django.db.models import QuerySet

from users.models import User


def users_visible_to(viewer: User | None, users: QuerySet[User] | None = None) -> QuerySet[User]:
    """Inactive users are visible to staff only."""
    users = User.objects.all() if users is None else users
    if viewer is None or not viewer.is_staff:
        users = users.filter(is_active=True)
    return users


def can_view_email(viewer: User | None, user: User) -> bool:
    """The user themself, or a viewer with the ``users.view_user`` permission."""
    if viewer is None:
        return False
    # Django's has_perm: ModelBackend asks its two queries (own and group permissions) once per
    # viewer and keeps the answer on it (_perm_cache), so a page of users costs them once.
    return viewer.pk == user.pk or viewer.has_perm("users.view_user")
