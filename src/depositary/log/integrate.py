"""Fold a batch of new entries into the tree: pure, no I/O.

The right edge of the tree (its compact range, plus the partial hash tiles
and the partial entry bundle at the edge) is all the state an append needs.
``integrate`` returns the tiles and bundles to store and the new edge.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from depositary.encoding.tiles import encode_bundle
from depositary.errors import CorruptionError
from depositary.log.hashes import TILE_HEIGHT, TILE_WIDTH
from depositary.merkle.hashing import HASH_SIZE
from depositary.merkle.tree import NodeReader, fold_right, subtree_roots
from depositary.storage.base import LogReader, TileKey


def edge_tile_keys(size: int) -> list[TileKey]:
    """The partial hash tiles at the right edge of a tree of ``size`` leaves."""
    keys = []
    level, n = 0, size
    while n:
        if n % TILE_WIDTH:
            keys.append((level, n // TILE_WIDTH))
        n //= TILE_WIDTH
        level += 1
    return keys


@dataclass(slots=True, kw_only=True)
class Edge:
    """The right edge of a tree: everything needed to append to it."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)
    """Compact range: roots of maximal complete subtrees, largest first."""
    tiles: dict[TileKey, bytes] = field(default_factory=dict)
    """The partial hash tiles at the edge, exactly as wide as ``size`` implies."""
    bundle: bytes = b""
    """The partial entry bundle at the edge (``size % 256`` entries)."""

    def root(self) -> bytes:
        return fold_right(self.hashes)

    @classmethod
    def load(cls, store: LogReader, size: int, read_nodes: NodeReader) -> Edge:
        """Rebuild the edge of a stored tree of ``size`` leaves.

        Raises:
            CorruptionError: a stored edge tile or bundle has the wrong width.
        """
        hashes = list(read_nodes(subtree_roots(0, size))) if size else []
        keys = edge_tile_keys(size)
        stored = store.read_tiles(keys)
        tiles: dict[TileKey, bytes] = {}
        for level, index in keys:
            width = (size >> (TILE_HEIGHT * level)) % TILE_WIDTH
            data = stored.get((level, index), b"")
            if len(data) < width * HASH_SIZE:
                raise CorruptionError(
                    f"hash tile {level}/{index} holds {len(data) // HASH_SIZE} hashes; "
                    f"the checkpoint at size {size} needs {width}"
                )
            tiles[(level, index)] = data[: width * HASH_SIZE]
        bundle = b""
        if size % TILE_WIDTH:
            bundle = store.read_bundles([size // TILE_WIDTH]).get(size // TILE_WIDTH, b"")
        return cls(size=size, hashes=hashes, tiles=tiles, bundle=bundle)


@dataclass(frozen=True, slots=True, kw_only=True)
class Integration:
    """What one batch adds: tiles and bundles to write, and the new edge."""

    tiles: dict[TileKey, bytes]
    bundles: dict[int, bytes]
    edge: Edge


def integrate(edge: Edge, entries: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> Integration:
    """Append ``entries`` (with their RFC 6962 leaf hashes) to the tree at ``edge``."""
    if not entries:
        return Integration(tiles={}, bundles={}, edge=edge)
    tiles: dict[TileKey, bytearray] = {k: bytearray(v) for k, v in edge.tiles.items()}
    stack = list(edge.hashes)
    size = edge.size
    sha = hashlib.sha256  # RFC 6962 node hashes, inline: the hot loop of every append
    for leaf in leaf_hashes:
        key = (0, size >> TILE_HEIGHT)
        tile = tiles.get(key)
        if tile is None:
            tile = tiles[key] = bytearray()
        tile += leaf
        h, index, level = leaf, size, 0
        while index & 1:
            h = sha(b"\x01" + stack.pop() + h).digest()
            index >>= 1
            level += 1
            if level % TILE_HEIGHT == 0:
                tkey = (level // TILE_HEIGHT, index >> TILE_HEIGHT)
                t = tiles.get(tkey)
                if t is None:
                    t = tiles[tkey] = bytearray()
                t += h
        stack.append(h)
        size += 1
    bundles: dict[int, bytes] = {}
    pos = 0
    start = edge.size
    first = start // TILE_WIDTH
    if entries:
        head = TILE_WIDTH - start % TILE_WIDTH
        bundles[first] = edge.bundle + encode_bundle(entries[:head])
        pos = head
        n = first + 1
        while pos < len(entries):
            bundles[n] = encode_bundle(entries[pos : pos + TILE_WIDTH])
            pos += TILE_WIDTH
            n += 1
    out_tiles = {k: bytes(v) for k, v in tiles.items()}
    new_edge = Edge(
        size=size,
        hashes=stack,
        tiles={k: out_tiles.get(k, b"") for k in edge_tile_keys(size)},
        bundle=bundles.get(size // TILE_WIDTH, b"") if size % TILE_WIDTH else b"",
    )
    changed = {k: v for k, v in out_tiles.items() if edge.tiles.get(k) != v}
    return Integration(tiles=changed, bundles=bundles, edge=new_edge)
