"""The SQLite test database: a file per test process (settings.DATABASES["default"]["TEST"]).

Django removes the file after the run, but not SQLite's ``-wal`` and ``-shm`` side files when a
connection (a live-server thread's) is still open then: they would pile up in the temporary directory.
Side files whose database file is gone are garbage (SQLite creates the database file first), so each
new test process removes those left by earlier ones.
"""

import os
import tempfile
from pathlib import Path

PREFIX = "test-db-"


def test_database_name() -> str:
    directory = Path(tempfile.gettempdir())
    for side_file in [*directory.glob(f"{PREFIX}*.sqlite3-wal"), *directory.glob(f"{PREFIX}*.sqlite3-shm")]:
        if not side_file.with_name(side_file.name.rsplit("-", 1)[0]).exists():
            side_file.unlink(missing_ok=True)
    return str(directory / f"{PREFIX}{os.getpid()}.sqlite3")
