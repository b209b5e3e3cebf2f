"""The sequencer: pools appends, integrates them in batches, signs the checkpoint.

Each batch is one exclusive store transaction: look up duplicates, write the
entry bundles, hash tiles and leaf index, then compare-and-swap the signed
checkpoint. The commit of that transaction is the commit point: an append is
acknowledged only after it, so every acknowledged entry is durable and covered
by a signed checkpoint. Writers in other threads or processes serialise on
the store; when one of them moved the log on, this sequencer reloads its edge
before appending, so it never signs a checkpoint inconsistent with one already
signed. Checkpoint times never go backwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from depositary.clock import Clock, to_millis
from depositary.encoding.checkpoint import Checkpoint, sign_checkpoint
from depositary.encoding.note import Note, NoteSigner
from depositary.encoding.tiles import MAX_ENTRY_SIZE
from depositary.errors import CorruptionError, DepositaryError, ValidationError
from depositary.log.hashes import TileHashReader
from depositary.log.integrate import Edge, integrate
from depositary.merkle.hashing import leaf_hash
from depositary.storage.base import LogStore, LogWriter, StoredCheckpoint, TileKey

DEFAULT_PERIOD = 0.25
DEFAULT_MAX_BATCH = 65_536


@dataclass(frozen=True, slots=True, kw_only=True)
class Appended:
    """An acknowledged append: where the entry is and the checkpoint covering it."""

    index: int
    checkpoint: StoredCheckpoint
    duplicate: bool


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
    ) -> None:
        if period <= 0:
            raise ValidationError("the batch period must be positive")
        self.store = store
        self.origin = signer.name
        self._signer = signer
        self._clock = clock
        self.period = period
        self.max_batch = max_batch
        self._edge: Edge | None = None
        self._head: StoredCheckpoint | None = None
        self._integrate_lock = threading.Lock()
        self._cond = threading.Condition()
        self._pending: list[tuple[bytes, Future[Appended]]] = []
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
        hashes = [leaf_hash(e) for e in entries]
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
                return [Appended(index=i, checkpoint=head, duplicate=d) for i, d in where]
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
        return [Appended(index=i, checkpoint=signed, duplicate=d) for i, d in where]

    # -- pooled path --------------------------------------------------------

    def start(self) -> Sequencer:
        """Start the background thread that integrates pooled appends."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sequencer", daemon=True)
            self._thread.start()
        return self

    def submit(self, entry: bytes) -> Future[Appended]:
        """Pool ``entry`` for the next batch; the future resolves once it is durable.

        Raises:
            ValidationError: the entry is too large.
        """
        check_entry(entry)
        fut: Future[Appended] = Future()
        with self._cond:
            if self._closing:
                raise ValidationError("the sequencer is closed")
            if not self._pending:
                self._first_at = time.monotonic()
            self._pending.append((entry, fut))
            self._cond.notify()
        return fut

    def append(self, entry: bytes, timeout: float | None = None) -> Appended:
        """Pool ``entry`` and wait until it is integrated."""
        return self.submit(entry).result(timeout)

    def _take(self) -> list[tuple[bytes, Future[Appended]]] | None:
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
        while (batch := self._take()) is not None:
            try:
                with self._integrate_lock:
                    done = self._integrate([e for e, _ in batch])
            except DepositaryError as e:
                self._edge = None
                for _, fut in batch:
                    fut.set_exception(e)
                continue
            except BaseException as e:  # never leave an appender waiting forever
                self._edge = None
                for _, fut in batch:
                    fut.set_exception(e)
                raise
            for (_, fut), res in zip(batch, done, strict=True):
                fut.set_result(res)

    def close(self) -> None:
        """Integrate what is pooled, then stop the background thread."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
