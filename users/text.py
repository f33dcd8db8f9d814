"""Rules for every piece of text users/ accepts, wherever it comes from (GraphQL input, OAuth2 parameters)."""

from collections.abc import Mapping

NUL_MESSAGE = "Null characters are not allowed."


def fields_with_nul(values: Mapping[str, str]) -> list[str]:
    """The names whose value holds a NUL character: PostgreSQL refuses them in text (a DataError, a 500),
    SQLite stores them, and no one means them, so every database answers the same 4xx."""
    return [name for name, value in values.items() if "\x00" in value]
