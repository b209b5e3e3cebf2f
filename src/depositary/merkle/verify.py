"""RFC 9162 section 2.1.3.2 and 2.1.4.2 proof verification; raises ProofError."""

from __future__ import annotations

from collections.abc import Sequence

from depositary.errors import ProofError
from depositary.merkle.hashing import HASH_SIZE, node_hash


def _check_hashes(proof: Sequence[bytes]) -> None:
    for i, h in enumerate(proof):
        if len(h) != HASH_SIZE:
            raise ProofError(f"proof hash {i} is {len(h)} bytes, not {HASH_SIZE}")


def root_from_inclusion(
    *, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """Return the root implied by an inclusion proof. Requires 0 <= index < size.

    Raises:
        ProofError: the index is out of range or the proof has the wrong length.
    """
    if not 0 <= index < size:
        raise ProofError(f"index {index} is not in a tree of size {size}")
    _check_hashes(proof)
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError(f"inclusion proof is too long for index {index} in size {size}")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof is too short for index {index} in size {size}")
    return r


def verify_inclusion(
    *, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree ``(size, root)``.

    Raises:
        ProofError: the proof does not lead to ``root``.
    """
    got = root_from_inclusion(index=index, size=size, leaf_hash=leaf_hash, proof=proof)
    if got != root:
        raise ProofError(
            f"inclusion proof for index {index} leads to root {got.hex()}, not {root.hex()}"
        )


def verify_consistency(
    *, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that tree ``(new_size, new_root)`` extends ``(old_size, old_root)``.

    Raises:
        ProofError: the proof is malformed or the trees are not consistent.
    """
    _check_hashes(proof)
    if old_size < 0 or old_size > new_size:
        raise ProofError(f"old size {old_size} is not within new size {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError(f"trees of the same size {old_size} have different roots")
        return
    if old_size == 0:
        if proof:
            raise ProofError("consistency proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError(f"consistency proof from {old_size} to {new_size} is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof from {old_size} to {new_size} is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof from {old_size} to {new_size} is too short")
    if fr != old_root:
        raise ProofError(f"consistency proof does not match the old root at size {old_size}")
    if sr != new_root:
        raise ProofError(f"consistency proof does not match the new root at size {new_size}")
