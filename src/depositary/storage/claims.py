"""Claims: what must happen once, decided in the log's own write transaction.

Several processes append to one log. An act id, the next link of an act's
evidence chain, and one-time evidence (a deadline passed, a delivery made) are
each claimed in the same transaction that appends the entries realising them,
under the store's writer lock; a claim that loses rolls back with its entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

from depositary.errors import ConflictError
from depositary.storage import schema

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class NewChain:
    """Claim: the act is recorded now, its evidence chain ending at ``head``."""

    act_id: str
    head: bytes
    at_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class NextLink:
    """Claim: the act's chain moves from ``prev`` to ``head`` (compare-and-swap)."""

    act_id: str
    prev: bytes
    head: bytes
    at_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """Claim: a one-time piece of evidence (a deadline passed, a delivery made)."""

    act_id: str
    kind: str
    addressee: str = ""
    url: str = ""


Claim = NewChain | NextLink | Job


class ActIdTakenError(ConflictError):
    """The act id is already recorded, or being recorded by another submission."""


class StaleLinkError(ConflictError):
    """The act's chain moved on since its head was read: read it again and retry."""


class JobDoneError(ConflictError):
    """The one-time evidence is already recorded."""


class ClaimQueries:
    """The claim queries of ``ServiceIndex`` (a mixin: it supplies ``_run``, ``_upsert``
    and ``indexed_size``)."""

    _run: Callable[..., Any]
    _upsert: Callable[[sa.Table, list[str]], Any]
    indexed_size: Callable[..., int]

    def chain_head(self, act_id: str) -> tuple[bytes, int] | None:
        """(leaf hash, time in ms) of the last link of an act's chain, as claimed."""
        t = schema.svc_chains
        q = sa.select(t.c.head, t.c.at_ms).where(t.c.act_id == act_id)
        row = self._run(lambda c: c.execute(q).first())
        return None if row is None else (bytes(row.head), row.at_ms)

    def apply_new_chains(self, conn: sa.Connection, pending: Sequence[Sequence[Claim]]) -> int:
        """Check and record every ``NewChain`` claim of a batch in three statements.

        Returns -1 when all are free, else the position of the first submission whose
        act id is taken (already recorded, or claimed earlier in the same batch); then
        nothing is written.
        """
        ch, a = schema.svc_chains, schema.svc_acts
        new = [(n, c) for n, claims in enumerate(pending) for c in claims
               if isinstance(c, NewChain)]  # fmt: skip
        if not new:
            return -1
        ids = [c.act_id for _, c in new]
        taken: set[str] = set()
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            taken.update(
                r[0] for r in conn.execute(sa.select(ch.c.act_id).where(ch.c.act_id.in_(part)))
            )
            taken.update(
                r[0] for r in conn.execute(sa.select(a.c.act_id).where(a.c.act_id.in_(part)))
            )
        seen: set[str] = set()
        for n, c in new:
            if c.act_id in taken or c.act_id in seen:
                return n
            seen.add(c.act_id)
        conn.execute(
            sa.insert(ch), [{"act_id": c.act_id, "head": c.head, "at_ms": c.at_ms} for _, c in new]
        )
        return -1

    def apply_claims(self, conn: sa.Connection, claims: Sequence[Claim], log_size: int) -> None:
        """Check and record ``claims`` in the transaction appending their entries.

        The caller holds the store's writer lock, so nothing else writes between
        the checks and the writes; the claims commit or roll back with the entries.

        Raises:
            ActIdTakenError, StaleLinkError, JobDoneError: a claim lost (nothing is written).
        """
        ch, a = schema.svc_chains, schema.svc_acts
        for c in claims:
            if isinstance(c, NewChain):
                continue  # checked for the whole batch by apply_new_chains
            if isinstance(c, Job):
                row = {"act_id": c.act_id, "kind": c.kind, "addressee": c.addressee, "url": c.url}
                new = self._upsert(schema.svc_jobs, []).values(**row)  # rowcount is -1 on psycopg
                if conn.execute(new.returning(schema.svc_jobs.c.act_id)).first() is None:
                    raise JobDoneError(f"{c.kind} of {c.act_id} is already recorded")
            else:
                moved = sa.update(ch).where(ch.c.act_id == c.act_id, ch.c.head == c.prev)
                if conn.execute(moved.values(head=c.head, at_ms=c.at_ms)).rowcount == 1:
                    continue
                if conn.execute(sa.select(ch.c.act_id).where(ch.c.act_id == c.act_id)).first():
                    raise StaleLinkError(f"the evidence chain of {c.act_id} moved on")
                # an act recorded before chains were claimed: the index must be complete
                last = conn.execute(sa.select(a.c.last_evidence).where(a.c.act_id == c.act_id))
                head = last.scalar()
                if self.indexed_size(conn) < log_size or head is None or bytes(head) != c.prev:
                    raise StaleLinkError(f"the evidence chain of {c.act_id} is not yet indexed")
                conn.execute(sa.insert(ch).values(act_id=c.act_id, head=c.head, at_ms=c.at_ms))
