"""schema/django_query.py leans on QuerySet.query, which Django documents as opaque: each reading is held
to the ORM's own behaviour here, so that an upgrade that changes one fails loudly."""

from django.contrib.auth.models import Group

from schema.django_query import is_plain, ordering_of, sql_of
from users.models import User
from users.selectors import users_visible_to


def test_sql_of_runs_to_the_querysets_own_rows(make_user):
    for name in ("m0001", "m0002", "other"):
        make_user(name)
    queryset = users_visible_to(None).filter(username__startswith="m000").order_by("-pk")
    sql, params = sql_of(queryset)
    assert [u.pk for u in User.objects.raw(sql, params)] == [u.pk for u in queryset]


def test_ordering_of_is_the_order_as_given(db):
    assert ordering_of(User.objects.order_by("-date_joined", "pk")) == ("-date_joined", "pk")
    assert ordering_of(User.objects.all()) == ()
    assert ordering_of(User.objects.order_by("username").reverse()) == ("username",)  # reverse() is a flag


def test_is_plain_knows_select_related_and_slices(db):
    assert is_plain(Group.objects.all())
    assert not is_plain(User.objects.select_related())
    assert not is_plain(Group.objects.all()[:3])
