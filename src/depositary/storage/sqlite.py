"""The embedded default: SQLite in WAL mode with durable commits.

Writers open every transaction with ``BEGIN IMMEDIATE``, so writers in any
number of threads or processes serialise on the database lock; readers never
wait for them (WAL). ``synchronous=FULL`` makes each commit survive power loss.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from depositary.storage.sql import SQLStore

BUSY_TIMEOUT_MS = 60_000


def _engine(path: str, *, immediate: bool) -> sa.Engine:
    eng = sa.create_engine(f"sqlite+pysqlite:///{path}", poolclass=sa.pool.QueuePool)

    @event.listens_for(eng, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA synchronous=FULL")
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(eng, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return eng


def _upsert(table: sa.Table, update: list[str]) -> Any:
    stmt = sqlite_insert(table)
    if not update:
        return stmt.on_conflict_do_nothing()
    return stmt.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={c: stmt.excluded[c] for c in update},
    )


class SQLiteStore(SQLStore):
    """A log store in one SQLite file."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            read_engine=_engine(path, immediate=False),
            write_engine=_engine(path, immediate=True),
            upsert=_upsert,
        )
