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

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Protocol

import sqlalchemy as sa

from depositary.errors import ConflictError, DepositaryError, ValidationError
from depositary.log.reader import LogView
from depositary.log.sequencer import Appended, Sequencer, check_entry, settle
from depositary.storage.base import LogWriter, StoredCheckpoint, TileKey
from depositary.storage.claims import ActIdTakenError, Claim, NewChain
from depositary.storage.index import ServiceIndex
from depositary.storage.sql import SQLStore

MAX_ENTRIES = 8192

log = logging.getLogger(__name__)


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

    def __init__(
        self,
        store: SQLStore,
        index: ServiceIndex,
        indexer: IndexHook | None = None,
    ) -> None:
        self.inner = store
        self.index = index
        self.indexer = indexer
        self._local = threading.local()

    @contextmanager
    def claiming(
        self, claims: Sequence[Sequence[Claim]], entries: Sequence[bytes] = ()
    ) -> Iterator[None]:
        """Apply ``claims`` (one list per submission) in the next write transaction,
        and index ``entries`` (the batch, in order) in it when they all go in."""
        self._local.claims = claims
        self._local.entries = entries
        try:
            yield
        finally:
            self._local.claims = None
            self._local.entries = ()

    @contextmanager
    def writer(self) -> Iterator[LogWriter]:
        staged: object = None
        with self.inner.writer() as w:
            pending: Sequence[Sequence[Claim]] | None = getattr(self._local, "claims", None)
            entries: Sequence[bytes] = getattr(self._local, "entries", ())
            conn = _connection(w)
            size = 0
            if pending or entries:
                head = w.checkpoint()
                size = 0 if head is None else head.size
            if pending:
                lost = self.index.apply_new_chains(conn, pending)
                if lost >= 0:
                    raise ClaimRefusedError(lost, ActIdTakenError(_taken(pending[lost])))
                for n, claims in enumerate(pending):
                    try:
                        self.index.apply_claims(conn, claims, size)
                    except ConflictError as e:
                        raise ClaimRefusedError(n, e) from e
            yield w
            if entries and self.indexer is not None:
                after = w.checkpoint()
                if after is not None and after.size - size == len(entries):  # no duplicates
                    staged = self.indexer.index_appended(conn, size, entries)
        if staged is not None and self.indexer is not None:  # committed
            self.indexer.indexed_committed(staged)

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


class IndexHook(Protocol):
    """Indexes a batch inside the transaction appending it (see ``Indexer``)."""

    def index_appended(
        self, conn: sa.Connection, first: int, entries: Sequence[bytes]
    ) -> object: ...

    def indexed_committed(self, staged: object) -> None: ...


@dataclass
class _Request:
    entries: Sequence[bytes]
    claims: Sequence[Claim]
    future: Future[list[Appended]] | asyncio.Future[list[Appended]]
    receipt: bool  # the first entry's receipt is built with the batch's


def _settle(batch: Sequence[_Request], outcomes: Sequence[list[Appended] | BaseException]) -> None:
    settle([(r.future, o) for r, o in zip(batch, outcomes, strict=True)])


class Appender:
    """Pools submissions (entries + claims) into batches; one thread integrates them."""

    def __init__(
        self,
        *,
        sequencer: Sequencer,
        store: ClaimingStore,
        period: float,
        on_commit: Callable[[int], object] | None = None,
        receipts: LogView | None = None,
    ) -> None:
        """``receipts``: a view of the same store, to build each submission's receipt
        for its first entry with the batch's, right after the commit."""
        self.sequencer = sequencer
        self.receipts = receipts
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

    def append(
        self, entries: Sequence[bytes], claims: Sequence[Claim] = (), *, receipt: bool = False
    ) -> list[Appended]:
        """Append ``entries`` with ``claims``, atomically; wait until durable. With
        ``receipt``, the first entry's ``Appended`` carries its tlog-proof, built with
        the batch's (when the appender has a view).

        Raises:
            ActIdTakenError, StaleLinkError, JobDoneError: a claim lost (nothing was appended).
            ValidationError: an entry is too large.
            StorageError: the store failed (nothing was appended, or the outcome is unknown).
        """
        fut: Future[list[Appended]] = Future()
        self._pool(_Request(entries, claims, fut, receipt=receipt))
        return fut.result()

    def append_async(
        self, entries: Sequence[bytes], claims: Sequence[Claim] = (), *, receipt: bool = False
    ) -> asyncio.Future[list[Appended]]:
        """``append`` for the running event loop: a future to await, settled with the
        rest of the batch's futures of that loop in one callback. With ``receipt``, the
        first entry's ``Appended`` carries its tlog-proof (when the appender has a view)."""
        fut: asyncio.Future[list[Appended]] = asyncio.get_running_loop().create_future()
        self._pool(_Request(entries, claims, fut, receipt=receipt))
        return fut

    def _pool(self, request: _Request) -> None:
        for e in request.entries:
            check_entry(e)
        with self._cond:
            if self._closing:
                raise ValidationError("the depositary is closing")
            if not self._pending:
                self._first_at = time.monotonic()
            self._pending.append(request)
            self._cond.notify()

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
                entries = [e for r in batch for e in r.entries]
                with self.store.claiming([r.claims for r in batch], entries):
                    done = self.sequencer.append_batch(entries)
            except ClaimRefusedError as e:
                lost = batch.pop(e.request)
                _settle([lost], [e.error])
                continue
            except BaseException as e:  # never leave a submitter waiting
                _settle(batch, [e] * len(batch))
                if not isinstance(e, DepositaryError):
                    raise
                return
            if self.on_commit is not None and done:
                # the batch is indexed (in its own transaction, or here) before any
                # submitter wakes up to read it; whatever goes wrong here, the batch
                # is committed and its submitters must hear so (a later catch-up
                # indexes what this one could not)
                try:
                    self.on_commit(max(a.index for a in done) + 1)
                except Exception:
                    log.exception("indexing after the commit at size %d failed", done[-1].index)
            parts: list[list[Appended]] = []
            pos = 0
            for r in batch:
                parts.append(done[pos : pos + len(r.entries)])
                pos += len(r.entries)
            self._with_receipts(batch, parts)
            _settle(batch, parts)
            return

    def _with_receipts(self, batch: Sequence[_Request], parts: list[list[Appended]]) -> None:
        """Give the first entry of each request that asked, its receipt, built together."""
        if self.receipts is None:
            return
        wanted = [n for n, r in enumerate(batch) if r.receipt and parts[n]]
        if not wanted:
            return
        size = max(parts[n][0].checkpoint.size for n in wanted)
        try:
            built = self.receipts.receipts([parts[n][0].index for n in wanted], size)
        except DepositaryError:
            return  # committed all the same: the submitter asks the view
        for n in wanted:
            first = parts[n][0]
            if first.checkpoint.size == size:
                parts[n][0] = replace(first, receipt=built[first.index])

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
