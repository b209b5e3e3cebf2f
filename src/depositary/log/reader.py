"""Answers about a log at any size it signed: entries, proofs and receipts."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from depositary.encoding.tiles import decode_bundle
from depositary.encoding.tlog_proof import TlogProof
from depositary.errors import CorruptionError, NotFound, ValidationError
from depositary.log.hashes import TILE_WIDTH, TileHashReader
from depositary.merkle import proofs
from depositary.merkle.tree import range_hash
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
