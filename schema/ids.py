"""Relay global ids: decoding that never raises, so a bad id is a clean NOT_FOUND, not a 500."""

import binascii

from graphql_relay import from_global_id


def decode_global_id(global_id: str) -> tuple[str, int] | None:
    """``(type name, primary key)`` for a well-formed id, else None."""
    try:
        type_name, raw_pk = from_global_id(global_id)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        return None
    if not type_name or not raw_pk.isascii() or not raw_pk.isdigit() or len(raw_pk) > 18:
        return None
    return type_name, int(raw_pk)


def pk_from_global_id(global_id: str, type_name: str) -> int | None:
    decoded = decode_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]
