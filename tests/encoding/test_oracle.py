# mypy: disable-error-code="no-untyped-call"
"""Cross-checks against the independent implementation ``tlog_scales`` (0.0.3).

tlog_scales can sign and verify Ed25519 checkpoints, verify (not produce)
Ed25519 cosignature/v1, format tile paths, and write a tlog-tiles log to disk.
It has no extension lines, no tlog-proof format and no strict parsing, so those
are checked only in the other test files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from tlog_scales import backend as ts_backend
from tlog_scales import reader as ts_reader
from tlog_scales import signing as ts_signing
from tlog_scales import tiles as ts_tiles
from tlog_scales import tlog as ts_tlog
from tlog_scales import writer as ts_writer

from depositary.encoding.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from depositary.encoding.cosignature import CosignatureVerifier, Cosigner
from depositary.encoding.note import (
    Ed25519Verifier,
    NoteSignature,
    NoteSigner,
)
from depositary.encoding.tiles import (
    decode_bundle,
    encode_bundle,
    entries_path,
    parse_tile_path,
    tile_path,
    tiles_for_size,
)
from depositary.encoding.tlog_proof import TlogProof, verify_tlog_proof
from depositary.merkle.hashing import leaf_hash
from tests import reference_merkle as ref

ORIGIN = "example.com/oracle"
SEED = hashlib.sha256(b"oracle log seed").digest()
WSEED = hashlib.sha256(b"oracle witness seed").digest()
CP = Checkpoint(origin=ORIGIN, size=20852163, root_hash=hashlib.sha256(b"root").digest())


def test_vkeys_and_key_ids_agree() -> None:
    ours = NoteSigner(name=ORIGIN, seed=SEED).verifier()
    theirs = ts_signing.PlainEd25519Signer(ORIGIN, SEED).vkey
    assert theirs.serialize() == ours.to_vkey()
    assert Ed25519Verifier.from_vkey(theirs.serialize()) == ours
    parsed = ts_signing.Vkey.from_string(ours.to_vkey())
    assert (parsed.name, parsed.key_id, parsed.pubkey) == (ours.name, ours.key_id, ours.public_key)

    w = Cosigner(name="witness.example/w1", seed=WSEED).verifier()
    tw = ts_signing.Vkey(w.name, None, 4, w.public_key)
    assert tw.serialize() == w.to_vkey()
    assert CosignatureVerifier.from_vkey(tw.serialize()) == w


def test_our_checkpoint_verifies_in_tlog_scales() -> None:
    signer = NoteSigner(name=ORIGIN, seed=SEED)
    data = sign_checkpoint(CP, signer)
    theirs = ts_tlog.Checkpoint.from_text(data.decode())
    assert (theirs.origin, theirs.size, theirs.root_hash) == (CP.origin, CP.size, CP.root_hash)
    theirs.verify(ts_signing.Vkey.from_string(signer.verifier().to_vkey()))
    assert theirs.serialize().encode() == data


def test_tlog_scales_checkpoint_opens_here_byte_exact() -> None:
    ts_signer = ts_signing.PlainEd25519Signer(ORIGIN, SEED)
    theirs = ts_tlog.Checkpoint.make_signed(CP.origin, CP.size, CP.root_hash, [ts_signer])
    data = theirs.serialize().encode()
    assert data == sign_checkpoint(
        CP, NoteSigner(name=ORIGIN, seed=SEED)
    )  # Ed25519 is deterministic
    signed = open_checkpoint(data, Ed25519Verifier.from_vkey(ts_signer.vkey.serialize()))
    assert signed.checkpoint == CP


def test_our_cosignature_verifies_in_tlog_scales() -> None:
    w = Cosigner(name="witness.example/w1", seed=WSEED)
    sig = w.cosign(CP.to_text(), 1679315147)
    theirs_sig = ts_signing.NoteSignature.from_line(sig.to_line().rstrip("\n"))
    assert (theirs_sig.name, theirs_sig.key_id, theirs_sig.payload) == (
        sig.name,
        sig.key_id,
        sig.signature,
    )
    ts_cp = ts_tlog.Checkpoint(CP.origin, CP.size, CP.root_hash, [])
    vkey = ts_signing.Vkey.from_string(w.verifier().to_vkey())
    verifier = vkey.get_verifier()
    verifier.verify_note(theirs_sig, ts_cp)
    assert ts_signing.Ed25519CosignatureVerifier.get_timestamp(sig.signature) == 1679315147
    tampered = ts_tlog.Checkpoint(CP.origin, CP.size + 1, CP.root_hash, [])
    with pytest.raises(InvalidSignature):
        verifier.verify_note(theirs_sig, tampered)
    # And their line parser reads back into ours identically.
    assert NoteSignature.from_line(theirs_sig.serialize()) == sig


@pytest.mark.parametrize("level", [-1, 0, 1, 5, 63])
def test_tile_paths_agree(level: int) -> None:
    for n in [0, 1, 999, 1000, 1001, 999_999, 1_000_000, 1234067, 2**40 + 7, 2**64 - 1]:
        for width in [1, 44, 255, 256]:
            partial = 0 if width == 256 else width
            theirs = "/".join(ts_tiles.tile_path(level, n, partial))
            ours = entries_path(n, width) if level == -1 else tile_path(level, n, width)
            assert ours == theirs
            assert parse_tile_path(theirs) == (None if level == -1 else level, n, width)


def test_tiles_for_size_agrees_with_level_tiles() -> None:
    for size in [0, 1, 255, 256, 257, 65535, 65536, 70_000, 16_777_217]:
        tiles = tiles_for_size(size)
        for level in range(4):
            full, partial = ts_tiles.level_tiles(size, level)
            at = [(i, w) for lv, i, w in tiles if lv == level]
            expected = [(i, 256) for i in range(full)] + ([(full, partial)] if partial else [])
            assert at == expected


def test_bundles_agree() -> None:
    entries = [b"", b"a", b"x" * 1000, bytes(range(256))]
    assert ts_reader.Tile.from_entries_bytes(encode_bundle(entries)).entries == entries


def test_a_log_written_by_tlog_scales(tmp_path: Path) -> None:
    """tlog_scales writes a tiled log; every file matches our paths, bundles and proofs."""
    root = tmp_path / "log"
    ts_signer = ts_signing.PlainEd25519Signer(ORIGIN, SEED)
    log_verifier = Ed25519Verifier.from_vkey(ts_signer.vkey.serialize())
    entries = [f"entry {i}".encode() for i in range(600)]
    w = ts_writer.TilesWriter.create(root, ORIGIN)
    for batch in (entries[:300], entries[300:]):  # two commits leave partial tiles behind
        for e in batch:
            w.add_leaf(e)
        w.commit([ts_signer], gc=True)

    size = len(entries)
    signed = open_checkpoint((root / "checkpoint").read_bytes(), log_verifier)
    assert signed.checkpoint.size == size
    assert signed.checkpoint.root_hash == ref.mth(entries)

    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    expected = {"checkpoint"}
    for level, index, width in tiles_for_size(size):
        expected.add(tile_path(level, index, width))
        if level == 0:
            expected.add(entries_path(index, width))
    # tlog_scales keeps superseded partial tiles until the full tile exists (the spec allows it).
    stale = files - expected
    assert expected <= files
    for path in stale:
        stale_level, stale_index, stale_width = parse_tile_path(path)
        assert stale_level is not None
        widths = {(lv, i): wd for lv, i, wd in tiles_for_size(size)}
        assert stale_width < widths[(stale_level, stale_index)]

    for level, index, width in tiles_for_size(size):
        if level == 0:
            bundle = decode_bundle((root / entries_path(index, width)).read_bytes())
            assert bundle == entries[index * 256 : index * 256 + width]
            hashes = (root / tile_path(0, index, width)).read_bytes()
            assert hashes == b"".join(leaf_hash(e) for e in bundle)

    reader = ts_reader.TilesReader(ts_backend.LocalBackend(root))
    reader.get_checkpoint()
    for index in (0, 255, 256, 299, 300, 511, 599):
        proof = reader.get_inclusion_proof(index, size).node_hashes
        data = TlogProof(index=index, proof=tuple(proof), checkpoint=signed.raw).to_bytes()
        verify_tlog_proof(data, entry=entries[index], log_verifier=log_verifier)
