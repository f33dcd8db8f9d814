"""Reads with the visibility rules every path to a user shares (lists, `node`, nested fields)."""

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

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
    return viewer.pk == user.pk or may_view_users(viewer)


def may_view_users(viewer: User) -> bool:
    """``viewer.has_perm("users.view_user")`` in one query instead of ModelBackend's two, kept on the viewer."""
    if not hasattr(viewer, "_may_view_users"):
        viewer._may_view_users = viewer.is_active and (
            viewer.is_superuser
            or Permission.objects.filter(codename="view_user", content_type__app_label="users")
            .filter(Q(user=viewer) | Q(group__user=viewer))
            .exists()
        )
    return viewer._may_view_users
