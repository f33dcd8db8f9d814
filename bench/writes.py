"""The load check's "zero lost writes", and the proof that there were writes to lose.

A check over writes that were never acknowledged verifies nothing, so it fails instead of passing.
"""

from collections import Counter
from dataclasses import dataclass, field

KINDS = ("firstName", "memberships", "created groups")


def acceptable(history: list[tuple[object, bool]], stored: object) -> bool:
    """The stored value reflects the last acknowledged write, or a later unacknowledged one (which the server
    may have applied before the client gave up on it). False when no write was acknowledged."""
    acked = [i for i, (_, ok) in enumerate(history) if ok]
    if not acked:
        return False
    return stored in [value for value, _ in history[acked[-1] :]]


@dataclass
class Tally:
    attempted: Counter = field(default_factory=Counter)
    acknowledged: Counter = field(default_factory=Counter)
    lost: int = 0  # acknowledged writes the database does not show
    unverified: int = 0  # values none of whose writes was acknowledged: nothing to check them against

    def value(self, kind: str, history: list[tuple[object, bool]], stored: object) -> None:
        """One value (a user's first name, one membership), the writes to it in order, and what is stored."""
        self.count(kind, history)
        if not any(ok for _, ok in history):
            self.unverified += 1
        elif not acceptable(history, stored):
            self.lost += 1

    def created(self, kind: str, history: list[tuple[str, bool]], existing: set[str]) -> None:
        """Objects created by name: each acknowledged one must exist."""
        self.count(kind, history)
        self.lost += sum(ok and name not in existing for name, ok in history)

    def count(self, kind: str, history: list[tuple[object, bool]]) -> None:
        self.attempted[kind] += len(history)
        self.acknowledged[kind] += sum(ok for _, ok in history)

    def problems(self) -> list[str]:
        found = [f"no {kind} write was acknowledged" for kind in KINDS if not self.acknowledged[kind]]
        if self.lost:
            found.append(f"{self.lost} acknowledged writes lost")
        if self.unverified:
            found.append(f"{self.unverified} values had no acknowledged write to check")
        return found

    def summary(self) -> str:
        counts = ", ".join(f"{kind} {self.acknowledged[kind]}/{self.attempted[kind]}" for kind in KINDS)
        return (
            f"lost writes: {self.lost}; acknowledged/attempted writes: {counts}; unverified values: {self.unverified}"
        )
