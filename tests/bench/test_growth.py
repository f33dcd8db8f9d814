"""bench/growth.py publishes only figures it measured: no batch, no token or tokens left behind refuse."""

import dataclasses
import logging

import pytest

from bench.growth import BatchTimer, Growth, problems, publish, render

MEASURED = Growth(
    tokens=1000,
    insert_seconds=0.5,
    lookup_one_us=100.0,
    lookup_many_us=110.0,
    clear_seconds=2.0,
    batches=[0.4, 0.6],
    left=1,
    batch_size=500,
    batch_pause=0.05,
    when="now",
)


@pytest.mark.parametrize(
    ("label", "changes", "reason"),
    [
        ("no batch seen", {"batches": []}, "logged no batch"),
        ("no token inserted", {"tokens": 0}, "no expired token"),
        ("expired tokens left", {"left": 5}, "5 tokens left"),
    ],
)
def test_measuring_nothing_exits_non_zero_and_publishes_nothing(tmp_path, capsys, label, changes, reason):
    growth = dataclasses.replace(MEASURED, **changes)
    readme_path = tmp_path / "README.md"
    readme_path.write_text("<!-- growth:start -->\nold\n<!-- growth:end -->\n")
    assert publish(growth, tmp_path / "growth.md", "growth", readme_path) == 1
    assert reason in capsys.readouterr().err
    assert not (tmp_path / "growth.md").exists()
    assert "old" in readme_path.read_text()


def test_no_figure_is_rendered_for_nothing():
    with pytest.raises(ValueError, match="nothing to render"):
        render(dataclasses.replace(MEASURED, batches=[]))


def test_measured_figures_go_to_the_file_and_the_readme(tmp_path):
    readme_path = tmp_path / "README.md"
    readme_path.write_text("<!-- growth:start -->\nold\n<!-- growth:end -->\n")
    assert problems(MEASURED) == []
    assert publish(MEASURED, tmp_path / "growth.md", "growth", readme_path) == 0
    text = readme_path.read_text()
    assert "2 batches of 500; per batch median 0.50 s, longest 0.60 s" in text
    assert "(ratio 1.10)" in text
    assert render(MEASURED) in (tmp_path / "growth.md").read_text()


def test_only_dot_s_per_batch_lines_are_batches():
    timer = BatchTimer(started=0.0)
    for message in [
        "0 Revoked refresh tokens deleted",
        "1000 tokens deleted, 9000 left",
        "1000 tokens deleted, 0 left",
    ]:
        timer.emit(logging.makeLogRecord({"msg": message}))
    assert len(timer.batches) == 2
