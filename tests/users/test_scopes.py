"""users/scopes.py: the rule every part of the server applies to a token's scopes (SPEC §2), tested once here;
/graphql, introspection, userinfo, refresh and the code exchange all call it (issue 16, item 11)."""

import pytest

from users.scopes import effective, unique


@pytest.mark.parametrize(
    "case, granted, allowed, expected",
    [
        ("all still allowed", "read write", {"read", "write", "groups"}, ["read", "write"]),
        ("client narrowed since", "read write groups", {"read"}, ["read"]),
        ("nothing left", "write", {"read"}, []),
        ("a list, as oauthlib keeps it", ["groups", "read"], {"read", "groups"}, ["groups", "read"]),
        ("named twice counts once", "read read write", {"read", "write"}, ["read", "write"]),
        ("no client: nothing", "read", frozenset(), []),
    ],
)
def test_a_tokens_scopes_are_its_grant_cut_down_to_what_its_client_may_have_now(case, granted, allowed, expected):
    assert effective(granted, allowed) == expected


def test_a_scope_named_twice_counts_once_in_the_order_first_named():
    assert unique(["write", "read", "write", "read"]) == ["write", "read"]
