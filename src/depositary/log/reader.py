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
from depositary.merkle.tree import fold_right, range_hash, subtree_roots
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
        proofs = proof_lines(indexes, cp.size, self.hashes.read_columns, b2a_base64)
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


ColumnReader = Callable[[list[int], list[int]], list[bytes]]
"""Reads complete node hashes given as a list of levels and a list of indexes."""


def proof_lines(
    indexes: Sequence[int], size: int, read: ColumnReader, line: Callable[[bytes], bytes]
) -> dict[int, bytes]:
    """Inclusion proofs of many indexes at ``size``, sharing their common nodes.

    Returns ``{index: proof}`` where a proof is ``line(hash)`` of each of its
    hashes, joined, leaf sibling first (as ``proofs.inclusion_proof``). The tree
    is walked once from the root down to every index; each sibling range met
    is read, hashed and turned into a line once, however many proofs hold it.
    A proof is then the line of its leaf's sibling followed by the proof of its
    parent node, so each is one concatenation. Requires ``0 <= i < size``.
    """
    idx = sorted(set(indexes))
    if not idx:
        return {}
    if size == 1:
        return {0: b""}
    # Sibling n (from 1) is node (levels[n], nodes[n]); above[n] is the sibling
    # whose proof continues it (0: none, the root). Partial siblings, on the
    # right edge, are folded from several nodes.
    levels, nodes, above = [0], [0], [0]
    partial: list[tuple[int, int, int]] = []
    leaf: dict[int, int] = {}
    todo = [(0, size, 0, len(idx), 0)]
    push, pop = todo.append, todo.pop
    while todo:
        begin, end, lo, hi, up = pop()
        k = 1 << ((end - begin - 1).bit_length() - 1)
        mid = begin + k
        cut = bisect_left(idx, mid, lo, hi)
        if cut > lo:  # indexes on the left: [mid, end) is their sibling
            n = len(above)
            above.append(up)
            w = end - mid
            if w & (w - 1) == 0:
                lv = w.bit_length() - 1
                levels.append(lv)
                nodes.append(mid >> lv)
            else:
                partial.append((n, mid, end))
                levels.append(0)
                nodes.append(0)  # a stand-in, replaced below
            if k == 1:
                leaf[begin] = n
            else:
                push((begin, mid, lo, cut, n))
        if cut < hi:  # indexes on the right: [begin, mid) is their sibling
            n = len(above)
            above.append(up)
            lv = k.bit_length() - 1
            levels.append(lv)
            nodes.append(begin >> lv)
            if end - mid == 1:
                leaf[mid] = n
            else:
                push((mid, end, cut, hi, n))
    got = read(levels, nodes)
    for n, begin, end in partial:
        ids = subtree_roots(begin, end)
        got[n] = fold_right(read([lv for lv, _ in ids], [i for _, i in ids]))
    proof = [b""]
    add = proof.append
    for n in range(1, len(above)):
        add(line(got[n]) + proof[above[n]])
    return {i: proof[n] for i, n in leaf.items()}
