"""The sequencer: pools appends, integrates them in batches, signs the checkpoint.

Each batch is one exclusive store transaction: look up duplicates, write the
entry bundles, hash tiles and leaf index, then compare-and-swap the signed
checkpoint. The commit of that transaction is the commit point: an append is
acknowledged only after it, so every acknowledged entry is durable and covered
by a signed checkpoint. Writers in other threads or processes serialise on
the store; when one of them moved the log on, this sequencer reloads its edge
before appending, so it never signs a checkpoint inconsistent with one already
signed. Checkpoint times never go backwards.

Given a ``LogView`` of the same store as ``receipts``, the sequencer also
builds every appender's tlog-proof@v1 receipt right after each commit, in its
own thread and for the whole batch at once (consecutive entries share most of
their proof), so that many waiting appenders need not each compute their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TypeVar

from depositary.clock import Clock, to_millis
from depositary.encoding.checkpoint import Checkpoint, sign_checkpoint
from depositary.encoding.note import (
    Note,
    NoteSigner,
)
from depositary.encoding.tiles import MAX_ENTRY_SIZE
from depositary.errors import CorruptionError, DepositaryError, ValidationError
from depositary.log.hashes import TileHashReader
from depositary.log.integrate import Edge, integrate
from depositary.log.reader import LogView
from depositary.storage.base import LogStore, LogWriter, StoredCheckpoint, TileKey

DEFAULT_PERIOD = 0.25
DEFAULT_MAX_BATCH = 16_384
"""At 300-byte entries a batch is ~5 MB, held a few times over while it is
integrated: 65,536 put the peak of a long append at ~132 MiB, this at ~83 MiB,
for ~15% fewer entries/s in the largest batches."""

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Appended:
    """An acknowledged append: where the entry is and the checkpoint covering it."""

    index: int
    checkpoint: StoredCheckpoint
    duplicate: bool
    receipt: bytes | None = None
    """The entry's tlog-proof@v1 at ``checkpoint``, when the sequencer builds receipts."""


Waiter = Future[Appended] | asyncio.Future[Appended]
"""Where an appender waits: a thread's future, or an event loop's."""


def check_entry(entry: bytes) -> None:
    """Reject an entry that cannot go in a tlog-tiles entry bundle.

    Raises:
        ValidationError: the entry is longer than 65,535 bytes.
    """
    if len(entry) > MAX_ENTRY_SIZE:
        raise ValidationError(
            f"entry is {len(entry)} bytes; a log entry is at most {MAX_ENTRY_SIZE} bytes"
        )


def parse_stored(stored: StoredCheckpoint) -> Checkpoint:
    """Return the checkpoint body of a stored signed checkpoint."""
    return Checkpoint.from_text(Note.from_bytes(stored.note).text.encode())


