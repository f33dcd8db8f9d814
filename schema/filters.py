"""django-filter FilterSets behind the `users` and `groups` arguments (SPEC §4)."""

import django_filters
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Q

from schema.django_query import ordering_of
from users.models import User


def with_stable_order(queryset):
    """The requested order, made total for keyset cursors (``schema.cursors``): it ends with a unique
    field, the primary key unless the order already does. The key follows the direction of the field
    before it, so one index serves the order both ways (`dateJoined` and `-dateJoined`)."""
    order = list(ordering_of(queryset))
    if order and ends_unique(queryset.model, order[-1]):
        return queryset.order_by(*order)
    return queryset.order_by(*order, "-pk" if order and order[-1].startswith("-") else "pk")


def ends_unique(model, spelled: str) -> bool:
    name = spelled.lstrip("-")
    return name == "pk" or model._meta.get_field(name).unique


class OneOrder(django_filters.OrderingFilter):
    """`orderBy` takes one of its orders (SPEC §4). django-filter's accepts a comma-separated list, whose
    combination no index serves: a sort of the whole table to find one page."""

    def filter(self, qs, value):
        if value and len(value) > 1:
            names = ", ".join(f"`{name}`" for name, _ in self.field.choices if name)
            raise ValidationError(f"`orderBy` takes one order: {names}.")
        return super().filter(qs, value)


class StableFilterSet(django_filters.FilterSet):
    """A FilterSet whose result has a total order; ``unfiltered`` is that result when no argument is
    given (``schema.connections.ConnectionField`` then builds no FilterSet)."""

    @property
    def qs(self):
        return with_stable_order(super().qs)

    @staticmethod
    def unfiltered(queryset):
        return with_stable_order(queryset.all())  # a manager too, as FilterSet.qs takes it


class UserFilter(StableFilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=150)
    is_staff = django_filters.BooleanFilter(field_name="is_staff")
    group = django_filters.CharFilter(field_name="groups__name", max_length=150)
    # graphene-django turns `dateJoined` into `date_joined` before the filter sees it.
    order_by = OneOrder(fields=(("username", "username"), ("date_joined", "date_joined")))

    class Meta:
        model = User
        fields = ("search", "is_staff", "group")

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value) | Q(first_name__icontains=value) | Q(last_name__icontains=value)
        )


class GroupFilter(StableFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=150)
    order_by = OneOrder(fields=(("name", "name"),))

    class Meta:
        model = Group
        fields = ("search",)
