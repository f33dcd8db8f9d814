"""Running a Node.js script of tests/clients/ from a test."""

import json
import subprocess
from pathlib import Path

HERE = Path(__file__).parent


def run_node(node: str, script: str, *args: str) -> list[dict]:
    """Run a script of this folder; each line it prints is one JSON result."""
    done = subprocess.run(
        [node, str(HERE / script), *args], cwd=HERE, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
