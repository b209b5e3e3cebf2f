"""The Alembic history goes up, down and up again, and builds exactly schema.py's tables."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from depositary.storage import schema
from depositary.storage.postgres import engine_url


def _config(conn: sa.Connection) -> Config:
    cfg = Config()
    location = resources.files("depositary.storage") / "migrations"
    cfg.set_main_option("script_location", str(location))
    cfg.attributes["connection"] = conn
    return cfg


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "postgres":
        url = engine_url(request.getfixturevalue("pg_url"))
    else:
        url = f"sqlite+pysqlite:///{tmp_path / 'log.sqlite'}"
    eng = sa.create_engine(url)
    yield eng
    eng.dispose()


def _tables(conn: sa.Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
    with engine.begin() as conn:
        assert _tables(conn) == set(schema.metadata.tables)
        command.downgrade(_config(conn), "base")
    with engine.begin() as conn:
        assert _tables(conn) == set()
        command.upgrade(_config(conn), "head")
    with engine.connect() as conn:
        assert _tables(conn) == set(schema.metadata.tables)
        head = ScriptDirectory.from_config(_config(conn)).get_current_head()
        assert MigrationContext.configure(conn).get_current_revision() == head


def test_the_migrated_schema_is_schema_py(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, schema.metadata) == []
