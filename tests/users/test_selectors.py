"""users/selectors.py: who sees whose e-mail. /graphql asks the permission in one query
(``may_view_all_emails_in_one_query``); Django's ``has_perm`` (``may_view_all_emails``) is the reference it
must agree with, every way a user can hold the permission or not."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from users.models import User
from users.selectors import _view_all_emails_sql, may_view_all_emails, may_view_all_emails_in_one_query


def permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def holding_it_directly(user):
    user.user_permissions.add(permission("users", "view_user"))


def holding_it_through_a_group(user):
    group = Group.objects.create(name="auditors")
    group.permissions.add(permission("users", "view_user"))
    user.groups.add(group)


def holding_other_permissions(user):
    group = Group.objects.create(name="editors")
    group.permissions.add(permission("users", "change_user"))
    user.groups.add(group)
    user.user_permissions.add(permission("auth", "view_group"))


def a_group_without_it(user):
    user.groups.add(Group.objects.create(name="readers"))


def being_superuser(user):
    User.objects.filter(pk=user.pk).update(is_superuser=True)


def being_inactive_with_it(user):
    holding_it_directly(user)
    User.objects.filter(pk=user.pk).update(is_active=False)


def being_an_inactive_superuser(user):
    User.objects.filter(pk=user.pk).update(is_superuser=True, is_active=False)


def nothing(user):
    pass


@pytest.mark.parametrize(
    "case",
    [
        holding_it_directly,
        holding_it_through_a_group,
        holding_other_permissions,
        a_group_without_it,
        being_superuser,
        being_inactive_with_it,
        being_an_inactive_superuser,
        nothing,
    ],
)
def test_one_query_answers_as_has_perm(case, alice):
    case(alice)
    with CaptureQueriesContext(connection) as queries:
        answer = may_view_all_emails_in_one_query(User.objects.get(pk=alice.pk))
    assert len(queries) <= 2  # the user, and the permission when it is not decided without one
    assert answer is may_view_all_emails(User.objects.get(pk=alice.pk))


def test_no_viewer_views_no_email():
    assert may_view_all_emails_in_one_query(None) is False


def test_with_other_authentication_backends_has_perm_decides(settings, alice):
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "tests.users.test_selectors.Everyone",
    ]
    _view_all_emails_sql.cache_clear()
    try:
        assert may_view_all_emails_in_one_query(alice) is True  # the other backend grants it
    finally:
        _view_all_emails_sql.cache_clear()


class Everyone:
    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user, perm, obj=None):
        return True
