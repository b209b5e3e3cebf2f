"""An in-memory store: the reference for the contract tests, and for examples."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from depositary.errors import ConflictError
from depositary.storage.base import LogWriter, StoredCheckpoint, TileKey


class _State:
    def __init__(self) -> None:
        self.tiles: dict[TileKey, bytes] = {}
        self.bundles: dict[int, bytes] = {}
        self.index: dict[bytes, int] = {}
        self.checkpoints: dict[int, StoredCheckpoint] = {}
        self.latest: StoredCheckpoint | None = None
        self.meta: dict[str, str] = {}

    def copy(self) -> _State:
        s = _State()
        s.tiles = dict(self.tiles)
        s.bundles = dict(self.bundles)
        s.index = dict(self.index)
        s.checkpoints = dict(self.checkpoints)
        s.latest = self.latest
        s.meta = dict(self.meta)
        return s


class _View:
    def __init__(self, state: _State) -> None:
        self._s = state

    def read_tiles(self, keys: Sequence[TileKey]) -> Mapping[TileKey, bytes]:
        return {k: self._s.tiles[k] for k in keys if k in self._s.tiles}

    def read_bundles(self, indexes: Sequence[int]) -> Mapping[int, bytes]:
        return {i: self._s.bundles[i] for i in indexes if i in self._s.bundles}

    def lookup(self, leaf_hashes: Sequence[bytes]) -> Mapping[bytes, int]:
        return {h: self._s.index[h] for h in leaf_hashes if h in self._s.index}

    def checkpoint(self) -> StoredCheckpoint | None:
        return self._s.latest

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        return self._s.checkpoints.get(size)

    def checkpoints(self) -> Iterator[StoredCheckpoint]:
        return iter([self._s.checkpoints[k] for k in sorted(self._s.checkpoints)])

    def get_meta(self, key: str) -> str | None:
        return self._s.meta.get(key)


class _Writer(_View):
    def write_tiles(self, tiles: Mapping[TileKey, bytes]) -> None:
        self._s.tiles.update(tiles)

    def write_bundles(self, bundles: Mapping[int, bytes]) -> None:
        self._s.bundles.update(bundles)

    def write_index(self, pairs: Sequence[tuple[bytes, int]]) -> None:
        for h, i in pairs:
            self._s.index.setdefault(h, i)

    def replace_checkpoint(self, old: StoredCheckpoint | None, new: StoredCheckpoint) -> None:
        if self._s.latest != old:
            raise ConflictError("the checkpoint changed since it was read")
        self._s.latest = new
        self._s.checkpoints[new.size] = new

    def set_meta(self, key: str, value: str) -> None:
        self._s.meta[key] = value


class MemoryStore(_View):
    """Everything in dictionaries; a writer works on a copy and swaps it in."""

    def __init__(self) -> None:
        super().__init__(_State())
        self._lock = threading.Lock()

    @contextmanager
    def writer(self) -> Iterator[LogWriter]:
        with self._lock:
            draft = self._s.copy()
            yield _Writer(draft)
            self._s = draft

    def close(self) -> None:
        """Nothing to release."""
