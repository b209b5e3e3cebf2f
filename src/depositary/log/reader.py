"""Answers about a log at any size it signed: entries, proofs and receipts."""

from __future__ import annotations

import threading
from binascii import b2a_base64
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence

from depositary.encoding.tiles import decode_bundle
from depositary.encoding.tlog_proof import HEADER, TlogProof
from depositary.errors import CorruptionError, NotFound, ValidationError
from depositary.log.hashes import TILE_WIDTH, TileHashReader
from depositary.merkle import proofs
from depositary.merkle.tree import NodeReader, fold_right, range_hash, split_point, subtree_roots
from depositary.storage.base import LogReader, StoredCheckpoint, TileKey


class LogView:
    """Read-only questions to a stored log; safe to share between threads."""

    def __init__(self, store: LogReader) -> None:
        self.store = store
        self.hashes = TileHashReader(store)
        self._seen = 0  # the largest size the log was seen to sign: it never shrinks
        self._signed: dict[int, StoredCheckpoint] = {}  # signed checkpoints never change
        self._asking = threading.Lock()  # one checkpoint query at a time: the others wait

    def committed(self, tiles: Mapping[TileKey, bytes], cp: StoredCheckpoint) -> None:
        """Told by a sequencer of the same store: these tiles and checkpoint were just committed."""
        self.hashes.prime(tiles)
        self._remember(cp)

    def _remember(self, cp: StoredCheckpoint) -> StoredCheckpoint:
        self._seen = max(self._seen, cp.size)
        if len(self._signed) >= 4096:
            self._signed.clear()
        self._signed[cp.size] = cp
        return cp

    def checkpoint(self, size: int | None = None) -> StoredCheckpoint:
        """Return the latest signed checkpoint, or the one signed at ``size``.

        Raises:
            NotFound: the log is empty, or signed no checkpoint at ``size``.
        """
        if size is not None and (got := self._signed.get(size)) is not None:
            return got
        if size is None:
            return self._checkpoint(None)
        with self._asking:
            return self._signed.get(size) or self._checkpoint(size)

    def _checkpoint(self, size: int | None) -> StoredCheckpoint:
        latest = self.store.checkpoint()
        if latest is None:
            raise NotFound("the log has no checkpoint yet: append an entry first")
        self._remember(latest)
        if size is None or size == latest.size:
            return latest
        if size > latest.size:
            raise NotFound(f"the log has {latest.size} entries; there is no size {size}")
        got = self.store.checkpoint_at(size)
        if got is None:
            raise NotFound(f"the log signed no checkpoint at size {size}")
        return self._remember(got)

    def _check_size(self, size: int) -> None:
        if 0 <= size <= self._seen:
            return
        latest = self.store.checkpoint()
        have = 0 if latest is None else latest.size
        self._seen = max(self._seen, have)
        if not 0 <= size <= have:
            raise ValidationError(f"size {size} is outside the log, which has {have} entries")

    def root(self, size: int) -> bytes:
        """Return the root hash of the tree of the first ``size`` entries."""
        self._check_size(size)
        return range_hash(0, size, self.hashes.read)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Return the inclusion proof of entry ``index`` in the tree of ``size``."""
        self._check_size(size)
        return proofs.inclusion_proof(index, size, self.hashes.read)

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """Return the consistency proof from size ``old`` to size ``new``."""
        self._check_size(new)
        return proofs.consistency_proof(old, new, self.hashes.read)

    def receipt(self, index: int, size: int | None = None) -> bytes:
        """Return a c2sp.org/tlog-proof@v1 for entry ``index`` at a signed size.

        Raises:
            NotFound: no checkpoint was signed at ``size``.
            ValidationError: ``index`` is not below the checkpoint's size.
        """
        cp = self.checkpoint(size)
        if not 0 <= index < cp.size:
            raise ValidationError(f"index {index} is not in the log of size {cp.size}")
        proof = proofs.inclusion_proof(index, cp.size, self.hashes.read)
        return TlogProof(index=index, proof=tuple(proof), checkpoint=cp.note).to_bytes()

    def receipts(self, indexes: Sequence[int], size: int | None = None) -> dict[int, bytes]:
        """Return ``{index: receipt}``, each equal to ``receipt(index, size)``, built together.

        Consecutive indexes share most of their proof hashes: each is read and
        encoded once for the whole batch, and the checkpoint is parsed once.

        Raises:
            NotFound: no checkpoint was signed at ``size``.
            ValidationError: an index is not below the checkpoint's size.
        """
        cp = self.checkpoint(size)
        for i in indexes:
            if not 0 <= i < cp.size:
                raise ValidationError(f"index {i} is not in the log of size {cp.size}")
        proofs = proof_lines(indexes, cp.size, self.hashes.read, b2a_base64)
        head, tail = HEADER.encode("ascii") + b"\nindex %d\n", b"\n" + cp.note
        return {i: b"".join((head % i, proof, tail)) for i, proof in proofs.items()}

    def entries(self, begin: int, end: int) -> list[bytes]:
        """Return entries ``[begin, end)``."""
        self._check_size(end)
        if begin >= end:
            return []
        first, last = begin // TILE_WIDTH, (end - 1) // TILE_WIDTH
        stored = self.store.read_bundles(list(range(first, last + 1)))
        out: list[bytes] = []
        for n in range(first, last + 1):
            data = stored.get(n)
            if data is None:
                raise CorruptionError(f"entry bundle {n} is missing")
            out.extend(decode_bundle(data))
        start = begin - first * TILE_WIDTH
        got = out[start : start + end - begin]
        if len(got) != end - begin:
            raise CorruptionError(f"entry bundles hold fewer entries than [{begin}, {end})")
        return got

    def entry(self, index: int) -> bytes:
        """Return entry ``index``."""
        return self.entries(index, index + 1)[0]


Range = tuple[int, int]


def proof_lines(
    indexes: Sequence[int], size: int, read: NodeReader, line: Callable[[bytes], bytes]
) -> dict[int, bytes]:
    """Inclusion proofs of many indexes at ``size``, sharing their common nodes.

    Returns ``{index: proof}`` where a proof is ``line(hash)`` of each of its
    hashes, joined, leaf sibling first (as ``proofs.inclusion_proof``). The tree
    is walked from the root down to every index at once: each sibling range is
    read, hashed and turned into a line once, however many proofs hold it.
    Requires ``0 <= i < size`` for every index.
    """
    idx = sorted(set(indexes))
    if not idx:
        return {}
    ranges = _siblings(idx, size)
    ids: list[tuple[int, int]] = []  # one node per range, then the rest of partial ranges
    rest: list[tuple[int, int, int]] = []  # (position, first node after, count) of those
    more: list[tuple[int, int]] = []
    for pos, (begin, end) in enumerate(ranges):
        width = end - begin
        if width & (width - 1) == 0 and begin % width == 0:  # one complete subtree
            ids.append((width.bit_length() - 1, begin // width))
        else:
            nodes = subtree_roots(begin, end)
            ids.append(nodes[0])
            rest.append((pos, len(ranges) + len(more), len(nodes) - 1))
            more.extend(nodes[1:])
    got = read(ids + more)
    lines = [line(h) for h in got[: len(ranges)]]
    for pos, at, n in rest:
        lines[pos] = line(fold_right([got[pos], *got[at : at + n]]))
    return _assemble(idx, size, lines)


def _siblings(idx: list[int], size: int) -> list[Range]:
    """The sibling ranges met walking down from the root to each of the sorted ``idx``."""
    out: list[Range] = []
    add = out.append
    todo = [(0, size, 0, len(idx))] if size > 1 else []
    push, pop = todo.append, todo.pop
    while todo:
        begin, end, lo, hi = pop()
        mid = begin + split_point(end - begin)
        cut = bisect_left(idx, mid, lo, hi)
        if cut > lo:
            add((mid, end))
            if mid - begin > 1:
                push((begin, mid, lo, cut))
        if cut < hi:
            add((begin, mid))
            if end - mid > 1:
                push((mid, end, cut, hi))
    return out


def _assemble(idx: list[int], size: int, lines: list[bytes]) -> dict[int, bytes]:
    """The same walk as ``_siblings``, with each sibling's line: every proof, leaf first."""
    out: dict[int, bytes] = {}
    line = iter(lines).__next__
    todo = [(0, size, 0, len(idx), b"")] if size > 1 else []
    push, pop = todo.append, todo.pop
    if size == 1:
        out[0] = b""
    while todo:
        begin, end, lo, hi, above = pop()
        mid = begin + split_point(end - begin)
        cut = bisect_left(idx, mid, lo, hi)
        if cut > lo:
            if mid - begin > 1:
                push((begin, mid, lo, cut, line() + above))
            else:
                out[begin] = line() + above
        if cut < hi:
            if end - mid > 1:
                push((mid, end, cut, hi, line() + above))
            else:
                out[mid] = line() + above
    return out
