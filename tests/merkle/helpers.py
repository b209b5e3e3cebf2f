"""A tiny in-memory node store for building proofs in tests."""

from __future__ import annotations

from collections.abc import Sequence

from depositary.merkle.hashing import leaf_hash
from depositary.merkle.tree import CompactRange


class Nodes:
    def __init__(self, entries: Sequence[bytes]) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.roots: list[bytes] = []
        cr = CompactRange()
        self.roots.append(cr.root())
        for e in entries:
            created: list[tuple[int, int, bytes]] = []
            cr.append(leaf_hash(e), created)
            for level, index, h in created:
                self.nodes[(level, index)] = h
            self.roots.append(cr.root())

    def read(self, ids: Sequence[tuple[int, int]]) -> list[bytes]:
        return [self.nodes[i] for i in ids]
