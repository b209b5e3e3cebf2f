"""Read any complete Merkle node from hash tiles, with a cache of expanded tiles.

Node ``(L, i)`` lives in the tile at level ``L // 8``: within that tile it is
the node at height ``L % 8``. A tile is expanded once into all of its complete
internal nodes (at most 255 hashes) and cached, so a proof at a million entries
costs a handful of dictionary look-ups once the tiles on its path are warm.
Full tiles never change; a partial tile is re-read when a wider one is needed.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

from depositary.errors import CorruptionError, NotFound
from depositary.merkle.hashing import HASH_SIZE
from depositary.storage.base import LogReader, TileKey

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT


def expand_tile(data: bytes) -> list[list[bytes]]:
    """Return ``levels[h][p]``: every complete node of a tile, by height in the tile."""
    if len(data) % HASH_SIZE or len(data) > TILE_WIDTH * HASH_SIZE:
        raise CorruptionError(f"a hash tile of {len(data)} bytes is not a whole number of hashes")
    sha = hashlib.sha256
    level = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
    levels = [level]
    while len(level) > 1:
        pairs = zip(level[::2], level[1::2], strict=False)  # an odd last node has no parent
        level = [sha(b"\x01" + a + b).digest() for a, b in pairs]
        levels.append(level)
    return levels


class TileHashReader:
    """A ``NodeReader`` over a store's hash tiles, with an LRU of expanded tiles."""

    def __init__(self, store: LogReader, *, capacity: int = 2048) -> None:
        self._store = store
        self._capacity = capacity
        self._cache: OrderedDict[TileKey, list[list[bytes]]] = OrderedDict()
        self._lock = threading.Lock()
        self._fetching = threading.Lock()  # one store read at a time: the others wait for it

    @staticmethod
    def locate(level: int, index: int) -> tuple[TileKey, int, int]:
        """Return ``(tile key, height in tile, position at that height)`` of a node."""
        t, r = divmod(level, TILE_HEIGHT)
        n = index >> (TILE_HEIGHT - r)
        return (t, n), r, index - (n << (TILE_HEIGHT - r))

    def read(self, ids: Sequence[tuple[int, int]]) -> list[bytes]:
        """Return the hashes of complete nodes ``(level, index)``, in order.

        Raises:
            NotFound: a node is not in the stored tiles.
        """
        return self.read_columns([lv for lv, _ in ids], [i for _, i in ids])

    def read_columns(self, levels: Sequence[int], indexes: Sequence[int]) -> list[bytes]:
        """``read`` of nodes ``(levels[n], indexes[n])``: no pair to build per node."""
        out = self._read_cached(levels, indexes)
        if None in out:
            with self._fetching:
                out = self._read_cached(levels, indexes, out)
                missing = sorted(
                    {
                        self.locate(levels[n], indexes[n])[0]
                        for n, got in enumerate(out)
                        if got is None
                    }
                )
                fetched = self._store.read_tiles(missing) if missing else {}
                with self._lock:
                    for key, data in fetched.items():
                        self._cache[key] = expand_tile(data)
                        self._cache.move_to_end(key)
                    while len(self._cache) > self._capacity:
                        self._cache.popitem(last=False)
                out = self._read_cached(levels, indexes, out)
        for level, index, got in zip(levels, indexes, out, strict=True):
            if got is None:
                raise NotFound(f"node ({level}, {index}) is not in the stored hash tiles")
        return out  # type: ignore[return-value]  # no None left

    def _read_cached(
        self,
        levels: Sequence[int],
        indexes: Sequence[int],
        known: list[bytes | None] | None = None,
    ) -> list[bytes | None]:
        """The cached hash of each node (or what ``known`` has), None where not cached."""
        out: list[bytes | None] = []
        add = out.append
        last: TileKey | None = None
        tile: list[list[bytes]] | None = None
        with self._lock:
            cache = self._cache
            for n, (level, index) in enumerate(zip(levels, indexes, strict=True)):
                if known is not None and known[n] is not None:
                    add(known[n])
                    continue
                t, r = divmod(level, TILE_HEIGHT)
                key = (t, index >> (TILE_HEIGHT - r))
                if key != last:
                    last, tile = key, cache.get(key)
                    if tile is not None:
                        cache.move_to_end(key)
                pos = index - (key[1] << (TILE_HEIGHT - r))
                if tile is None or r >= len(tile) or pos >= len(tile[r]):
                    add(None)
                else:
                    add(tile[r][pos])
        return out

    def prime(self, tiles: Mapping[TileKey, bytes]) -> None:
        """Cache tiles just written (their whole current contents), so no reader fetches them."""
        expanded = [(k, expand_tile(v)) for k, v in sorted(tiles.items())[-64:]]
        with self._lock:
            for key, levels in expanded:
                self._cache[key] = levels
                self._cache.move_to_end(key)
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)

    def forget(self) -> None:
        """Drop every cached tile (after the store changed under us)."""
        with self._lock:
            self._cache.clear()
