"""c2sp.org/tlog-checkpoint: the spec example, strict text, signing and opening."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depositary.encoding.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from depositary.encoding.cosignature import Cosigner, require_cosignatures
from depositary.encoding.note import (
    Note,
    NoteSigner,
    sign_note,
)
from depositary.errors import DecodeError, DepositaryError, SignatureError, ValidationError

SPEC_TEXT = b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_CHECKPOINT = (
    SPEC_TEXT + b"\n\xe2\x80\x94 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+"
    b"ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)
EMPTY_ROOT = hashlib.sha256(b"").digest()
ORIGIN = "example.com/log"


def test_spec_example_structure() -> None:
    note = Note.from_bytes(SPEC_CHECKPOINT)
    assert note.to_bytes() == SPEC_CHECKPOINT
    (sig,) = note.signatures
    assert (sig.name, sig.key_id, len(sig.signature)) == (
        "example.com/behind-the-sofa",
        0x033DE0AE,
        64,
    )
    cp = Checkpoint.from_text(note.text.encode())
    assert cp.origin == "example.com/behind-the-sofa"
    assert cp.size == 20852163
    assert cp.root_hash.hex() == "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62"
    assert cp.extensions == ()
    assert cp.to_text() == SPEC_TEXT


def test_empty_tree_and_extensions_round_trip() -> None:
    cp = Checkpoint(origin="go.sum database tree", size=0, root_hash=EMPTY_ROOT)
    assert cp.to_text() == (
        b"go.sum database tree\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    )
    ext = Checkpoint(origin=ORIGIN, size=5, root_hash=EMPTY_ROOT, extensions=("a b", "c+d"))
    assert Checkpoint.from_text(ext.to_text()) == ext


ROOT_B64 = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"o\n1\n",
        b"o\n1\n" + ROOT_B64.encode(),  # no final newline
        b"\n1\n" + ROOT_B64.encode() + b"\n",
        b"o\n01\n" + ROOT_B64.encode() + b"\n",
        b"o\n00\n" + ROOT_B64.encode() + b"\n",
        b"o\n+1\n" + ROOT_B64.encode() + b"\n",
        b"o\n-1\n" + ROOT_B64.encode() + b"\n",
        b"o\n1_0\n" + ROOT_B64.encode() + b"\n",
        b"o\n \n" + ROOT_B64.encode() + b"\n",
        b"o\n\xd9\xa1\n" + ROOT_B64.encode() + b"\n",  # ARABIC-INDIC DIGIT ONE
        b"o\n18446744073709551616\n" + ROOT_B64.encode() + b"\n",
        b"o\n1\n" + ROOT_B64.rstrip("=").encode() + b"\n",
        b"o\n1\n" + ROOT_B64[:-2].encode() + b"J=\n",  # non-zero trailing bits
        b"o\n1\nAAAA\n",  # 3-byte hash
        b"o\n1\n" + ROOT_B64.encode() + b"\n\n",  # empty extension line
        b"o\n1\n" + ROOT_B64.encode() + b"\nx\n\nthe end\n",
        b"o\n1\n" + ROOT_B64.encode() + b"\r\n",
        b"o\xff\n1\n" + ROOT_B64.encode() + b"\n",
    ],
)
def test_malformed_checkpoint_text(text: bytes) -> None:
    with pytest.raises(DecodeError):
        Checkpoint.from_text(text)


def test_largest_size_is_accepted() -> None:
    text = b"o\n18446744073709551615\n" + ROOT_B64.encode() + b"\n"
    assert Checkpoint.from_text(text).size == 2**64 - 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"origin": ""},
        {"origin": "a\nb"},
        {"origin": "a\x00"},
        {"size": -1},
        {"size": 2**64},
        {"root_hash": b"x" * 31},
        {"extensions": ("",)},
        {"extensions": ("a\nb",)},
    ],
)
def test_checkpoint_constructor_validates(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {"origin": ORIGIN, "size": 1, "root_hash": EMPTY_ROOT}
    with pytest.raises(ValidationError):
        Checkpoint(**(base | kwargs))  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(
    origin=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30),
    size=st.integers(0, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
    ext=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1), max_size=3),
)
def test_checkpoint_text_round_trips(origin: str, size: int, root: bytes, ext: list[str]) -> None:
    cp = Checkpoint(origin=origin, size=size, root_hash=root, extensions=tuple(ext))
    text = cp.to_text()
    assert Checkpoint.from_text(text) == cp
    assert Checkpoint.from_text(text).to_text() == text


# --- signing and opening -----------------------------------------------------------------

LOG = NoteSigner.from_skey(NoteSigner.generate(ORIGIN).to_skey())
W1 = Cosigner.generate("witness1.example")
W2 = Cosigner.generate("witness2.example")
CP = Checkpoint(origin=ORIGIN, size=3, root_hash=hashlib.sha256(b"r").digest())


def test_sign_and_open() -> None:
    data = sign_checkpoint(CP, LOG)
    signed = open_checkpoint(data, LOG.verifier())
    assert signed.checkpoint == CP
    assert signed.raw == data
    assert signed.log_signature.name == ORIGIN
    assert signed.cosignatures == ()


def test_open_with_cosignatures_reports_timestamps() -> None:
    data = sign_checkpoint(CP, LOG)
    data += W1.cosign(CP.to_text(), 1700000000).to_line().encode()
    data += W2.cosign(CP.to_text(), 1700000001).to_line().encode()
    signed = open_checkpoint(data, LOG.verifier(), [W1.verifier(), W2.verifier()])
    assert [(s.name, ts) for s, ts in signed.cosignatures] == [
        ("witness1.example", 1700000000),
        ("witness2.example", 1700000001),
    ]
    # A cosigner that did not sign is simply absent.
    absent = Cosigner.generate("witness3.example").verifier()
    assert len(open_checkpoint(data, LOG.verifier(), [absent]).cosignatures) == 0


def test_plain_ed25519_cosigner_has_timestamp_zero() -> None:
    mirror = NoteSigner.generate("mirror.example")
    data = sign_note(CP.to_text(), [LOG, mirror])
    signed = open_checkpoint(data, LOG.verifier(), [mirror.verifier()])
    assert signed.cosignatures[0][1] == 0


def test_log_signature_is_required() -> None:
    data = sign_note(CP.to_text(), [NoteSigner.generate(ORIGIN)])
    data += W1.cosign(CP.to_text(), 1).to_line().encode()
    with pytest.raises(SignatureError, match="not signed by the log key"):
        open_checkpoint(data, LOG.verifier(), [W1.verifier()])


def test_origin_must_match() -> None:
    other = Checkpoint(origin="example.com/other", size=1, root_hash=EMPTY_ROOT)
    data = sign_note(other.to_text(), [LOG])
    with pytest.raises(SignatureError, match="origin"):
        open_checkpoint(data, LOG.verifier())
    assert open_checkpoint(data, LOG.verifier(), origin="example.com/other").checkpoint == other
    with pytest.raises(ValidationError, match="origin"):
        sign_checkpoint(other, LOG)


def test_signed_non_checkpoint_is_rejected() -> None:
    with pytest.raises(DecodeError):
        open_checkpoint(sign_note(b"hello\n", [NoteSigner(name="hello", seed=bytes(32))]),
                        NoteSigner(name="hello", seed=bytes(32)).verifier())  # fmt: skip


def test_bad_cosignature_rejects() -> None:
    data = sign_checkpoint(CP, LOG)
    other = Checkpoint(origin=ORIGIN, size=4, root_hash=EMPTY_ROOT)
    data += W1.cosign(other.to_text(), 5).to_line().encode()  # cosigned another tree head
    with pytest.raises(SignatureError, match=r"witness1\.example"):
        open_checkpoint(data, LOG.verifier(), [W1.verifier()])
    # Not a listed cosigner: ignored.
    assert open_checkpoint(data, LOG.verifier()).checkpoint == CP


def _open_with_quorum(data: bytes) -> None:
    signed = open_checkpoint(data, LOG.verifier(), [W1.verifier()])
    require_cosignatures(signed, [W1.verifier()], 1)


def test_every_truncation_and_byte_change_of_a_checkpoint_is_rejected() -> None:
    data = sign_checkpoint(CP, LOG) + W1.cosign(CP.to_text(), 1700000000).to_line().encode()
    _open_with_quorum(data)
    for n in range(len(data)):
        with pytest.raises(DepositaryError):
            _open_with_quorum(data[:n])
    for i in range(len(data)):
        for delta in (1, 0xFF):
            b = bytearray(data)
            b[i] = (b[i] + delta) % 256
            with pytest.raises(DepositaryError):
                _open_with_quorum(bytes(b))


def test_without_a_quorum_a_mangled_cosignature_is_just_unknown() -> None:
    # By design (signed-note: unknown keys are ignored), the log's signature suffices.
    data = sign_checkpoint(CP, LOG) + W1.cosign(CP.to_text(), 1700000000).to_line().encode()
    mangled = data.replace(b"witness1.example", b"witness9.example")
    assert open_checkpoint(mangled, LOG.verifier(), [W1.verifier()]).cosignatures == ()
