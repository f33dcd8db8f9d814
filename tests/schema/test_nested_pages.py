"""Nested pages stop at the page (SPEC §5): the statement of schema/nested_pages.py, proved by the
databases' own plans."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from schema.groups import MEMBERS_OF_A_GROUP
from schema.nested_pages import Seek, read_pages
from schema.users import GROUPS_OF_A_USER
from users.models import User
from users.selectors import users_visible_to

MEMBERS = 3_000


@pytest.fixture
def big_group(db):
    group = Group.objects.create(name="big")
    small = Group.objects.create(name="small")
    users = User.objects.bulk_create(User(username=f"m{i:05}", is_active=i % 7 != 0) for i in range(MEMBERS))
    Through = User.groups.through
    Through.objects.bulk_create(Through(user_id=u.pk, group_id=group.pk) for u in users)
    Through.objects.bulk_create(Through(user_id=u.pk, group_id=small.pk) for u in users[:3])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return group, small, users


@pytest.mark.parametrize(
    ("case", "seek"),
    [
        ("first page", Seek(None, None, False, 3)),
        ("after a key", Seek("middle", None, False, 3)),
        ("last page", Seek(None, None, True, 3)),
        ("before a key", Seek(None, "middle", True, 3)),
        ("between keys", Seek("middle", "end", False, 3)),
    ],
)
def test_each_parents_page_is_the_orms_page(big_group, case, seek):
    group, small, users = big_group
    keys = {"middle": users[MEMBERS // 2].pk, "end": users[MEMBERS // 2 + 40].pk}
    seek = Seek(keys.get(seek.after), keys.get(seek.before), seek.descending, seek.limit)
    children = users_visible_to(None)
    pages = read_pages(MEMBERS_OF_A_GROUP, children, [group.pk, small.pk, group.pk], seek)
    for parent in (group, small):
        expected = children.filter(groups=parent).order_by("-pk" if seek.descending else "pk")
        if seek.after is not None:
            expected = expected.filter(pk__gt=seek.after)
        if seek.before is not None:
            expected = expected.filter(pk__lt=seek.before)
        assert [u.pk for u in pages[parent.pk]] == [u.pk for u in expected[: seek.limit]]


def test_groups_of_users_are_paged_the_same_way(big_group):
    group, small, users = big_group
    pages = read_pages(GROUPS_OF_A_USER, Group.objects.all(), [users[0].pk, users[5].pk], Seek(None, None, False, 5))
    assert [g.name for g in pages[users[0].pk]] == ["big", "small"]
    assert [g.name for g in pages[users[5].pk]] == ["big"]


def explain(sql: str, params: list) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


@pytest.mark.parametrize("descending", [False, True], ids=["forward", "backward"])
def test_the_plan_reads_the_join_index_in_order_and_sorts_nothing(big_group, descending, django_assert_max_num_queries):
    """EXPLAIN: each parent's page is a range of the (group_id, user_id) index, read in order up to
    the LIMIT; no sort of the group's members, no window over them."""
    group, small, users = big_group
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        read_pages(
            MEMBERS_OF_A_GROUP, users_visible_to(None), [group.pk, small.pk], Seek(users[10].pk, None, descending, 2)
        )
    sql = captured.captured_queries[-1]["sql"]
    plan = explain(sql, []) if "%s" not in sql else None
    assert plan is not None
    assert "users_user_groups_group_user_idx" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan and "WindowAgg" not in plan, plan
