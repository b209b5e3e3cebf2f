"""The SQL store, written once for every SQLAlchemy backend.

Backends differ only in how their engines are made (``sqlite.py``); queries,
upserts and the compare-and-swap of the checkpoint live here. Driver errors are
wrapped into ``StorageError`` where they enter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from importlib.abc import Traversable
from typing import Any, TypeVar

import sqlalchemy as sa

from depositary.errors import ConflictError, StorageError
from depositary.storage import schema
from depositary.storage.base import LogWriter, StoredCheckpoint, TileKey

T = TypeVar("T")
_CHUNK = 500


def migrate(connection: sa.Connection) -> None:
    """Bring the schema to the newest Alembic revision.

    Alembic (some 12 MiB once imported) is imported only when the schema is
    not already at the newest revision.
    """
    migrations = resources.files("depositary.storage") / "migrations"
    head = _head_revision(migrations)
    if head is not None and _stored_revision(connection) == head:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


_REVISION = re.compile(r'^(down_)?revision = "([^"]+)"$', re.MULTILINE)


def _head_revision(migrations: Traversable) -> str | None:
    """The one revision of the migration scripts that no other revises, if exactly one."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (migrations / "versions").iterdir():
        if script.name.endswith(".py"):
            for down, rev in _REVISION.findall(script.read_text(encoding="utf-8")):
                (revised if down else revisions).add(rev)
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(connection: sa.Connection) -> str | None:
    """The schema's Alembic revision, None if it has none or several."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    return str(rows[0][0]) if len(rows) == 1 else None


def _wrap(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except sa.exc.SQLAlchemyError as e:
        raise StorageError(f"database error: {e.__class__.__name__}: {e.args[0]}") from e


def _chunks(seq: Sequence[T]) -> Iterator[Sequence[T]]:
    for i in range(0, len(seq), _CHUNK):
        yield seq[i : i + _CHUNK]


def _row_checkpoint(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(size=row.size, timestamp_ms=row.timestamp_ms, note=bytes(row.note))


_DRIVER_SQL: dict[tuple[str, str], tuple[str, tuple[str, ...] | None]] = {}


def _driver_sql(
    conn: sa.Connection, key: str, make: Callable[[], Any]
) -> tuple[str, tuple[str, ...] | None]:
    """Compile ``make()`` once per dialect to driver SQL; return (sql, positional names)."""
    k = (conn.dialect.name, key)
    got = _DRIVER_SQL.get(k)
    if got is None:
        c = make().compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        names = tuple(c.positiontup) if c.positional else None
        got = _DRIVER_SQL[k] = (str(c), names)
    return got


def _rows(
    names: tuple[str, ...] | None, cols: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> Any:
    if names is None:
        return [dict(zip(cols, r, strict=True)) for r in rows]
    if names == cols:
        return rows
    order = [cols.index(n) for n in names]
    return [tuple(r[i] for i in order) for r in rows]


def execute_compiled(
    conn: sa.Connection,
    key: str,
    make: Callable[[], Any],
    cols: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
) -> Any:
    """Run the statement ``make()`` builds, compiled once per dialect and ``key``,
    for each of ``rows`` (values in ``cols`` order): the driver binds them
    directly, with none of SQLAlchemy's per-row work. One row runs as one
    statement (its result is returned); several as one ``executemany``."""
    sql, names = _driver_sql(conn, key, make)
    params = _rows(names, cols, rows)
    return conn.exec_driver_sql(sql, params[0] if len(rows) == 1 else params)


class _Reads:
    """Read queries over one connection."""

    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    def read_tiles(self, keys: Sequence[TileKey]) -> Mapping[TileKey, bytes]:
        out: dict[TileKey, bytes] = {}
        t = schema.tiles
        for chunk in _chunks(list(keys)):
            cond = sa.tuple_(t.c.level, t.c.idx).in_(list(chunk))
            for row in self._c.execute(sa.select(t.c.level, t.c.idx, t.c.data).where(cond)):
                out[(row.level, row.idx)] = bytes(row.data)
        return out

    def read_bundles(self, indexes: Sequence[int]) -> Mapping[int, bytes]:
        out: dict[int, bytes] = {}
        b = schema.bundles
        for chunk in _chunks(list(indexes)):
            for row in self._c.execute(sa.select(b.c.idx, b.c.data).where(b.c.idx.in_(chunk))):
                out[row.idx] = bytes(row.data)
        return out

    def lookup(self, leaf_hashes: Sequence[bytes]) -> Mapping[bytes, int]:
        out: dict[bytes, int] = {}
        li = schema.leaf_index
        for chunk in _chunks(list(leaf_hashes)):
            n = len(chunk)

            def query(n: int = n) -> sa.Select[tuple[bytes, int]]:
                binds: list[sa.BindParameter[bytes]] = [sa.bindparam(f"h{i}") for i in range(n)]
                return sa.select(li.c.leaf_hash, li.c.idx).where(li.c.leaf_hash.in_(binds))

            sql, names = _driver_sql(self._c, f"lookup{n}", query)
            params = (
                tuple(chunk) if names is not None else {f"h{i}": h for i, h in enumerate(chunk)}
            )
            for h, i in self._c.exec_driver_sql(sql, params):
                out[bytes(h)] = i
        return out

    def checkpoint(self) -> StoredCheckpoint | None:
        h = schema.head
        row = self._c.execute(sa.select(h).where(h.c.id == 1)).first()
        return None if row is None else _row_checkpoint(row)

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        c = schema.checkpoints
        row = self._c.execute(sa.select(c).where(c.c.size == size)).first()
        return None if row is None else _row_checkpoint(row)

    def checkpoints(self) -> Iterator[StoredCheckpoint]:
        c = schema.checkpoints
        rows = self._c.execute(sa.select(c).order_by(c.c.size)).all()
        return iter([_row_checkpoint(r) for r in rows])

    def get_meta(self, key: str) -> str | None:
        m = schema.meta
        return self._c.execute(sa.select(m.c.value).where(m.c.key == key)).scalar()


class _Writes(_Reads):
    """Writes inside the exclusive transaction."""

    def __init__(self, conn: sa.Connection, upsert: Callable[[sa.Table, list[str]], Any]) -> None:
        super().__init__(conn)
        self._upsert = upsert

    def write_tiles(self, tiles: Mapping[TileKey, bytes]) -> None:
        if tiles:
            rows = [{"level": k[0], "idx": k[1], "data": v} for k, v in tiles.items()]
            self._c.execute(self._upsert(schema.tiles, ["data"]), rows)

    def write_bundles(self, bundles: Mapping[int, bytes]) -> None:
        if bundles:
            sql, names = _driver_sql(
                self._c, "write_bundles", lambda: self._upsert(schema.bundles, ["data"])
            )
            self._c.exec_driver_sql(sql, _rows(names, ("idx", "data"), list(bundles.items())))

    def write_index(self, pairs: Sequence[tuple[bytes, int]]) -> None:
        if pairs:
            sql, names = _driver_sql(
                self._c, "write_index", lambda: self._upsert(schema.leaf_index, [])
            )
            self._c.exec_driver_sql(sql, _rows(names, ("leaf_hash", "idx"), pairs))

    def replace_checkpoint(self, old: StoredCheckpoint | None, new: StoredCheckpoint) -> None:
        h = schema.head
        values = {"size": new.size, "timestamp_ms": new.timestamp_ms, "note": new.note}
        if old is None:
            if self.checkpoint() is not None:
                raise ConflictError("the log already has a checkpoint")
            self._c.execute(sa.insert(h).values(id=1, **values))
        else:
            q = (
                sa.update(h)
                .where(h.c.id == 1, h.c.size == old.size, h.c.note == old.note)
                .values(**values)
            )
            if self._c.execute(q).rowcount != 1:
                raise ConflictError("the checkpoint changed since it was read")
        self._c.execute(self._upsert(schema.checkpoints, ["timestamp_ms", "note"]), [values])

    def set_meta(self, key: str, value: str) -> None:
        self._c.execute(self._upsert(schema.meta, ["value"]), [{"key": key, "value": value}])


class SQLStore:
    """A log store on any SQLAlchemy engine pair (reads, exclusive writes)."""

    def __init__(
        self,
        *,
        read_engine: sa.Engine,
        write_engine: sa.Engine,
        upsert: Callable[[sa.Table, list[str]], Any],
    ) -> None:
        self._read = read_engine
        self._write = write_engine
        self._upsert = upsert
        with self.writer() as w:
            assert isinstance(w, _Writes)
            _wrap(lambda: migrate(w._c))

    def _query(self, fn: Callable[[_Reads], T]) -> T:
        def run() -> T:
            with self._read.connect() as conn:
                return fn(_Reads(conn))

        return _wrap(run)

    def read_tiles(self, keys: Sequence[TileKey]) -> Mapping[TileKey, bytes]:
        return self._query(lambda r: r.read_tiles(keys))

    def read_bundles(self, indexes: Sequence[int]) -> Mapping[int, bytes]:
        return self._query(lambda r: r.read_bundles(indexes))

    def lookup(self, leaf_hashes: Sequence[bytes]) -> Mapping[bytes, int]:
        return self._query(lambda r: r.lookup(leaf_hashes))

    def checkpoint(self) -> StoredCheckpoint | None:
        return self._query(lambda r: r.checkpoint())

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        return self._query(lambda r: r.checkpoint_at(size))

    def checkpoints(self) -> Iterator[StoredCheckpoint]:
        return self._query(lambda r: r.checkpoints())

    def get_meta(self, key: str) -> str | None:
        return self._query(lambda r: r.get_meta(key))

    @contextmanager
    def writer(self) -> Iterator[LogWriter]:
        try:
            with self._write.begin() as conn:
                yield _Writes(conn, self._upsert)
        except sa.exc.SQLAlchemyError as e:
            raise StorageError(f"database error: {e.__class__.__name__}: {e.args[0]}") from e

    @property
    def engines(self) -> tuple[sa.Engine, sa.Engine]:
        """The read and write engines, for other tables kept beside the log."""
        return self._read, self._write

    @property
    def upsert(self) -> Callable[[sa.Table, list[str]], Any]:
        """This dialect's insert-or-update statement factory."""
        return self._upsert

    def close(self) -> None:
        self._read.dispose()
        self._write.dispose()
