"""c2sp.org/tlog-cosignature cosignature/v1: the spec example, keys, quorum policy."""

from __future__ import annotations

import hashlib

import pytest

from depositary.encoding.b64 import decode as decode_base64
from depositary.encoding.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from depositary.encoding.cosignature import (
    COSIGNATURE_SIZE,
    CosignatureVerifier,
    Cosigner,
    cosignature_timestamp,
    cosigned_message,
    require_cosignatures,
)
from depositary.encoding.note import (
    Ed25519Verifier,
    Note,
    NoteSignature,
    NoteSigner,
    TimestampedVerifier,
)
from depositary.errors import DecodeError, SignatureError, ValidationError

SPEC_TEXT = b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_LINE = (
    "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJ"
    "sX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
)
SPEC_MESSAGE = (
    b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
    b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)


def test_spec_example_line() -> None:
    sig = NoteSignature.from_line(SPEC_LINE)
    assert sig.name == "witness.example.com/w1"
    assert sig.key_id == 0x8D66CF3F
    assert len(sig.signature) == COSIGNATURE_SIZE == 72
    assert cosignature_timestamp(sig.signature) == 1679315147
    assert sig.to_line() == SPEC_LINE + "\n"
    # The witness key is not published, so the signature itself cannot be checked;
    # the message it signs is pinned instead.
    assert cosigned_message(SPEC_TEXT, 1679315147) == SPEC_MESSAGE


def test_cosign_and_verify() -> None:
    w = Cosigner.generate("witness.example.com/w1")
    v = w.verifier()
    assert isinstance(v, TimestampedVerifier)
    sig = w.cosign(SPEC_TEXT, 1679315147)
    assert (sig.name, sig.key_id) == (v.name, v.key_id)
    assert sig.signature[:8] == bytes.fromhex("00000000641850cb")
    v.verify(SPEC_TEXT, sig.signature)
    assert v.timestamp(sig.signature) == 1679315147
    # The signature is plain Ed25519 over the cosigned message.
    Ed25519Verifier(name=v.name, public_key=v.public_key).verify(SPEC_MESSAGE, sig.signature[8:])
    with pytest.raises(SignatureError):
        v.verify(SPEC_TEXT.replace(b"20852163", b"20852164"), sig.signature)
    other_time = (1679315148).to_bytes(8, "big") + sig.signature[8:]
    with pytest.raises(SignatureError):
        v.verify(SPEC_TEXT, other_time)


def test_key_ids_differ_from_plain_ed25519() -> None:
    seed = bytes(range(32))
    w = Cosigner(name="w", seed=seed)
    s = NoteSigner(name="w", seed=seed)
    assert w.verifier().public_key == s.verifier().public_key
    assert w.key_id != s.key_id


def test_vkey_and_skey_round_trip() -> None:
    w = Cosigner.generate("witness.example/w2")
    vkey = w.verifier().to_vkey()
    assert decode_base64(vkey.split("+", 2)[2])[0] == 0x04
    assert CosignatureVerifier.from_vkey(vkey) == w.verifier()
    assert Cosigner.from_skey(w.to_skey()).verifier() == w.verifier()
    # A type-0x01 vkey of the same key is not a cosignature vkey, and vice versa.
    plain = Ed25519Verifier(name=w.name, public_key=w.verifier().public_key).to_vkey()
    with pytest.raises(ValidationError):
        CosignatureVerifier.from_vkey(plain)
    with pytest.raises(ValidationError):
        Ed25519Verifier.from_vkey(vkey)
    with pytest.raises(ValidationError):
        Cosigner.from_skey(NoteSigner.generate("w").to_skey())
    with pytest.raises(ValidationError):
        Cosigner.from_skey(w.to_skey().replace(f"{w.key_id:08x}", f"{w.key_id ^ 1:08x}"))
    for n in range(len(vkey)):
        with pytest.raises((DecodeError, ValidationError)):
            CosignatureVerifier.from_vkey(vkey[:n])


@pytest.mark.parametrize("ts", [-1, 2**63])
def test_timestamp_range(ts: int) -> None:
    w = Cosigner.generate("w")
    with pytest.raises(ValidationError):
        w.cosign(SPEC_TEXT, ts)


def test_largest_timestamp() -> None:
    w = Cosigner.generate("w")
    sig = w.cosign(SPEC_TEXT, 2**63 - 1)
    w.verifier().verify(SPEC_TEXT, sig.signature)
    too_big = b"\x80" + sig.signature[1:]
    with pytest.raises(SignatureError, match="2\\^63"):
        w.verifier().verify(SPEC_TEXT, too_big)


@pytest.mark.parametrize("length", [0, 8, 71, 73])
def test_wrong_signature_length(length: int) -> None:
    with pytest.raises(SignatureError, match="bytes"):
        Cosigner.generate("w").verifier().verify(SPEC_TEXT, bytes(length))


def test_cosign_refuses_non_checkpoint_text() -> None:
    w = Cosigner.generate("w")
    with pytest.raises(DecodeError):
        w.cosign(b"hello\n", 1)
    sig = w.cosign(SPEC_TEXT, 1)
    with pytest.raises(SignatureError, match="not a checkpoint"):
        w.verifier().verify(b"hello\n", sig.signature)


# --- quorum ------------------------------------------------------------------------------

LOG = NoteSigner.generate("example.com/log")
WITNESSES = [Cosigner.generate(f"w{i}.example") for i in range(3)]
CP = Checkpoint(origin="example.com/log", size=9, root_hash=hashlib.sha256(b"x").digest())


def _cosigned(*signers: Cosigner) -> bytes:
    data = sign_checkpoint(CP, LOG)
    return data + b"".join(w.cosign(CP.to_text(), 100).to_line().encode() for w in signers)


def test_k_of_n() -> None:
    verifiers = [w.verifier() for w in WITNESSES]
    signed = open_checkpoint(_cosigned(WITNESSES[0], WITNESSES[2]), LOG.verifier())
    require_cosignatures(signed, verifiers, 0)
    require_cosignatures(signed, verifiers, 2)
    with pytest.raises(SignatureError, match=r"2 of the 3 .*missing: w1\.example\+"):
        require_cosignatures(signed, verifiers, 3)
    with pytest.raises(ValidationError):
        require_cosignatures(signed, verifiers, 4)
    with pytest.raises(ValidationError):
        require_cosignatures(signed, verifiers, -1)


def test_quorum_counts_each_key_once() -> None:
    w = WITNESSES[0]
    signed = open_checkpoint(_cosigned(w, w), LOG.verifier())
    assert len(Note.from_bytes(signed.raw).signatures) == 3
    with pytest.raises(SignatureError):
        require_cosignatures(signed, [w.verifier(), WITNESSES[1].verifier()], 2)


def test_quorum_rejects_a_bad_cosignature() -> None:
    w = WITNESSES[1]
    bad = NoteSignature(name=w.name, key_id=w.key_id, signature=bytes(72))
    signed = open_checkpoint(_cosigned(WITNESSES[0]) + bad.to_line().encode(), LOG.verifier())
    with pytest.raises(SignatureError, match=r"w1\.example"):
        require_cosignatures(signed, [WITNESSES[0].verifier(), w.verifier()], 1)


def test_constructors_validate_names() -> None:
    with pytest.raises(ValidationError):
        Cosigner(name="a b", seed=bytes(32))
    with pytest.raises(ValidationError):
        CosignatureVerifier(name="", public_key=Cosigner.generate("w").verifier().public_key)
    assert "seed" not in repr(Cosigner.generate("w")).lower()
