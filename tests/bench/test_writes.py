"""The load check's lost-write verdict: it fails unless writes were acknowledged, and says how many."""

import pytest

from bench.writes import KINDS, Tally, acceptable


@pytest.mark.parametrize(
    ("label", "history", "stored", "expected"),
    [
        ("the last acknowledged value", [("a", True), ("b", True)], "b", True),
        ("a later unacknowledged value", [("a", True), ("b", False)], "b", True),
        ("an older value", [("a", True), ("b", True)], "a", False),
        ("no write acknowledged", [("a", False)], "a", False),
        ("no write at all", [], "start", False),
    ],
)
def test_acceptable(label, history, stored, expected):
    assert acceptable(history, stored) is expected


def every_kind_acknowledged() -> Tally:
    tally = Tally()
    tally.value("firstName", [("a", True)], "a")
    tally.value("memberships", [(True, True), (False, True)], False)
    tally.created("created groups", [("g1", True), ("g2", False)], {"g1"})
    return tally


def test_acknowledged_writes_all_found_pass_and_are_counted():
    tally = every_kind_acknowledged()
    assert tally.problems() == []
    assert tally.summary() == (
        "lost writes: 0; acknowledged/attempted writes: firstName 1/1, memberships 2/2, created groups 1/2;"
        " unverified values: 0"
    )


def test_no_acknowledged_write_fails():
    tally = Tally()
    tally.value("firstName", [("a", False)], "start")
    assert tally.problems() == [f"no {kind} write was acknowledged" for kind in KINDS] + [
        "1 values had no acknowledged write to check"
    ]


def test_a_lost_write_fails():
    tally = every_kind_acknowledged()
    tally.value("firstName", [("b", True)], "a")
    tally.created("created groups", [("g3", True)], {"g1"})
    assert tally.problems() == ["2 acknowledged writes lost"]
