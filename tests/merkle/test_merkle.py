from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depositary.errors import ProofError, ValidationError
from depositary.merkle.hashing import EMPTY_ROOT, leaf_hash
from depositary.merkle.proofs import consistency_proof, inclusion_proof
from depositary.merkle.tree import CompactRange
from depositary.merkle.verify import verify_consistency, verify_inclusion
from tests import reference_merkle as ref
from tests.merkle.helpers import Nodes

# transparency-dev/merkle testonly/constants.go
LEAVES = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f"]
]  # fmt: skip
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
H0 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
H1 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
H2 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
H3 = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
H4 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
H5 = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
H6 = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"

NODES = Nodes(LEAVES)


def _hx(hashes: list[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


@pytest.mark.parametrize("size", range(9))
def test_roots_match_known_vectors(size: int) -> None:
    assert NODES.roots[size].hex() == ROOTS[size]
    assert ref.mth(LEAVES[:size]).hex() == ROOTS[size]


def test_empty_root() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0]
    assert CompactRange().root() == EMPTY_ROOT


@pytest.mark.parametrize(
    ("index", "size", "expected"),
    [(0, 8, [H0, H1, H2]), (5, 8, [H5, H4, H6]), (0, 1, []), (2, 3, [ROOTS[2]])],
)
def test_inclusion_vectors(index: int, size: int, expected: list[str]) -> None:
    got = inclusion_proof(index, size, NODES.read)
    assert _hx(got) == expected
    verify_inclusion(
        index=index, size=size, leaf_hash=leaf_hash(LEAVES[index]), proof=got,
        root=bytes.fromhex(ROOTS[size]),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [(1, 8, [H0, H1, H2]), (6, 8, [H3, H4, H6]), (2, 5, [H1, H5]), (4, 8, [H2]), (8, 8, [])],
)
def test_consistency_vectors(old: int, new: int, expected: list[str]) -> None:
    got = consistency_proof(old, new, NODES.read)
    assert _hx(got) == expected
    verify_consistency(
        old_size=old, new_size=new, old_root=bytes.fromhex(ROOTS[old]),
        new_root=bytes.fromhex(ROOTS[new]), proof=got,
    )  # fmt: skip


def _leaves(n: int) -> list[bytes]:
    return [f"leaf {i}".encode() for i in range(n)]


BIG = _leaves(128)
BIG_NODES = Nodes(BIG)


@pytest.mark.parametrize("size", range(1, 129))
def test_every_inclusion_proof_matches_reference(size: int) -> None:
    root = ref.mth(BIG[:size])
    assert BIG_NODES.roots[size] == root
    for index in range(size):
        got = inclusion_proof(index, size, BIG_NODES.read)
        assert got == ref.path(index, BIG[:size])
        verify_inclusion(
            index=index, size=size, leaf_hash=leaf_hash(BIG[index]), proof=got, root=root
        )
        with pytest.raises(ProofError):
            verify_inclusion(
                index=index, size=size, leaf_hash=leaf_hash(b"other"), proof=got, root=root
            )


@pytest.mark.parametrize("new", range(1, 129))
def test_every_consistency_proof_matches_reference(new: int) -> None:
    new_root = BIG_NODES.roots[new]
    for old in range(new + 1):
        got = consistency_proof(old, new, BIG_NODES.read)
        assert got == ref.proof(old, BIG[:new])
        verify_consistency(
            old_size=old, new_size=new, old_root=BIG_NODES.roots[old], new_root=new_root,
            proof=got,
        )  # fmt: skip
        if 0 < old < new:
            with pytest.raises(ProofError):
                verify_consistency(
                    old_size=old, new_size=new, old_root=BIG_NODES.roots[old - 1],
                    new_root=new_root, proof=got,
                )  # fmt: skip


def test_compact_range_rebuilds_from_stored_nodes() -> None:
    for size in range(129):
        cr = CompactRange.for_size(size, BIG_NODES.read)
        assert cr.root() == BIG_NODES.roots[size]


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValidationError):
        inclusion_proof(8, 8, NODES.read)
    with pytest.raises(ValidationError):
        consistency_proof(5, 4, NODES.read)
    with pytest.raises(ProofError, match="not in a tree"):
        verify_inclusion(index=3, size=3, leaf_hash=b"\0" * 32, proof=[], root=b"\0" * 32)
    with pytest.raises(ProofError, match="32"):
        verify_inclusion(index=0, size=2, leaf_hash=b"\0" * 32, proof=[b"x"], root=b"\0" * 32)
    root8 = bytes.fromhex(ROOTS[8])
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(old_size=0, new_size=8, old_root=EMPTY_ROOT, new_root=root8,
                           proof=[root8])  # fmt: skip
    with pytest.raises(ProofError, match="same size"):
        verify_consistency(old_size=8, new_size=8, old_root=EMPTY_ROOT, new_root=root8, proof=[])
    with pytest.raises(ProofError, match="not within"):
        verify_consistency(old_size=9, new_size=8, old_root=root8, new_root=root8, proof=[])
    with pytest.raises(ProofError, match="empty"):
        verify_consistency(old_size=3, new_size=8, old_root=root8, new_root=root8, proof=[])


def _flip(proof: list[bytes], element: int, bit: int) -> list[bytes]:
    out = list(proof)
    h = bytearray(out[element])
    h[bit // 8] ^= 1 << (bit % 8)
    out[element] = bytes(h)
    return out


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_flipped_bit_in_an_inclusion_proof_is_rejected(data: st.DataObject) -> None:
    size = data.draw(st.integers(2, 128))
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_proof(index, size, BIG_NODES.read)
    element = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    with pytest.raises(ProofError):
        verify_inclusion(
            index=index, size=size, leaf_hash=leaf_hash(BIG[index]),
            proof=_flip(proof, element, bit), root=BIG_NODES.roots[size],
        )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_flipped_bit_in_a_consistency_proof_is_rejected(data: st.DataObject) -> None:
    new = data.draw(st.integers(3, 128))
    old = data.draw(st.integers(1, new - 1))
    proof = consistency_proof(old, new, BIG_NODES.read)
    element = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    with pytest.raises(ProofError):
        verify_consistency(
            old_size=old, new_size=new, old_root=BIG_NODES.roots[old],
            new_root=BIG_NODES.roots[new], proof=_flip(proof, element, bit),
        )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_truncated_or_extended_proofs_are_rejected(data: st.DataObject) -> None:
    size = data.draw(st.integers(2, 128))
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_proof(index, size, BIG_NODES.read)
    bad = proof[:-1] if data.draw(st.booleans()) else [*proof, proof[0]]
    with pytest.raises(ProofError):
        verify_inclusion(
            index=index, size=size, leaf_hash=leaf_hash(BIG[index]), proof=bad,
            root=BIG_NODES.roots[size],
        )  # fmt: skip
