"""Build inclusion and consistency proofs (RFC 6962 section 2.1.1, 2.1.2).

Proofs are built from complete stored nodes read through a ``NodeReader``; a
proof for any past tree size needs no state beyond those nodes.
"""

from __future__ import annotations

from depositary.errors import ValidationError
from depositary.merkle.tree import NodeReader, fold_right, split_point, subtree_roots


def inclusion_proof(index: int, size: int, read: NodeReader) -> list[bytes]:
    """Return PATH(index, D[0:size]) from leaf sibling up. Requires 0 <= index < size."""
    if not 0 <= index < size:
        raise ValidationError(f"index {index} is not in a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    begin, end = 0, size
    while end - begin > 1:
        k = split_point(end - begin)
        mid = begin + k
        if index < mid:
            ranges.append((mid, end))
            end = mid
        else:
            ranges.append((begin, mid))
            begin = mid
    return _range_hashes(list(reversed(ranges)), read)


def _range_hashes(ranges: list[tuple[int, int]], read: NodeReader) -> list[bytes]:
    """Return the hash of each range, reading every node they need in one call."""
    ids = [subtree_roots(b, e) for b, e in ranges]
    got = read([n for nodes in ids for n in nodes])
    out: list[bytes] = []
    pos = 0
    for nodes in ids:
        out.append(fold_right(got[pos : pos + len(nodes)]))
        pos += len(nodes)
    return out


def consistency_proof(old: int, new: int, read: NodeReader) -> list[bytes]:
    """Return PROOF(old, D[0:new]). Requires 0 <= old <= new."""
    if not 0 <= old <= new:
        raise ValidationError(f"no consistency proof from size {old} to size {new}")
    if old in (0, new):
        return []
    ranges: list[tuple[int, int]] = []
    begin, end, m, whole = 0, new, old, True
    while m != end - begin:
        k = split_point(end - begin)
        if m <= k:
            ranges.append((begin + k, end))
            end = begin + k
        else:
            ranges.append((begin, begin + k))
            m -= k
            begin += k
            whole = False
    if not whole:
        ranges.append((begin, end))
    return _range_hashes(list(reversed(ranges)), read)
