"""The verdict of a benchmark run: any failed request, of any kind, in any round, refuses the run and
leaves the published figures alone."""

import pytest

from bench import readme, run
from bench.report import failures, target_line
from bench.workloads import Workload

CLEAN = {"rps": 100.0, "p50": 5.0, "p99": 9.0, "requests": 500, "non_2xx": 0, "error_bodies": 0, "socket_errors": 0}


def workload(*runs: dict) -> Workload:
    w = Workload("graphql users", "POST", "/graphql", {}, graphql=True)
    w.runs = list(runs)
    return w


def test_a_clean_run_passes():
    assert failures([workload(CLEAN, CLEAN)]) == []


@pytest.mark.parametrize("kind", ["error_bodies", "non_2xx", "socket_errors"])
def test_one_failed_request_in_one_round_fails_the_run(kind):
    (reason,) = failures([workload(CLEAN, {**CLEAN, kind: 1})])
    assert reason == f"graphql users: 1 {kind.replace('_', ' ')}"


def test_an_unmeasured_workload_fails_the_run():
    assert failures([workload()]) == ["graphql users: not measured"]


@pytest.fixture
def published(tmp_path):
    readme_path = tmp_path / "README.md"
    readme_path.write_text("intro\n<!-- bench:start -->\nold figures\n<!-- bench:end -->\nrest\n")
    return readme_path, tmp_path / "results.md", tmp_path / "failed"


def test_a_run_with_error_bodies_exits_non_zero_and_publishes_nothing(published):
    readme_path, target, failed = published
    status = run.publish(
        [workload({**CLEAN, "error_bodies": 4})], "new figures\n", target, "bench", readme_path, failed
    )
    assert status == 1
    assert not target.exists()
    assert "old figures" in readme_path.read_text()
    assert (failed / "failed-results.md").read_text() == "new figures\n"


def test_a_clean_run_is_published_in_its_file_and_the_readme(published):
    readme_path, target, failed = published
    assert run.publish([workload(CLEAN)], "new figures\n", target, "bench", readme_path, failed) == 0
    assert target.read_text().endswith("new figures\n")
    assert readme_path.read_text() == "intro\n<!-- bench:start -->\nnew figures\n<!-- bench:end -->\nrest\n"


def test_the_readme_needs_its_markers():
    with pytest.raises(ValueError, match="growth:start"):
        readme.replace_between("no markers here", "growth", "figures")


@pytest.mark.parametrize(
    ("value", "compare", "verdict"), [(0.8, ">=", "met"), (0.7, ">=", "MISSED"), (1.6, "<=", "MISSED")]
)
def test_target_lines_say_whether_the_target_is_met(value, compare, verdict):
    assert f"**{value:.2f}x** (target {compare} 0.75x: {verdict})" in target_line("r", value, "x", compare, 0.75)


@pytest.mark.parametrize(
    ("label", "env", "refusal"),
    [
        ("a database not named bench", {"DATABASE_URL": "postgres://u@h/prod", "REDIS_URL": "redis://h/7"}, "prod"),
        ("no Redis", {"DATABASE_URL": "postgres://u@h/bench_x"}, "REDIS_URL"),
    ],
)
def test_postgres_runs_refuse_to_drop_other_databases_or_to_run_without_redis(monkeypatch, label, env, refusal):
    monkeypatch.delenv("REDIS_URL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit, match=refusal):
        run.server_env("postgres", 8000)
