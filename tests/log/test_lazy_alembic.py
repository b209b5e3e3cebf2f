"""Opening a store whose schema is current does not import Alembic (12 MiB)."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from depositary.storage.sql import _head_revision

OPEN = """
import sys
from depositary.storage.sqlite import SQLiteStore
SQLiteStore(sys.argv[1]).close()
print("alembic" in sys.modules)
"""


def test_the_head_revision_is_alembics() -> None:
    migrations = resources.files("depositary.storage") / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    assert _head_revision(migrations) == ScriptDirectory.from_config(cfg).get_current_head()


def opens_with_alembic(path: Path) -> bool:
    out = subprocess.run(
        [sys.executable, "-c", OPEN, str(path)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() == "True"


def test_alembic_is_imported_only_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite"
    assert opens_with_alembic(path)  # a new file: migrated
    assert not opens_with_alembic(path)  # current: nothing to do
    assert not opens_with_alembic(path)
