"""Reads with the visibility rules every path to a user shares (lists, `node`, nested fields)."""

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import QuerySet

from project.raw_sql import fetch_one
from users.models import User

VIEW_ALL_EMAILS = "users.view_user"


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
    return viewer is not None and viewer.has_perm(VIEW_ALL_EMAILS)


def may_view_all_emails_in_one_query(viewer: User | None) -> bool:
    """``may_view_all_emails`` in one query: ModelBackend asks two (own, then group permissions) and
    compiles both ORM queries each time, which cost a 50-user list more than its page of users (issue 21).
    Superusers and inactive users are decided as ModelBackend decides them; with other authentication
    backends, ``has_perm`` decides. tests/users/test_selectors.py compares the two on every way of
    holding the permission or not."""
    if viewer is None:
        return False
    sql = _view_all_emails_sql()
    if sql is None:
        return may_view_all_emails(viewer)
    if not viewer.is_active:
        return False
    if viewer.is_superuser:
        return True
    (allowed,) = fetch_one(sql, [viewer.pk, viewer.pk], name="graphql_may_view_all_emails")  # prepared on PostgreSQL
    return bool(allowed)


@cache
def _view_all_emails_sql() -> str | None:
    if list(settings.AUTHENTICATION_BACKENDS) != ["django.contrib.auth.backends.ModelBackend"]:
        return None
    q = connection.ops.quote_name
    app_label, codename = VIEW_ALL_EMAILS.split(".")
    own, member, granted = User.user_permissions.through._meta, User.groups.through._meta, Group.permissions.through
    permission, content_type = Permission._meta.db_table, ContentType._meta.db_table
    is_it = (
        f"p.{q('content_type_id')} = ct.{q('id')} AND ct.{q('app_label')} = '{app_label}'"
        f" AND p.{q('codename')} = '{codename}'"
    )
    own_table, member_table, granted_table = (q(meta.db_table) for meta in (own, member, granted._meta))
    return (
        f"SELECT (EXISTS (SELECT 1 FROM {own_table} up, {q(permission)} p, {q(content_type)} ct"
        f" WHERE up.{q('user_id')} = %s AND p.{q('id')} = up.{q('permission_id')} AND {is_it})"
        f" OR EXISTS (SELECT 1 FROM {member_table} ug, {granted_table} gp, {q(permission)} p, {q(content_type)} ct"
        f" WHERE ug.{q('user_id')} = %s AND gp.{q('group_id')} = ug.{q('group_id')}"
        f" AND p.{q('id')} = gp.{q('permission_id')} AND {is_it}))"
    )
