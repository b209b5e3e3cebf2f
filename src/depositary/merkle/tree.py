"""Tree shape helpers and the compact range used for O(log n) appends.

A node is named by ``(level, index)``: it covers leaves
``[index * 2**level, (index + 1) * 2**level)``. Only *complete* nodes are
stored; the root of a tree whose size is not a power of two is folded from the
complete subtrees on its right edge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from depositary.merkle.hashing import EMPTY_ROOT, node_hash

NodeReader = Callable[[Sequence[tuple[int, int]]], Sequence[bytes]]
"""Reads complete node hashes by ``(level, index)``, in the order asked."""


def split_point(size: int) -> int:
    """Return the largest power of two strictly less than ``size``. Requires size >= 2."""
    return 1 << ((size - 1).bit_length() - 1)


def subtree_roots(begin: int, end: int) -> list[tuple[int, int]]:
    """Decompose leaves ``[begin, end)`` into maximal complete subtrees, left to right."""
    nodes: list[tuple[int, int]] = []
    while begin < end:
        level = (begin & -begin).bit_length() - 1 if begin else (end - begin).bit_length() - 1
        while begin + (1 << level) > end:
            level -= 1
        nodes.append((level, begin >> level))
        begin += 1 << level
    return nodes


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """Fold subtree roots, given left to right, into one root (right to left)."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def range_hash(begin: int, end: int, read: NodeReader) -> bytes:
    """Return MTH of leaves ``[begin, end)`` using stored complete nodes."""
    return fold_right(list(read(subtree_roots(begin, end))))


class CompactRange:
    """The right edge of a tree: the roots of its maximal complete subtrees.

    Appending a leaf costs O(log n) hashes and reports every complete node it
    creates, so a store can persist exactly those.
    """

    __slots__ = ("_hashes", "size")

    def __init__(self, *, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        self.size = size
        self._hashes = list(hashes)
        if len(self._hashes) != size.bit_count():
            raise ValueError(f"a tree of size {size} has {size.bit_count()} edge hashes")

    @classmethod
    def for_size(cls, size: int, read: NodeReader) -> CompactRange:
        """Rebuild the right edge of a tree of ``size`` leaves from stored nodes."""
        return cls(size=size, hashes=read(subtree_roots(0, size)))

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """Edge hashes, largest (leftmost) subtree first."""
        return tuple(self._hashes)

    def append(self, leaf: bytes, created: list[tuple[int, int, bytes]] | None = None) -> None:
        """Append one leaf hash; add each new complete node to ``created``."""
        index = self.size
        h = leaf
        level = 0
        if created is not None:
            created.append((0, index, h))
        while index & 1:
            h = node_hash(self._hashes.pop(), h)
            level += 1
            index >>= 1
            if created is not None:
                created.append((level, index, h))
        self._hashes.append(h)
        self.size += 1

    def root(self) -> bytes:
        """Return the RFC 6962 root of the tree so far."""
        return fold_right(self._hashes)
