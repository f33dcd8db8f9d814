"""The few things the data layer reads from a QuerySet that Django offers no public API for, in one place
(``QuerySet.query`` is documented as opaque). Each is stable since Django 1.x, and
``tests/schema/test_django_query.py`` holds each to the ORM's own behaviour, so that an upgrade that
changes one fails there, loudly, rather than in a page.
"""

from django.db.models import QuerySet


def sql_of(queryset: QuerySet) -> tuple[str, tuple]:
    """The SQL and parameters the ORM would run for ``queryset`` (``Query.sql_with_params``)."""
    return queryset.query.sql_with_params()


def ordering_of(queryset: QuerySet) -> tuple:
    """The ``order_by`` the queryset was given, as given (``Query.order_by``): keyset cursors need the order."""
    return tuple(queryset.query.order_by)


def is_plain(queryset: QuerySet) -> bool:
    """No ``select_related`` and no slice: a queryset whose SQL selects its model's columns only, whole."""
    return not queryset.query.select_related and not queryset.query.is_sliced