class Sequencer:
    """Appends entries to a log, in batches, with durable signed checkpoints."""

    def __init__(
        self,
        *,
        store: LogStore,
        signer: NoteSigner,
        clock: Clock,
        period: float = DEFAULT_PERIOD,
        max_batch: int = DEFAULT_MAX_BATCH,
        receipts: LogView | None = None,
    ) -> None:
        """``receipts``: a view of ``store``; if given, each ``Appended`` carries its receipt.

        The sequencer primes that view with each commit (``LogView.committed``).
        """
        if period <= 0:
            raise ValidationError("the batch period must be positive")
        self.store = store
        self.origin = signer.name
        self._signer = signer
        self._clock = clock
        self.period = period
        self.max_batch = max_batch
        self._receipts = receipts
        self._edge: Edge | None = None
        self._head: StoredCheckpoint | None = None
        self._integrate_lock = threading.Lock()
        self._cond = threading.Condition()
        self._pending: list[tuple[bytes, Waiter]] = []
        self._first_at = 0.0
        self._thread: threading.Thread | None = None
        self._closing = False
        self._watchers: list[Callable[[Mapping[TileKey, bytes], StoredCheckpoint], None]] = []

    def watch(self, fn: Callable[[Mapping[TileKey, bytes], StoredCheckpoint], None]) -> None:
        """Call ``fn(tiles, checkpoint)`` after each commit, before appenders are answered."""
        self._watchers.append(fn)

    # -- synchronous path -------------------------------------------------

    def append_batch(self, entries: Sequence[bytes]) -> list[Appended]:
        """Integrate ``entries`` now, as one batch, and return where each went.

        Raises:
            ValidationError: an entry is too large (nothing is appended).
            StorageError: the store failed (nothing is appended).
        """
        for e in entries:
            check_entry(e)
        with self._integrate_lock:
            return self._integrate(list(entries))

    def _sync_edge(self, w: LogWriter) -> StoredCheckpoint | None:
        head = w.checkpoint()
        if self._edge is not None and head == self._head:
            return head
        size = 0 if head is None else head.size
        edge = Edge.load(w, size, TileHashReader(w).read)
        if head is not None:
            cp = parse_stored(head)
            if cp.origin != self.origin:
                raise CorruptionError(
                    f"the stored checkpoint is for origin {cp.origin!r}, not {self.origin!r}"
                )
            if cp.root_hash != edge.root():
                raise CorruptionError(
                    f"the stored hash tiles give root {edge.root().hex()} at size {size}, "
                    f"but the signed checkpoint says {cp.root_hash.hex()}"
                )
        self._edge, self._head = edge, head
        return head

    def _integrate(self, entries: list[bytes]) -> list[Appended]:
        sha = hashlib.sha256
        hashes = [sha(b"\x00" + e).digest() for e in entries]  # RFC 6962 leaf hashes
        with self.store.writer() as w:
            head = self._sync_edge(w)
            assert self._edge is not None
            known = dict(w.lookup(hashes)) if head is not None else {}
            new_entries: list[bytes] = []
            new_hashes: list[bytes] = []
            where: list[tuple[int, bool]] = []
            size = self._edge.size
            for e, h in zip(entries, hashes, strict=True):
                got = known.get(h)
                if got is not None:
                    where.append((got, got < self._edge.size))
                    continue
                known[h] = size
                where.append((size, False))
                new_entries.append(e)
                new_hashes.append(h)
                size += 1
            if not new_entries:
                assert head is not None
                return self._answer(where, head, {})
            result = integrate(self._edge, new_entries, new_hashes)
            last_ms = head.timestamp_ms if head is not None else 0
            stamp = max(to_millis(self._clock.now()), last_ms)
            body = Checkpoint(
                origin=self.origin, size=result.edge.size, root_hash=result.edge.root()
            )
            signed = StoredCheckpoint(
                size=result.edge.size, timestamp_ms=stamp, note=sign_checkpoint(body, self._signer)
            )
            w.write_bundles(result.bundles)
            w.write_tiles(result.tiles)
            w.write_index(list(zip(new_hashes, range(self._edge.size, size), strict=True)))
            w.replace_checkpoint(head, signed)
        self._edge, self._head = result.edge, signed
        for fn in self._watchers:
            fn(result.tiles, signed)
        return self._answer(where, signed, result.tiles)

    def _answer(
        self, where: list[tuple[int, bool]], cp: StoredCheckpoint, tiles: Mapping[TileKey, bytes]
    ) -> list[Appended]:
        """The appenders' answers, with their receipts when this sequencer builds them."""
        receipts: dict[int, bytes] = {}
        if self._receipts is not None:
            try:
                self._receipts.committed(tiles, cp)
                receipts = self._receipts.receipts([i for i, _ in where], cp.size)
            except DepositaryError as e:  # committed all the same: appenders ask the view
                log.warning("no receipts for the batch at size %d: %s", cp.size, e)
        get = receipts.get
        return [Appended(index=i, checkpoint=cp, duplicate=d, receipt=get(i)) for i, d in where]

    # -- pooled path --------------------------------------------------------

    def start(self) -> Sequencer:
        """Start the background thread that integrates pooled appends."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sequencer", daemon=True)
            self._thread.start()
        return self

    def submit(self, entry: bytes) -> Future[Appended]:
        """Pool ``entry`` for the next batch; the future resolves once it is durable.

        Cancelling the future before its batch starts leaves the entry out.

        Raises:
            ValidationError: the entry is too large.
        """
        fut: Future[Appended] = Future()
        self._pool(entry, fut)
        return fut

    def submit_async(self, entry: bytes) -> asyncio.Future[Appended]:
        """The asyncio form of ``submit``, to await in the running event loop.

        The sequencer settles all of a batch's futures of one loop in a single
        callback, where ``asyncio.wrap_future(submit(entry))`` costs one
        cross-thread wake-up of the loop per entry. Cancelling the future
        before its batch starts leaves the entry out.

        Raises:
            ValidationError: the entry is too large.
            RuntimeError: no event loop is running in this thread.
        """
        fut: asyncio.Future[Appended] = asyncio.get_running_loop().create_future()
        self._pool(entry, fut)
        return fut

    def _pool(self, entry: bytes, fut: Waiter) -> None:
        check_entry(entry)
        with self._cond:
            if self._closing:
                raise ValidationError("the sequencer is closed")
            self._pending.append((entry, fut))
            if len(self._pending) == 1:
                self._first_at = time.monotonic()
                self._cond.notify()  # the batch's clock starts
            elif len(self._pending) == self.max_batch:
                self._cond.notify()  # the batch is full

    def append(self, entry: bytes, timeout: float | None = None) -> Appended:
        """Pool ``entry`` and wait until it is integrated."""
        return self.submit(entry).result(timeout)

    def _take(self) -> list[tuple[bytes, Waiter]] | None:
        with self._cond:
            while True:
                if self._pending:
                    wait = self._first_at + self.period - time.monotonic()
                    if wait <= 0 or len(self._pending) >= self.max_batch or self._closing:
                        batch = self._pending[: self.max_batch]
                        del self._pending[: self.max_batch]
                        if self._pending:
                            self._first_at = time.monotonic()
                        return batch
                    self._cond.wait(wait)
                elif self._closing:
                    return None
                else:
                    self._cond.wait()

    def _run(self) -> None:
        while (taken := self._take()) is not None:
            batch = [(e, fut) for e, fut in taken if _claim(fut)]
            if not batch:
                continue
            try:
                with self._integrate_lock:
                    done = self._integrate([e for e, _ in batch])
            except DepositaryError as e:
                self._edge = None
                _settle([fut for _, fut in batch], e)
                continue
            except BaseException as e:  # never leave an appender waiting forever
                self._edge = None
                _settle([fut for _, fut in batch], e)
                raise
            _settle([fut for _, fut in batch], done)

    def close(self) -> None:
        """Integrate what is pooled, then stop the background thread."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def _claim(fut: Waiter) -> bool:
    """Mark a pooled future as being integrated; False if it was cancelled."""
    if isinstance(fut, Future):
        return fut.set_running_or_notify_cancel()
    return not fut.done()


