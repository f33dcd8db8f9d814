"""Fixtures for the hardening tests: a user with some data around them and a full-scope token."""

from dataclasses import dataclass

import pytest
from graphql_relay import to_global_id

FULL_SCOPES = "read write groups"


@dataclass(frozen=True)
class World:
    token: str
    user_ids: list[str]
    group_ids: list[str]


@pytest.fixture
def world(make_user, make_token, group_factory, settings) -> World:
    """alice (allowed to add and change groups) with a "read write groups" token, three more users, three groups."""
    settings.GRAPHQL_RATE_BUDGET = 10**9  # the fuzz explores the schema, not the rate budget
    alice = make_user("alice", first_name="Alice", permissions=("auth.add_group", "auth.change_group"))
    others = [make_user(name) for name in ("bob", "carol", "dave")]
    groups = [
        group_factory("admins", [alice]),
        group_factory("editors", others[:2]),
        group_factory("empty"),
    ]
    return World(
        token=make_token(alice, scopes=FULL_SCOPES),
        user_ids=[to_global_id("User", u.pk) for u in [alice, *others]],
        group_ids=[to_global_id("Group", g.pk) for g in groups],
    )
