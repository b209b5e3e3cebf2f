"""The service index: tables derived from the log, for queries the log cannot answer.

Nothing here is the truth: every row is rebuilt from the log's entries after a
crash (``indexed_size`` says how far the index has got). Deliveries, nonces and
attachments are operational state kept beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa

from depositary.errors import ConflictError, StorageError
from depositary.storage import schema
from depositary.storage.claims import ClaimQueries
from depositary.storage.sql import SQLStore, execute_compiled

T = TypeVar("T")
_ACT_COLS = (
    "act_id", "idx", "leaf_hash", "case_id", "kind", "made_at_ms", "received_at_ms",
    "authorised", "last_evidence", "search_text",
)  # fmt: skip
INDEXED_SIZE = "svc.indexed_size"
ROSTER_AT = "svc.roster_at"


@dataclass(frozen=True, slots=True, kw_only=True)
class ActRow:
    act_id: str
    idx: int
    leaf_hash: bytes
    case_id: str | None
    kind: str
    made_at_ms: int
    received_at_ms: int | None
    authorised: bool | None
    last_evidence: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceRow:
    idx: int
    act_id: str
    kind: str
    addressee: str | None
    at_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryRow:
    act_id: str
    addressee: str
    url: str
    state: str
    attempts: int
    next_at_ms: int
    last_error: str | None


@dataclass
class IndexBatch:
    """Index rows gathered while applying a chunk of log entries, written together."""

    acts: list[tuple[ActRow, Sequence[tuple[str, str]], str]] = field(default_factory=list)
    evidence: list[tuple[EvidenceRow, bytes, str | None, bool | None]] = field(default_factory=list)
    deliveries: list[DeliveryRow] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)  # act id -> kind, for this chunk
    registry_changed: bool = False  # parties, keys or cases changed in this chunk


def _act(row: Any) -> ActRow:
    return ActRow(
        act_id=row.act_id, idx=row.idx, leaf_hash=bytes(row.leaf_hash), case_id=row.case_id,
        kind=row.kind, made_at_ms=row.made_at_ms, received_at_ms=row.received_at_ms,
        authorised=row.authorised, last_evidence=bytes(row.last_evidence),
    )  # fmt: skip


class ServiceIndex(ClaimQueries):
    """Queries over the service tables, on the same database as the log."""

    def __init__(self, store: SQLStore) -> None:
        self._read, self._write = store.engines
        self._upsert = store.upsert

    def _run(self, fn: Callable[[sa.Connection], T], *, write: bool = False) -> T:
        try:
            if write:
                with self._write.begin() as conn:
                    return fn(conn)
            with self._read.connect() as conn:
                return fn(conn)
        except sa.exc.IntegrityError as e:
            raise ConflictError(f"conflicting write: {e.args[0]}") from e
        except sa.exc.SQLAlchemyError as e:
            raise StorageError(f"database error: {e.__class__.__name__}: {e.args[0]}") from e

    @contextmanager
    def batch(self) -> Iterator[sa.Connection]:
        """One write transaction for several index updates."""
        try:
            with self._write.begin() as conn:
                yield conn
        except sa.exc.SQLAlchemyError as e:
            raise StorageError(f"database error: {e.__class__.__name__}: {e.args[0]}") from e

    # -- progress -----------------------------------------------------------

    def _meta_int(self, key: str, conn: sa.Connection | None = None) -> int:
        m = schema.meta

        def read(c: sa.Connection) -> Any:
            q = lambda: sa.select(m.c.value).where(m.c.key == sa.bindparam("key"))  # noqa: E731
            return execute_compiled(c, "meta_get", q, ("key",), [(key,)]).scalar()

        value = read(conn) if conn else self._run(read)
        return 0 if value is None else int(value)

    def _set_meta(self, conn: sa.Connection, key: str, value: str) -> None:
        make = lambda: self._upsert(schema.meta, ["value"])  # noqa: E731
        execute_compiled(conn, "meta_set", make, ("key", "value"), [(key, value)])

    def indexed_size(self, conn: sa.Connection | None = None) -> int:
        """How far the index has got (read inside ``conn``'s transaction when given)."""
        return self._meta_int(INDEXED_SIZE, conn)

    def set_indexed_size(self, conn: sa.Connection, size: int) -> None:
        self._set_meta(conn, INDEXED_SIZE, str(size))

    def roster_at(self) -> int:
        """The log index of the last entry that changed the roster (a cache key)."""
        return self._meta_int(ROSTER_AT)

    def set_roster_at(self, conn: sa.Connection, idx: int) -> None:
        self._set_meta(conn, ROSTER_AT, str(idx))

    # -- writes inside a batch ---------------------------------------------

    def put_party(self, conn: sa.Connection, party_id: str, idx: int, admission: str) -> None:
        conn.execute(
            self._upsert(schema.svc_parties, ["idx", "admission"]),
            [{"party_id": party_id, "idx": idx, "admission": admission}],
        )

    def put_case(self, conn: sa.Connection, case_id: str, idx: int, record: str) -> None:
        conn.execute(
            self._upsert(schema.svc_cases, ["idx", "record"]),
            [{"case_id": case_id, "idx": idx, "record": record}],
        )

    def write_batch(self, conn: sa.Connection, batch: IndexBatch) -> None:
        """Write a chunk's acts, evidence and deliveries, a few statements in all, each
        compiled once and bound by the driver."""
        a = schema.svc_acts
        up = self._upsert
        if batch.acts:
            execute_compiled(
                conn, "index_acts", lambda: up(a, []), _ACT_COLS,
                [(r.act_id, r.idx, r.leaf_hash, r.case_id, r.kind, r.made_at_ms,
                  r.received_at_ms, r.authorised, r.last_evidence, text)
                 for r, _, text in batch.acts],
            )  # fmt: skip
            roles = [(r.act_id, p, role) for r, parties, _ in batch.acts for p, role in parties]
            if roles:
                make = lambda: up(schema.svc_act_parties, [])  # noqa: E731
                execute_compiled(conn, "index_roles", make, ("act_id", "party_id", "role"), roles)
        if batch.evidence:
            execute_compiled(
                conn, "index_evidence", lambda: up(schema.svc_evidence, []),
                ("idx", "act_id", "kind", "addressee", "at_ms"),
                [(e.idx, e.act_id, e.kind, e.addressee, e.at_ms) for e, _, _, _ in batch.evidence],
            )  # fmt: skip
            last: dict[str, bytes] = {}
            decided: dict[str, tuple[str, int, bool, str | None]] = {}
            for e, leaf, case_id, authorised in batch.evidence:
                last[e.act_id] = leaf
                if authorised is not None:
                    decided[e.act_id] = (e.act_id, e.at_ms, authorised, case_id)
            key = a.c.act_id == sa.bindparam("b_act")
            if decided:
                execute_compiled(
                    conn, "index_decided",
                    lambda: sa.update(a).where(key).values(
                        received_at_ms=sa.bindparam("b_at"), authorised=sa.bindparam("b_ok"),
                        case_id=sa.bindparam("b_case"),
                    ),
                    ("b_act", "b_at", "b_ok", "b_case"), list(decided.values()),
                )  # fmt: skip
            execute_compiled(
                conn, "index_last",
                lambda: sa.update(a).where(key).values(last_evidence=sa.bindparam("b_last")),
                ("b_act", "b_last"), list(last.items()),
            )  # fmt: skip
        self.enqueue(conn, batch.deliveries)

    # -- reads ----------------------------------------------------------------

    def act_kind(self, conn: sa.Connection, act_id: str) -> str | None:
        a = schema.svc_acts
        return conn.execute(sa.select(a.c.kind).where(a.c.act_id == act_id)).scalar()

    def party(self, conn: sa.Connection, party_id: str) -> str | None:
        """A party's admission as ``conn`` sees it."""
        p = schema.svc_parties
        return conn.execute(sa.select(p.c.admission).where(p.c.party_id == party_id)).scalar()

    def parties(self) -> list[tuple[str, int, str]]:
        p = schema.svc_parties
        q = sa.select(p.c.party_id, p.c.idx, p.c.admission).order_by(p.c.idx)
        return self._run(lambda c: [(r.party_id, r.idx, r.admission) for r in c.execute(q)])

    def case(self, case_id: str) -> str | None:
        t = schema.svc_cases
        q = sa.select(t.c.record).where(t.c.case_id == case_id)
        return self._run(lambda c: c.execute(q).scalar())

    def cases(self) -> list[tuple[str, str]]:
        t = schema.svc_cases
        q = sa.select(t.c.case_id, t.c.record).order_by(t.c.idx)
        return self._run(lambda c: [(r.case_id, r.record) for r in c.execute(q)])

    def act(self, act_id: str) -> ActRow | None:
        a = schema.svc_acts
        row = self._run(lambda c: c.execute(sa.select(a).where(a.c.act_id == act_id)).first())
        return None if row is None else _act(row)

    def act_at(self, idx: int) -> ActRow | None:
        a = schema.svc_acts
        row = self._run(lambda c: c.execute(sa.select(a).where(a.c.idx == idx)).first())
        return None if row is None else _act(row)

    def acts(
        self,
        *,
        case_id: str | None = None,
        party: str | None = None,
        role: str | None = None,
        kind: str | None = None,
        since_ms: int | None = None,
        until_ms: int | None = None,
        text: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[ActRow]:
        a, ap = schema.svc_acts, schema.svc_act_parties
        q = sa.select(a)
        if party is not None:
            cond = sa.and_(ap.c.act_id == a.c.act_id, ap.c.party_id == party)
            if role is not None:
                cond = sa.and_(cond, ap.c.role == role)
            q = q.where(sa.exists().where(cond))
        if case_id is not None:
            q = q.where(a.c.case_id == case_id)
        if kind is not None:
            q = q.where(a.c.kind == kind)
        if since_ms is not None:
            q = q.where(a.c.received_at_ms >= since_ms)
        if until_ms is not None:
            q = q.where(a.c.received_at_ms < until_ms)
        if text:
            q = q.where(a.c.search_text.contains(text.lower(), autoescape=True))
        q = q.order_by(a.c.idx).limit(limit).offset(offset)
        return self._run(lambda c: [_act(r) for r in c.execute(q)])

    def evidence(self, act_id: str) -> list[EvidenceRow]:
        e = schema.svc_evidence
        q = sa.select(e).where(e.c.act_id == act_id).order_by(e.c.idx)
        return self._run(
            lambda c: [
                EvidenceRow(idx=r.idx, act_id=r.act_id, kind=r.kind, addressee=r.addressee,
                            at_ms=r.at_ms)
                for r in c.execute(q)
            ]
        )  # fmt: skip

    def case_entries(self, case_id: str) -> list[int]:
        """Log indexes of the acts of a case and of all evidence on them, in log order."""
        a, e = schema.svc_acts, schema.svc_evidence
        acts = sa.select(a.c.idx).where(a.c.case_id == case_id)
        ev = sa.select(e.c.idx).where(
            e.c.act_id.in_(sa.select(a.c.act_id).where(a.c.case_id == case_id))
        )
        q = sa.union_all(acts, ev)
        return self._run(lambda c: sorted(r[0] for r in c.execute(q)))

    # -- deliveries -------------------------------------------------------------

    def enqueue(self, conn: sa.Connection, rows: Sequence[DeliveryRow]) -> None:
        if rows:
            execute_compiled(
                conn, "enqueue", lambda: self._upsert(schema.svc_deliveries, []),
                ("act_id", "addressee", "url", "state", "attempts", "next_at_ms", "last_error"),
                [(r.act_id, r.addressee, r.url, r.state, r.attempts, r.next_at_ms, None)
                 for r in rows],
            )  # fmt: skip

    def due_deliveries(self, now_ms: int, limit: int = 50) -> list[DeliveryRow]:
        d = schema.svc_deliveries
        q = (
            sa.select(d)
            .where(d.c.state == "pending", d.c.next_at_ms <= now_ms)
            .order_by(d.c.next_at_ms)
            .limit(limit)
        )
        return self._run(lambda c: [DeliveryRow(**r._mapping) for r in c.execute(q)])

    def next_delivery_ms(self) -> int | None:
        d = schema.svc_deliveries
        q = sa.select(sa.func.min(d.c.next_at_ms)).where(d.c.state == "pending")
        return self._run(lambda c: c.execute(q).scalar())

    def deliveries(self, act_id: str) -> list[DeliveryRow]:
        d = schema.svc_deliveries
        q = sa.select(d).where(d.c.act_id == act_id)
        return self._run(lambda c: [DeliveryRow(**r._mapping) for r in c.execute(q)])

    def update_delivery(self, row: DeliveryRow, *, expect_attempts: int) -> bool:
        """Compare-and-swap a delivery's state; False when another worker got there first."""
        d = schema.svc_deliveries
        q = (
            sa.update(d)
            .where(d.c.act_id == row.act_id, d.c.addressee == row.addressee, d.c.url == row.url,
                   d.c.attempts == expect_attempts, d.c.state == "pending")
            .values(state=row.state, attempts=row.attempts, next_at_ms=row.next_at_ms,
                    last_error=row.last_error)
        )  # fmt: skip
        return self._run(lambda c: c.execute(q).rowcount == 1, write=True)

    # -- nonces and attachments ------------------------------------------------------

    def use_nonce(self, nonce: str, party_id: str, at_ms: int, forget_before_ms: int) -> None:
        """Record a request nonce once.

        Raises:
            ConflictError: the nonce was used before (a replay).
        """
        n = schema.svc_nonces

        def run(c: sa.Connection) -> None:
            c.execute(sa.delete(n).where(n.c.at_ms < forget_before_ms))
            c.execute(sa.insert(n).values(nonce=nonce, party_id=party_id, at_ms=at_ms))

        self._run(run, write=True)

    def put_attachment(self, sha256: str, media_type: str, data: bytes) -> None:
        t = schema.svc_attachments
        rows = [{"sha256": sha256, "media_type": media_type, "data": data}]
        self._run(lambda c: c.execute(self._upsert(t, []), rows), write=True)

    def attachment(self, sha256: str) -> tuple[str, bytes] | None:
        t = schema.svc_attachments
        q = sa.select(t.c.media_type, t.c.data).where(t.c.sha256 == sha256)
        row = self._run(lambda c: c.execute(q).first())
        return None if row is None else (row.media_type, bytes(row.data))
