"""The storage protocols the log is written against.

A store keeps four things, each addressed the way tlog-tiles addresses it:

* hash tiles, by ``(level, index)``: the concatenated 32-byte hashes of one
  tile, growing from partial to full width (a past width is a prefix);
* entry bundles, by index: length-prefixed entries, growing the same way;
* a leaf index, from leaf hash to log index, for idempotent appends;
* the checkpoint: the signed head, swapped by compare-and-swap, and every
  checkpoint the log ever signed, kept by size.

Writes happen inside ``store.writer()``, an exclusive section that is one
transaction: either everything in it becomes durable, checkpoint included, or
nothing does. Swapping the checkpoint is the commit point.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

TileKey = tuple[int, int]
"""A hash tile's ``(level, index)``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredCheckpoint:
    """A signed checkpoint as stored: its size, time and exact note bytes."""

    size: int
    timestamp_ms: int
    note: bytes


class LogReader(Protocol):
    """Read access: what any number of readers may do at once."""

    def read_tiles(self, keys: Sequence[TileKey]) -> Mapping[TileKey, bytes]:
        """Return the stored bytes of each tile that exists (missing keys are absent)."""
        ...

    def read_bundles(self, indexes: Sequence[int]) -> Mapping[int, bytes]:
        """Return the stored bytes of each entry bundle that exists."""
        ...

    def lookup(self, leaf_hashes: Sequence[bytes]) -> Mapping[bytes, int]:
        """Return the log index of each leaf hash already in the log."""
        ...

    def checkpoint(self) -> StoredCheckpoint | None:
        """Return the latest signed checkpoint, or None for a new log."""
        ...

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        """Return the checkpoint the log signed at exactly ``size``, if any."""
        ...

    def checkpoints(self) -> Iterator[StoredCheckpoint]:
        """Yield every checkpoint the log has signed, by increasing size."""
        ...

    def get_meta(self, key: str) -> str | None:
        """Return a setting stored with the log (origin, verifier key)."""
        ...


class LogWriter(LogReader, Protocol):
    """Write access inside one exclusive transaction."""

    def write_tiles(self, tiles: Mapping[TileKey, bytes]) -> None:
        """Store (or widen) hash tiles."""
        ...

    def write_bundles(self, bundles: Mapping[int, bytes]) -> None:
        """Store (or widen) entry bundles."""
        ...

    def write_index(self, pairs: Sequence[tuple[bytes, int]]) -> None:
        """Record ``(leaf_hash, index)`` pairs; a hash already present keeps its index."""
        ...

    def replace_checkpoint(self, old: StoredCheckpoint | None, new: StoredCheckpoint) -> None:
        """Swap the latest checkpoint from ``old`` to ``new``.

        Raises:
            ConflictError: the latest checkpoint is no longer ``old``.
        """
        ...

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting with the log."""
        ...


class LogStore(LogReader, Protocol):
    """A log's storage: concurrent reads, and one exclusive writer at a time."""

    def writer(self) -> AbstractContextManager[LogWriter]:
        """Enter the exclusive write section; leaving it normally commits durably."""
        ...

    def close(self) -> None:
        """Release the store's resources."""
        ...
