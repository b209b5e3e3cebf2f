"""PostgreSQL: the store for several processes or hosts sharing one log.

The queries are ``SQLStore``'s; this module only makes the engines (psycopg 3)
and picks the dialect's ``INSERT ... ON CONFLICT`` for upserts.

Exclusion: every write transaction first takes a transaction-scoped advisory
lock, ``pg_advisory_xact_lock(WRITER_LOCK)``, so exactly one writer (one
sequencer, in any process on any host) integrates at a time; the others wait
for it. The lock is released by the server when the transaction ends: at
commit, at rollback, and when the holder's connection goes away (a killed
process, a terminated backend), so another writer takes over with no lease
to expire. Transactions run at READ COMMITTED, so each statement after the
lock sees everything the previous holder committed. The compare-and-swap of
the checkpoint stays the commit rule: even without the lock, two writers
could not both move the log from the same checkpoint.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert

from depositary.errors import ConfigError
from depositary.storage.sql import SQLStore

WRITER_LOCK = 0x6465706F73697401
"""The advisory lock key of the write section (``b"deposit\\x01"``); locks are per database."""

LOCK_TIMEOUT_MS = 60_000
"""How long a writer waits for the write section before failing (SQLite waits as long)."""

IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000
"""A writer idle this long inside its transaction is cut off, releasing the lock.

This frees the log from a holder that hangs (a stopped process, a host cut
off without its TCP connection closing); a live sequencer never idles that
long inside one batch.
"""

SCHEMES = ("postgresql://", "postgresql+psycopg://")


def engine_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver named.

    Raises:
        ConfigError: ``url`` is not a ``postgresql://`` URL.
    """
    if url.startswith("postgresql+psycopg://"):
        return url
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    raise ConfigError(f"not a PostgreSQL URL: {url!r}")


def _engine(url: str, *, writer: bool) -> sa.Engine:
    options = f"-c lock_timeout={LOCK_TIMEOUT_MS}"
    if writer:
        options += f" -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT_MS}"
    eng = sa.create_engine(
        engine_url(url),
        pool_pre_ping=True,
        isolation_level="READ COMMITTED",
        connect_args={"options": options, "application_name": "depositary"},
    )
    if writer:

        @event.listens_for(eng, "begin")
        def _begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")

    return eng


def _upsert(table: sa.Table, update: list[str]) -> Any:
    stmt = pg_insert(table)
    if not update:
        return stmt.on_conflict_do_nothing()
    return stmt.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={c: stmt.excluded[c] for c in update},
    )


class PostgresStore(SQLStore):
    """A log store in one PostgreSQL database, shared by any number of processes.

    Raises:
        ConfigError: ``url`` is not a PostgreSQL URL.
        StorageError: the database cannot be reached or migrated.
    """

    def __init__(self, url: str) -> None:
        self.url = engine_url(url)
        super().__init__(
            read_engine=_engine(self.url, writer=False),
            write_engine=_engine(self.url, writer=True),
            upsert=_upsert,
        )
