"""Rules for every piece of text users/ accepts, wherever it comes from (GraphQL input, OAuth2 parameters)."""

from collections.abc import Mapping

NUL_MESSAGE = "Null characters are not allowed."
SURROGATE_MESSAGE = "The text is not valid Unicode (it holds a lone surrogate)."


def fields_with_nul(values: Mapping[str, str]) -> list[str]:
    """The names whose value holds a NUL character: PostgreSQL refuses them in text (a DataError, a 500),
    SQLite stores them, and no one means them, so every database answers the same 4xx."""
    return [name for name, value in values.items() if "\x00" in value]


def is_unicode(value: str) -> bool:
    """False for text holding a lone surrogate: JSON's "\\ud800" escape decodes to one, but no UTF-8
    (and no PostgreSQL text column, which answers with an encoding error, a 500) can hold it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def fields_not_unicode(values: Mapping[str, str]) -> list[str]:
    return [name for name, value in values.items() if not is_unicode(value)]
