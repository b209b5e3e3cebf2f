"""Append entries together with claims that hold across processes.

Several ``depositary serve`` processes share one database. What must happen
once (an act id, the next link of an act's evidence chain, a deadline's
evidence, a delivery's evidence) is claimed in the same write transaction that
appends the entries realising it, under the store's writer lock (PostgreSQL's
advisory lock, SQLite's ``BEGIN IMMEDIATE``). A claim that loses rolls back
with its entries; one that wins commits with them. No lease, no clock: the
log's commit point is the claim's.

``ClaimingStore`` wraps the SQL store so the sequencer's transaction checks
the claims of the batch being integrated; ``Appender`` pools submissions into
such batches, and retries a batch without the submission whose claim lost.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from depositary.errors import ConflictError, DepositaryError, ValidationError
from depositary.log.sequencer import Appended, Sequencer, check_entry
from depositary.storage.base import LogWriter, StoredCheckpoint, TileKey
from depositary.storage.claims import ActIdTakenError, Claim, NewChain
from depositary.storage.index import ServiceIndex
from depositary.storage.sql import SQLStore

MAX_ENTRIES = 8192


class ClaimRefusedError(ConflictError):
    """One submission's claim lost: ``request`` is its place in the batch."""

    def __init__(self, request: int, error: ConflictError) -> None:
        super().__init__(str(error))
        self.request = request
        self.error = error


def _connection(w: LogWriter) -> sa.Connection:
    """The SQL connection under a ``SQLStore`` writer (its ``_c``; sql.py has no accessor)."""
    conn = getattr(w, "_c", None)
    if not isinstance(conn, sa.Connection):
        raise TypeError("claims need a SQLStore writer")
    return conn


def _taken(claims: Sequence[Claim]) -> str:
    act_id = next((c.act_id for c in claims if isinstance(c, NewChain)), "?")
    return (
        f"act {act_id} is already recorded (or being recorded): "
        "a replayed or reused act id is refused"
    )


class ClaimingStore:
    """A ``SQLStore`` whose writer applies this thread's pending claims first."""

    def __init__(self, store: SQLStore, index: ServiceIndex) -> None:
        self.inner = store
        self.index = index
        self._local = threading.local()

    @contextmanager
    def claiming(self, claims: Sequence[Sequence[Claim]]) -> Iterator[None]:
        """Apply ``claims`` (one list per submission) in the next write transaction."""
        self._local.claims = claims
        try:
            yield
        finally:
            self._local.claims = None

    @contextmanager
    def writer(self) -> Iterator[LogWriter]:
        with self.inner.writer() as w:
            pending: Sequence[Sequence[Claim]] | None = getattr(self._local, "claims", None)
            if pending:
                conn = _connection(w)
                head = w.checkpoint()
                size = 0 if head is None else head.size
                lost = self.index.apply_new_chains(conn, pending)
                if lost >= 0:
                    raise ClaimRefusedError(lost, ActIdTakenError(_taken(pending[lost])))
                for n, claims in enumerate(pending):
                    try:
                        self.index.apply_claims(conn, claims, size)
                    except ConflictError as e:
                        raise ClaimRefusedError(n, e) from e
            yield w

    # -- the rest of LogStore, as the inner store does it --------------------------

    def read_tiles(self, keys: Sequence[TileKey]) -> Mapping[TileKey, bytes]:
        return self.inner.read_tiles(keys)

    def read_bundles(self, indexes: Sequence[int]) -> Mapping[int, bytes]:
        return self.inner.read_bundles(indexes)

    def lookup(self, leaf_hashes: Sequence[bytes]) -> Mapping[bytes, int]:
        return self.inner.lookup(leaf_hashes)

    def checkpoint(self) -> StoredCheckpoint | None:
        return self.inner.checkpoint()

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        return self.inner.checkpoint_at(size)

    def checkpoints(self) -> Iterator[StoredCheckpoint]:
        return self.inner.checkpoints()

    def get_meta(self, key: str) -> str | None:
        return self.inner.get_meta(key)

    def close(self) -> None:
        self.inner.close()


@dataclass
class _Request:
    entries: Sequence[bytes]
    claims: Sequence[Claim]
    future: Future[list[Appended]]


class Appender:
    """Pools submissions (entries + claims) into batches; one thread integrates them."""

    def __init__(
        self,
        *,
        sequencer: Sequencer,
        store: ClaimingStore,
        period: float,
        on_commit: Callable[[], object] | None = None,
    ) -> None:
        self.sequencer = sequencer
        self.store = store
        self.period = period
        self.on_commit = on_commit
        self._cond = threading.Condition()
        self._pending: list[_Request] = []
        self._first_at = 0.0
        self._closing = False
        self._busy = False  # a batch was just integrated: what came meanwhile goes at once
        self._thread = threading.Thread(target=self._run, name="appender", daemon=True)
        self._thread.start()

    def append(self, entries: Sequence[bytes], claims: Sequence[Claim] = ()) -> list[Appended]:
        """Append ``entries`` with ``claims``, atomically; wait until durable.

        Raises:
            ActIdTakenError, StaleLinkError, JobDoneError: a claim lost (nothing was appended).
            ValidationError: an entry is too large.
            StorageError: the store failed (nothing was appended, or the outcome is unknown).
        """
        for e in entries:
            check_entry(e)
        fut: Future[list[Appended]] = Future()
        with self._cond:
            if self._closing:
                raise ValidationError("the depositary is closing")
            if not self._pending:
                self._first_at = time.monotonic()
            self._pending.append(_Request(entries, claims, fut))
            self._cond.notify()
        return fut.result()

    def _take(self) -> list[_Request] | None:
        with self._cond:
            while True:
                if self._pending:
                    wait = self._first_at + self.period - time.monotonic()
                    count = sum(len(r.entries) for r in self._pending)
                    if wait <= 0 or count >= MAX_ENTRIES or self._closing or self._busy:
                        batch, self._pending = self._pending, []
                        return batch
                    self._cond.wait(wait)
                elif self._closing:
                    return None
                else:
                    self._busy = False
                    self._cond.wait()

    def _integrate(self, batch: list[_Request]) -> None:
        while batch:
            try:
                with self.store.claiming([r.claims for r in batch]):
                    done = self.sequencer.append_batch([e for r in batch for e in r.entries])
            except ClaimRefusedError as e:
                batch.pop(e.request).future.set_exception(e.error)
                continue
            except BaseException as e:  # never leave a submitter waiting
                for r in batch:
                    r.future.set_exception(e)
                if not isinstance(e, DepositaryError):
                    raise
                return
            if self.on_commit is not None:
                # index the batch once, here, before any submitter wakes up to read it
                with contextlib.suppress(DepositaryError):
                    self.on_commit()
            pos = 0
            for r in batch:
                r.future.set_result(done[pos : pos + len(r.entries)])
                pos += len(r.entries)
            return

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            self._integrate(batch)
            self._busy = True

    def close(self) -> None:
        """Integrate what is pooled, then stop."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join()
