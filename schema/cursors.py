"""Keyset cursors (SPEC §5): an edge's cursor is the key of its node in the page's order, encoded
opaquely, and `after`/`before` seek to that key; no page ever skips rows to find its start.

A cursor names the list and the order it was made in (``Order.tag``: ``users.user:username``), so a
cursor of ``users(orderBy: "username")`` given to ``users(orderBy: "-dateJoined")``, or a group's
cursor given to a list of users, is refused rather than taken for a position it is not. Values are
written as JSON and read back through the model field's ``to_python``, then held to what every database
takes (64-bit integers, dates within years 1-9999 in UTC): a forged value is a 400, never a 500.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

from schema.django_query import ordering_of
from users.text import is_unicode

MAX_CURSOR_CHARS = 512  # an order of a few short fields; anything longer is no cursor of ours


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class OrderField:
    name: str  # as the ORM names it ("username", "pk")
    attname: str  # the attribute holding the value on an instance
    descending: bool
    to_python: object  # the model field's parser

    def value_of(self, obj: Model):
        return getattr(obj, self.attname)


@dataclass(frozen=True)
class Order:
    """A total order of a queryset: its fields, a unique one last."""

    fields: tuple[OrderField, ...]
    list_name: str  # the model's label: a cursor of one list is no position in another

    @classmethod
    def of(cls, queryset: QuerySet) -> "Order":
        """The order of ``queryset`` as its ``order_by`` says (``schema.filters`` makes every order total)."""
        meta, fields = queryset.model._meta, []
        for spelled in ordering_of(queryset):
            if not isinstance(spelled, str):
                raise ValueError(f"not a keyset order: {spelled!r}")
            name = spelled.lstrip("-")
            field = meta.pk if name == "pk" else meta.get_field(name)
            fields.append(OrderField(name, field.attname, spelled.startswith("-"), field.to_python))
        if not fields or not (fields[-1].name == "pk" or meta.get_field(fields[-1].name).unique):
            raise ValueError("a keyset order ends with a unique field")
        return cls(tuple(fields), meta.label_lower)

    @classmethod
    def by_primary_key(cls, model) -> "Order":
        pk = model._meta.pk
        return cls((OrderField("pk", pk.attname, False, pk.to_python),), model._meta.label_lower)

    @property
    def tag(self) -> str:
        return self.list_name + ":" + ",".join(("-" if f.descending else "") + f.name for f in self.fields)

    def key_of(self, obj: Model) -> tuple:
        return tuple(field.value_of(obj) for field in self.fields)

    def cursor_of(self, obj: Model) -> str:
        key = [value.isoformat() if isinstance(value, date) else value for value in self.key_of(obj)]
        text = json.dumps([self.tag, *key], separators=(",", ":"))  # isoformat keeps microseconds
        return base64.urlsafe_b64encode(text.encode()).decode()

    def key_from(self, cursor: str) -> tuple:
        """The key a cursor holds, parsed by this order's fields; InvalidCursor if it is not one of ours."""
        tag, *values = decode_cursor(cursor)
        if tag != self.tag or len(values) != len(self.fields):
            raise InvalidCursor("made for another list or order")
        try:
            return tuple(
                _storable_key(field.to_python(value)) for field, value in zip(self.fields, values, strict=True)
            )
        except (ValidationError, TypeError, ValueError, OverflowError):
            raise InvalidCursor("not a key of this order") from None

    def beyond(self, key: tuple, *, after: bool) -> Q:
        """Rows strictly after (or before) ``key`` in this order: (a > x) or (a = x and b > y) …"""
        alternatives = Q(pk__in=[])
        for i, field in enumerate(self.fields):
            forward = after != field.descending
            condition = Q(**{f"{f.name}": value for f, value in zip(self.fields[:i], key[:i], strict=True)})
            condition &= Q(**{f"{field.name}__{'gt' if forward else 'lt'}": key[i]})
            alternatives |= condition
        return alternatives


def _storable_key(value):
    """A parsed key every database takes: a 64-bit integer (text of 30 digits parses to more, which SQLite
    refuses at execution), a date that stays a date in UTC (9999-12-31T23:59:59-14:00 does not)."""
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise OverflowError(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value


def decode_cursor(cursor: str) -> list:
    """The JSON list inside a cursor: [order tag, key values…]; InvalidCursor for anything else."""
    if not isinstance(cursor, str) or not 0 < len(cursor) <= MAX_CURSOR_CHARS:
        raise InvalidCursor("not a cursor")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError, RecursionError):
        raise InvalidCursor("not a cursor") from None
    if not (isinstance(decoded, list) and len(decoded) >= 2 and isinstance(decoded[0], str)):
        raise InvalidCursor("not a cursor")
    if not all(_storable(value) for value in decoded[1:]):
        raise InvalidCursor("not a cursor")
    return decoded


def _storable(value) -> bool:
    """A value every database takes as a parameter: a 64-bit integer, or text without NULs or lone
    surrogates (PostgreSQL refuses both, which would be a 500 rather than a 400)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and "\x00" not in value and is_unicode(value)


def check_cursor(cursor: str) -> None:
    """The cursor's form alone (the order is checked where the list is read)."""
    decode_cursor(cursor)
