"""What a newcomer meets in a fresh clone: the README's commands and files hold (issue 18)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def make_recipe(target: str) -> str:
    return re.search(rf"^{target}:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)[1]


def test_the_readme_points_only_inside_the_repository():
    assert "../" not in README
    assert "SPEC" not in README  # the contract a user needs is docs/api.md, in the clone
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)\)", README):
        assert (ROOT / target).exists(), target


@pytest.mark.parametrize("target", ["test", "test-fast"])
def test_both_test_targets_check_migrations(target):
    assert "makemigrations --check" in make_recipe(target)


@pytest.mark.parametrize("name", ["db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm", "staticfiles/x.css"])
def test_files_the_running_service_writes_are_ignored_by_git(name):
    assert subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT).returncode == 0


def test_the_readme_says_clients_are_registered_at_the_client_registry():
    assert "/o/applications/" in README
    assert "registered in /admin/" not in README


def test_the_readme_says_the_browser_tests_need_debians_chromium():
    assert "/usr/bin/chromium" in README


def readme_block_after(heading: str) -> str:
    return re.search(re.escape(heading) + r".*?```sh\n(.*?)```", README, re.S)[1]


def test_the_env_file_the_readme_writes_is_read_by_its_own_set_a_command(tmp_path):
    """README "The env file": the file it writes, sourced as the Deploy section does, starts production."""
    env_file = tmp_path / "oauth2-graphql.env"
    write = readme_block_after("**The env file.**").replace("/etc/oauth2-graphql.env", str(env_file))
    subprocess.run(["bash", "-euc", write], check=True, cwd=tmp_path)
    assert '"-----BEGIN PRIVATE KEY-----\n' in env_file.read_text()
    check = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.OAUTH2_PROVIDER['OIDC_RSA_PRIVATE_KEY'].splitlines()[0], settings.DEBUG)"
    )
    started = subprocess.run(
        ["bash", "-c", f'set -a && . "$ENV_FILE" && set +a && "$PYTHON" -c "{check}"'],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "ENV_FILE": str(env_file),
            "PYTHON": sys.executable,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr[-2000:]
    assert started.stdout.split() == ["-----BEGIN", "PRIVATE", "KEY-----", "False"]
