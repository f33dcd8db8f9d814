"""Nested pages from compiled window queries (schema/window.py) are the ORM's rows, for every page,
parent set and viewer; what may be seen still comes from the children's queryset."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schema.connections import checked_page
from schema.window import _shapes, page_rows, window_queryset
from users.selectors import users_visible_to

PAGES = [
    {"first": 2},
    {"last": 2},
    {"first": 3, "after": "YXJyYXljb25uZWN0aW9uOjA="},  # after offset 0
    {"last": 1, "before": "YXJyYXljb25uZWN0aW9uOjI="},  # before offset 2
    {"first": 2, "last": 1},
]


def rows_of(objects):
    return [
        (o.pk, o._parent, o._row, o._count, {f.attname: getattr(o, f.attname) for f in o._meta.concrete_fields})
        for o in objects
    ]


@pytest.fixture
def memberships(make_user, group_factory):
    users = [make_user(f"user{n}") for n in range(5)]
    hidden = make_user("hidden", is_active=False)
    groups = [group_factory(f"group{n}", users[n:] + [hidden]) for n in range(4)]
    return users, groups, hidden


@pytest.mark.parametrize("args", PAGES, ids=[str(a) for a in PAGES])
def test_compiled_pages_are_the_orms_rows(memberships, args):
    users, groups, _ = memberships
    page = checked_page(args)
    _shapes.clear()
    for parents in ([groups[0], groups[1]], [groups[2], groups[3]], [groups[3], groups[0]]):  # one shape, new keys
        keys = [g.pk for g in parents]
        children = users_visible_to(None)
        expected = rows_of(window_queryset(children, "groups", ("username", "pk"), page, keys))
        assert rows_of(page_rows(children, "groups", ("username", "pk"), page, keys)) == expected
    assert len(_shapes) == 1 and None not in _shapes.values()


def test_what_the_viewer_may_see_keys_the_compiled_query(memberships, make_user):
    users, groups, hidden = memberships
    staff = make_user("staff", is_staff=True)
    page, keys = checked_page({"first": 10}), [groups[3].pk]
    seen = {}
    for viewer in (None, staff, None):
        rows = page_rows(users_visible_to(viewer), "groups", ("username", "pk"), page, keys)
        seen.setdefault(viewer, []).append(sorted(r.username for r in rows))
    assert seen[None] == [["user3", "user4"], ["user3", "user4"]]
    assert seen[staff] == [["hidden", "user3", "user4"]]


def test_a_parent_given_twice_is_read_once(memberships):
    _, groups, _ = memberships
    page, users = checked_page({"first": 2}), users_visible_to(None)
    expected = rows_of(window_queryset(users, "groups", ("username", "pk"), page, [groups[1].pk, groups[2].pk]))
    with CaptureQueriesContext(connection) as queries:
        rows = page_rows(users, "groups", ("username", "pk"), page, [groups[1].pk, groups[1].pk, groups[2].pk])
    assert rows_of(rows) == expected
    assert len(queries) == 1


def test_converted_values_are_the_orms(memberships):
    users, groups, _ = memberships
    page, keys = checked_page({"first": 1}), [groups[0].pk]
    compiled = page_rows(users_visible_to(None), "groups", ("username", "pk"), page, keys)[0]
    assert compiled.date_joined == users[0].date_joined and compiled.date_joined.tzinfo is not None
    assert compiled.is_active is True and compiled._state.adding is False


def test_children_with_negative_parameters_are_not_compiled(memberships):
    """A negative parameter of the children's own could pass for a stand-in: such shapes use the ORM."""
    _, groups, _ = memberships
    page, keys = checked_page({"first": 5}), [g.pk for g in groups]
    children = users_visible_to(None).exclude(pk=-3)
    _shapes.clear()
    rows = page_rows(children, "groups", ("username", "pk"), page, keys)
    assert rows_of(rows) == rows_of(window_queryset(children, "groups", ("username", "pk"), page, keys))
    assert list(_shapes.values()) == [None]
