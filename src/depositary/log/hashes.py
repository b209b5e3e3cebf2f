"""Read any complete Merkle node from hash tiles, with a cache of expanded tiles.

Node ``(L, i)`` lives in the tile at level ``L // 8``: within that tile it is
the node at height ``L % 8``. A tile is expanded once into all of its complete
internal nodes (at most 255 hashes) and cached, so a proof at a million entries
costs a handful of dictionary look-ups once the tiles on its path are warm.
Full tiles never change; a partial tile is re-read when a wider one is needed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

from depositary.errors import CorruptionError, NotFound
from depositary.merkle.hashing import HASH_SIZE, node_hash
from depositary.storage.base import LogReader, TileKey

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT


def expand_tile(data: bytes) -> list[list[bytes]]:
    """Return ``levels[h][p]``: every complete node of a tile, by height in the tile."""
    if len(data) % HASH_SIZE or len(data) > TILE_WIDTH * HASH_SIZE:
        raise CorruptionError(f"a hash tile of {len(data)} bytes is not a whole number of hashes")
    level = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
    levels = [level]
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
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

    def _cached(self, key: TileKey, height: int, pos: int) -> bytes | None:
        levels = self._cache.get(key)
        if levels is None or height >= len(levels) or pos >= len(levels[height]):
            return None
        self._cache.move_to_end(key)
        return levels[height][pos]

    def read(self, ids: Sequence[tuple[int, int]]) -> list[bytes]:
        """Return the hashes of complete nodes ``(level, index)``, in order.

        Raises:
            NotFound: a node is not in the stored tiles.
        """
        located = [self.locate(level, index) for level, index in ids]
        with self._lock:
            out = [self._cached(k, h, p) for k, h, p in located]
            missing = sorted({loc[0] for loc, got in zip(located, out, strict=True) if got is None})
        if missing:
            with self._fetching:
                with self._lock:
                    out = [
                        got or self._cached(k, h, p)
                        for got, (k, h, p) in zip(out, located, strict=True)
                    ]
                    missing = sorted(
                        {loc[0] for loc, got in zip(located, out, strict=True) if got is None}
                    )
                fetched = self._store.read_tiles(missing) if missing else {}
                with self._lock:
                    for key, data in fetched.items():
                        self._cache[key] = expand_tile(data)
                        self._cache.move_to_end(key)
                    while len(self._cache) > self._capacity:
                        self._cache.popitem(last=False)
                    for i, (k, h, p) in enumerate(located):
                        if out[i] is None:
                            out[i] = self._cached(k, h, p)
        result: list[bytes] = []
        for (level, index), got in zip(ids, out, strict=True):
            if got is None:
                raise NotFound(f"node ({level}, {index}) is not in the stored hash tiles")
            result.append(got)
        return result

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
