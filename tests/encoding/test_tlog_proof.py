"""c2sp.org/tlog-proof@v1: format, round trips, verification and every mutation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depositary.encoding.b64 import encode as encode_base64
from depositary.encoding.checkpoint import Checkpoint, sign_checkpoint
from depositary.encoding.cosignature import Cosigner
from depositary.encoding.note import (
    NoteSigner,
    sign_note,
)
from depositary.encoding.tlog_proof import TlogProof, verify_tlog_proof
from depositary.errors import (
    DecodeError,
    DepositaryError,
    ProofError,
    SignatureError,
    ValidationError,
)
from tests import reference_merkle as ref

ORIGIN = "example.com/fancylog"
LOG = NoteSigner.generate(ORIGIN)
W1 = Cosigner.generate("witness1.example")
W2 = Cosigner.generate("witness2.example")
ENTRIES = [f"entry {i}".encode() for i in range(11)]


def make_proof(
    index: int = 5, size: int = 11, extra: bytes | None = None, witnesses: int = 2
) -> bytes:
    leaves = ENTRIES[:size]
    cp = Checkpoint(origin=ORIGIN, size=size, root_hash=ref.mth(leaves))
    note = sign_checkpoint(cp, LOG)
    for w in [W1, W2][:witnesses]:
        note += w.cosign(cp.to_text(), 1700000000).to_line().encode()
    proof = tuple(ref.path(index, leaves))
    return TlogProof(index=index, proof=proof, checkpoint=note, extra=extra).to_bytes()


def verify(data: bytes, entry: bytes = ENTRIES[5], quorum: int = 2) -> None:
    verify_tlog_proof(
        data,
        entry=entry,
        log_verifier=LOG.verifier(),
        cosigners=[W1.verifier(), W2.verifier()],
        quorum=quorum,
    )


def test_layout() -> None:
    data = make_proof(extra=b"hello")
    lines = data.decode().split("\n")
    assert lines[:3] == ["c2sp.org/tlog-proof@v1", "extra aGVsbG8=", "index 5"]
    assert lines[3:7] == [encode_base64(h) for h in ref.path(5, ENTRIES)]
    assert lines[7:10] == ["", ORIGIN, "11"]
    parsed = TlogProof.from_bytes(data)
    assert parsed.extra == b"hello"
    assert parsed.to_bytes() == data


def test_verify() -> None:
    for index in range(11):
        data = make_proof(index=index)
        signed = verify_tlog_proof(
            data, entry=ENTRIES[index], log_verifier=LOG.verifier(), cosigners=[W1.verifier()]
        )
        assert signed.checkpoint.size == 11
    single = make_proof(index=0, size=1, witnesses=0)
    assert TlogProof.from_bytes(single).proof == ()
    verify(single, ENTRIES[0], quorum=0)


def test_wrong_entry_names_the_hash_and_index() -> None:
    with pytest.raises(ProofError, match=r"leaf hash [0-9a-f]{64} is not at index 5 of"):
        verify(make_proof(), entry=b"something else")


def test_missing_quorum_names_the_witness() -> None:
    with pytest.raises(SignatureError, match=r"missing: witness2\.example\+"):
        verify(make_proof(witnesses=1))
    with pytest.raises(ValidationError):
        verify(make_proof(), quorum=3)


def test_log_key_name_must_be_the_origin() -> None:
    other = NoteSigner.generate("example.com/other")
    cp = Checkpoint(origin=ORIGIN, size=1, root_hash=ref.mth(ENTRIES[:1]))
    note = sign_note(cp.to_text(), [other])
    data = TlogProof(index=0, proof=(), checkpoint=note).to_bytes()
    with pytest.raises(SignatureError, match="origin"):
        verify_tlog_proof(data, entry=ENTRIES[0], log_verifier=other.verifier())


def test_extra_data_is_not_authenticated() -> None:
    verify(make_proof(extra=b"one"))
    verify(make_proof(extra=b"two"))


PROOF_HEAD = "c2sp.org/tlog-proof@v1\n"
H = encode_base64(bytes(32))


@pytest.mark.parametrize(
    "head",
    [
        "",
        "c2sp.org/tlog-proof@v2\nindex 0\n",
        "c2sp.org/tlog-proof@v1 \nindex 0\n",
        PROOF_HEAD,
        PROOF_HEAD + "index 01\n",
        PROOF_HEAD + "index -1\n",
        PROOF_HEAD + "index \n",
        PROOF_HEAD + "index  1\n",
        PROOF_HEAD + "index 18446744073709551615\n",
        PROOF_HEAD + "Index 1\n",
        PROOF_HEAD + "extra \nindex 1\n",
        PROOF_HEAD + "extra aGk\nindex 1\n",
        PROOF_HEAD + "index 1\nextra aGk=\n",
        PROOF_HEAD + "extra aGk=\nextra aGk=\nindex 1\n",
        PROOF_HEAD + "index 1\nAAAA\n",
        PROOF_HEAD + "index 1\n" + H[:-2] + "B=\n",
        PROOF_HEAD + "index 1\n" + (H + "\n") * 64,
        PROOF_HEAD + "index 1\n" + H + " \n",
        PROOF_HEAD + "index 1\r\n",
        "\ufeff" + PROOF_HEAD + "index 1\n",
    ],
)
def test_malformed_headers(head: str) -> None:
    body = make_proof().partition(b"\n\n")[2]
    with pytest.raises(DecodeError):
        TlogProof.from_bytes(head.encode() + b"\n" + body)


def test_malformed_checkpoint_part() -> None:
    with pytest.raises(DecodeError, match="over"):
        TlogProof.from_bytes(make_proof() + b"x" * (2 << 20))
    with pytest.raises(DecodeError):
        TlogProof.from_bytes(PROOF_HEAD.encode() + b"index 0\n\n")
    with pytest.raises(DecodeError):
        TlogProof.from_bytes(make_proof() + b"\n")
    with pytest.raises(DecodeError):
        TlogProof.from_bytes(make_proof().replace(b"\n11\n", b"\n011\n"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"index": -1},
        {"proof": (b"x",)},
        {"proof": (bytes(32),) * 64},
        {"extra": b""},
        {"checkpoint": b"not a note"},
    ],
)
def test_constructor_validates(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {"index": 0, "proof": (), "checkpoint": make_proof(0, 1, None, 0)}
    base["checkpoint"] = TlogProof.from_bytes(base["checkpoint"]).checkpoint  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        TlogProof(**(base | kwargs))  # type: ignore[arg-type]


def test_every_truncation_and_byte_change_is_rejected() -> None:
    data = make_proof()
    verify(data)
    for n in range(len(data)):
        with pytest.raises(DepositaryError):
            verify(data[:n])
    for i in range(len(data)):
        for delta in (1, 0xFF):
            b = bytearray(data)
            b[i] = (b[i] + delta) % 256
            with pytest.raises(DepositaryError):
                verify(bytes(b))


@settings(max_examples=100, deadline=None)
@given(
    index=st.integers(0, 2**64 - 2),
    proof=st.lists(st.binary(min_size=32, max_size=32), max_size=63),
    extra=st.none() | st.binary(min_size=1, max_size=100),
)
def test_round_trips(index: int, proof: list[bytes], extra: bytes | None) -> None:
    checkpoint = TlogProof.from_bytes(make_proof(0, 1, None, 1)).checkpoint
    p = TlogProof(index=index, proof=tuple(proof), checkpoint=checkpoint, extra=extra)
    data = p.to_bytes()
    assert TlogProof.from_bytes(data) == p
    assert TlogProof.from_bytes(data).to_bytes() == data
