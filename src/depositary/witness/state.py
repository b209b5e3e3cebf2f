"""The witness's own state in one SQLite file (SQLAlchemy Core).

::

    witness_logs         origin -> the log's verifier keys (vkeys, one per line)
    witness_checkpoints  origin -> the latest cosigned (size, root, note)
    witness_evidence     validly signed checkpoints the witness refused (422)

The latest record moves only by compare-and-swap (``replace``): inside one
``BEGIN IMMEDIATE`` transaction the stored (size, root) must still be the one
the caller decided against, and the size never decreases. Commits are durable
(``synchronous=FULL``) before ``replace`` returns, so a cosignature is never
handed out for state that a crash could forget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event

from depositary.encoding.note import Ed25519Verifier
from depositary.errors import ConflictError, StorageError, ValidationError
from depositary.witness.core import KnownLog, Record

T = TypeVar("T")
BUSY_TIMEOUT_MS = 60_000

metadata = sa.MetaData()

logs_table = sa.Table(
    "witness_logs",
    metadata,
    sa.Column("origin", sa.Text, primary_key=True),
    sa.Column("vkeys", sa.Text, nullable=False),
)

checkpoints_table = sa.Table(
    "witness_checkpoints",
    metadata,
    sa.Column("origin", sa.Text, primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("note", sa.LargeBinary, nullable=False),
    sa.Column("updated_ms", sa.BigInteger, nullable=False),
)

evidence_table = sa.Table(
    "witness_evidence",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("origin", sa.Text, nullable=False),
    sa.Column("received_ms", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("request", sa.LargeBinary, nullable=False),
    sa.Column("cosigned", sa.LargeBinary, nullable=True),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """A refused, validly signed checkpoint and the record it contradicted."""

    origin: str
    received_ms: int
    reason: str
    request: bytes
    cosigned: bytes | None


def _engine(path: str, *, immediate: bool) -> sa.Engine:
    eng = sa.create_engine(
        f"sqlite+pysqlite:///{path}",
        poolclass=sa.pool.QueuePool,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(eng, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA synchronous=FULL")

    @event.listens_for(eng, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return eng


def _wrap(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except sa.exc.SQLAlchemyError as e:
        raise StorageError(f"witness database error: {e.__class__.__name__}: {e}") from e


def _record(row: Any) -> Record:
    return Record(
        origin=row.origin, size=row.size, root_hash=bytes(row.root_hash), note=bytes(row.note)
    )


def parse_vkeys(origin: str, text: str) -> KnownLog:
    """Build a ``KnownLog`` from newline-separated Ed25519 vkeys.

    Raises:
        DecodeError, ValidationError: a vkey is malformed, or there is none.
    """
    keys = tuple(Ed25519Verifier.from_vkey(v) for v in text.split("\n") if v)
    return KnownLog(origin=origin, verifiers=keys)


class WitnessState:
    """The witness's SQLite file; safe to share between threads."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._read = _engine(path, immediate=False)
        self._write = _engine(path, immediate=True)
        with self._tx() as conn:
            _wrap(lambda: metadata.create_all(conn))

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        try:
            with self._write.begin() as conn:
                yield conn
        except sa.exc.SQLAlchemyError as e:
            raise StorageError(f"witness database error: {e.__class__.__name__}: {e}") from e

    def _query(self, fn: Callable[[sa.Connection], T]) -> T:
        def run() -> T:
            with self._read.connect() as conn:
                return fn(conn)

        return _wrap(run)

    # -- known logs -------------------------------------------------------

    def add_log(self, origin: str, vkeys: Sequence[str]) -> KnownLog:
        """Trust ``vkeys`` for ``origin``; adding keys to a known origin extends its list.

        Raises:
            DecodeError, ValidationError: a vkey is malformed.
        """
        with self._tx() as conn:
            row = conn.execute(
                sa.select(logs_table.c.vkeys).where(logs_table.c.origin == origin)
            ).first()
            have = [] if row is None else [v for v in row.vkeys.split("\n") if v]
            merged = have + [v for v in vkeys if v not in have]
            log = parse_vkeys(origin, "\n".join(merged))
            value = "\n".join(merged)
            if row is None:
                conn.execute(sa.insert(logs_table).values(origin=origin, vkeys=value))
            else:
                q = sa.update(logs_table).where(logs_table.c.origin == origin)
                conn.execute(q.values(vkeys=value))
        return log

    def logs(self) -> dict[str, KnownLog]:
        """Return every known log by origin."""
        rows = self._query(lambda c: c.execute(sa.select(logs_table)).all())
        return {r.origin: parse_vkeys(r.origin, r.vkeys) for r in rows}

    # -- the latest cosigned checkpoint -------------------------------------

    def latest(self, origin: str) -> Record | None:
        """Return the latest cosigned record for ``origin``, if any."""
        t = checkpoints_table
        row = self._query(lambda c: c.execute(sa.select(t).where(t.c.origin == origin)).first())
        return None if row is None else _record(row)

    def replace(self, old: Record | None, new: Record, *, now_ms: int) -> None:
        """Swap the record of ``new.origin`` from ``old`` to ``new``, durably.

        Raises:
            ConflictError: the stored record is no longer ``old``.
            ValidationError: ``new`` would roll the tree back, or changes origin.
        """
        if old is not None and (old.origin != new.origin or new.size < old.size):
            raise ValidationError(
                f"refusing to move {new.origin} from size {old.size} to {new.size}"
            )
        t = checkpoints_table
        values = {
            "size": new.size,
            "root_hash": new.root_hash,
            "note": new.note,
            "updated_ms": now_ms,
        }
        with self._tx() as conn:
            current = conn.execute(
                sa.select(t.c.size, t.c.root_hash).where(t.c.origin == new.origin)
            ).first()
            if old is None:
                if current is not None:
                    raise ConflictError(f"{new.origin} was cosigned concurrently")
                conn.execute(sa.insert(t).values(origin=new.origin, **values))
                return
            if current is None or (current.size, bytes(current.root_hash)) != (
                old.size,
                old.root_hash,
            ):
                raise ConflictError(f"{new.origin} was cosigned concurrently")
            q = sa.update(t).where(
                t.c.origin == new.origin, t.c.size == old.size, t.c.root_hash == old.root_hash
            )
            if conn.execute(q.values(**values)).rowcount != 1:
                raise ConflictError(f"{new.origin} was cosigned concurrently")

    # -- evidence -------------------------------------------------------------

    def add_evidence(self, evidence: Evidence) -> None:
        """Keep a refused, validly signed checkpoint for the operator."""
        with self._tx() as conn:
            conn.execute(
                sa.insert(evidence_table).values(
                    origin=evidence.origin,
                    received_ms=evidence.received_ms,
                    reason=evidence.reason,
                    request=evidence.request,
                    cosigned=evidence.cosigned,
                )
            )

    def evidence(self) -> list[Evidence]:
        """Return every kept piece of evidence, oldest first."""
        t = evidence_table
        rows = self._query(lambda c: c.execute(sa.select(t).order_by(t.c.id)).all())
        return [
            Evidence(
                origin=r.origin,
                received_ms=r.received_ms,
                reason=r.reason,
                request=bytes(r.request),
                cosigned=None if r.cosigned is None else bytes(r.cosigned),
            )
            for r in rows
        ]

    def close(self) -> None:
        self._read.dispose()
        self._write.dispose()