def _settle(futures: list[Waiter], outcome: list[Appended] | BaseException) -> None:
    """Resolve each future with its ``Appended``, or all with the exception."""
    if isinstance(outcome, BaseException):
        settle([(fut, outcome) for fut in futures])
    else:
        settle(list(zip(futures, outcome, strict=True)))


T = TypeVar("T")


def settle(pairs: Sequence[tuple[Future[T] | asyncio.Future[T], T | BaseException]]) -> None:
    """Resolve each future with its result or exception, from any thread.

    A thread's futures are resolved here; an event loop's are resolved in that
    loop, all of them in one callback, so many waiting coroutines cost the loop
    one cross-thread wake-up rather than one each. A future cancelled meanwhile
    is left alone.
    """
    loops: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[T], T | BaseException]]]
    loops = {}
    for fut, outcome in pairs:
        if isinstance(fut, Future):
            if fut.done():
                continue
            if isinstance(outcome, BaseException):
                fut.set_exception(outcome)
            else:
                fut.set_result(outcome)
        else:
            loops.setdefault(fut.get_loop(), []).append((fut, outcome))
    for loop, mine in loops.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there
            loop.call_soon_threadsafe(_settle_in_loop, mine)


def _settle_in_loop(pairs: list[tuple[asyncio.Future[T], T | BaseException]]) -> None:
    for fut, outcome in pairs:
        if fut.done():
            continue  # cancelled while its batch was integrated
        if isinstance(outcome, BaseException):
            fut.set_exception(outcome)
        else:
            fut.set_result(outcome)
