"""c2sp.org/tlog-witness bodies: the spec's examples, round trips, and what must be refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from depositary.clock import ManualClock
from depositary.encoding.b64 import decode as decode_base64
from depositary.encoding.cosignature import (
    CosignatureVerifier,
    Cosigner,
    cosignature_timestamp,
)
from depositary.encoding.note import (
    NoteSignature,
    NoteSigner,
)
from depositary.errors import DecodeError, ValidationError
from depositary.witness.protocol import (
    MAX_PROOF_LINES,
    AddCheckpoint,
    format_cosignatures,
    format_size,
    parse_cosignatures,
    parse_size,
)
from tests.witness.helpers import MiniLog, entries, make_witness

SPEC_REQUEST = (
    "old 20852014\n"
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
    "\n"
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcy"
    "v2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V"
    "6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n"
).encode()

SPEC_RESPONSE = (
    "— witness.example/w1 CMp+6LWBU0anHGH5aNDTJkH/gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQ"
    "Lrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==\n"
    "— witness.example/w1 I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWhO"
    "+DlkL0+UfzuOBMh9ChdMkP1vi/lCAsmlw==\n"
    "— witness.example/w2 AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7"
    "nC3HNJhm/kWl7oJlqU3rXXvpysAdyP3wQ==\n"
).encode()


def test_the_spec_request_parses_and_round_trips() -> None:
    req = AddCheckpoint.from_bytes(SPEC_REQUEST)
    assert req.old_size == 20852014
    assert len(req.proof) == 4
    assert req.proof[0] == decode_base64("PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=")
    cp = req.checkpoint()
    assert (cp.origin, cp.size) == ("example.com/behind-the-sofa", 20852163)
    assert req.to_bytes() == SPEC_REQUEST


def test_the_spec_response_parses_and_round_trips() -> None:
    sigs = parse_cosignatures(SPEC_RESPONSE)
    assert [s.name for s in sigs] == ["witness.example/w1"] * 2 + ["witness.example/w2"]
    # The example lines have the cosignature/v1 length (72 bytes after the key ID), but
    # their bytes are illustrative: the "timestamps" are over 2^63-1, so they cannot verify.
    assert all(len(s.signature) == 72 for s in sigs)
    assert format_cosignatures(sigs) == SPEC_RESPONSE


def test_a_real_exchange_verifies_with_known_keys(tmp_path: Path, clock: ManualClock) -> None:
    signer = NoteSigner.generate("example.com/behind-the-sofa")
    log = MiniLog(signer, clock)
    log.append(*entries(5))
    w = make_witness(tmp_path, logs=(signer,))
    answer = w.witness.add_checkpoint(log.request(0))
    assert answer.status == 200
    (sig,) = parse_cosignatures(answer.body)
    text = log.view.checkpoint().note.split(b"\n\n")[0] + b"\n"
    CosignatureVerifier.from_vkey(w.cosigner.verifier().to_vkey()).verify(text, sig.signature)
    assert cosignature_timestamp(sig.signature) == int(w.clock.now().timestamp())


def test_size_bodies() -> None:
    assert format_size(0) == b"0\n"
    assert parse_size(b"20852014\n") == 20852014
    for bad in [b"", b"12", b"012\n", b"-1\n", b"1 \n", b"1\n\n", b"x\n", b"\xff\n"]:
        with pytest.raises(DecodeError):
            parse_size(bad)


def _valid(n_proof: int = 1, old: str = "3") -> bytes:
    proof = "".join("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" for _ in range(n_proof))
    note = SPEC_REQUEST[SPEC_REQUEST.index(b"\n\n") + 2 :]
    return f"old {old}\n{proof}\n".encode() + note


def test_up_to_63_proof_lines() -> None:
    assert len(AddCheckpoint.from_bytes(_valid(MAX_PROOF_LINES)).proof) == MAX_PROOF_LINES
    with pytest.raises(DecodeError):
        AddCheckpoint.from_bytes(_valid(MAX_PROOF_LINES + 1))
    with pytest.raises(ValidationError):
        AddCheckpoint(old_size=1, proof=(b"\0" * 32,) * 64, note=b"")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 3\n",
        _valid().replace(b"old 3", b"old 03"),
        _valid().replace(b"old 3", b"old -3"),
        _valid().replace(b"old 3", b"old  3"),
        _valid().replace(b"old 3", b"Old 3"),
        _valid().replace(b"old 3", b"old 3 "),
        _valid().replace(b"old 3", b"old 99999999999999999999"),
        _valid().replace(b"old 3\n", b"old 3\r\n"),
        _valid().replace(b"AAAA=\n", b"AA=\n"),  # 31-byte hash
        _valid().replace(b"AAAA=\n", b"AAAB\n"),  # not canonical base64
        _valid().replace(b"\n\nexample", b"\n \nexample"),
        _valid()[: _valid().rindex(b"\n\n")] + b"\n",  # no signatures
        _valid().replace(b"20852163", b"+20852163"),
        _valid().replace(b"old 3\n", "old 3\u00a0\n".encode()),
    ],
)
def test_malformed_requests_are_refused(body: bytes) -> None:
    with pytest.raises(DecodeError):
        AddCheckpoint.from_bytes(body)


@pytest.mark.parametrize(
    "body",
    [b"", b"\n", b"junk\n", "— w AAAA\n".encode(), SPEC_RESPONSE[:-1], SPEC_RESPONSE + b"\n"],
)
def test_malformed_responses_are_refused(body: bytes) -> None:
    with pytest.raises(DecodeError):
        parse_cosignatures(body)


def test_request_round_trip_property() -> None:
    w = Cosigner.generate("w")
    sig: NoteSignature = w.cosign(b"o\n1\n" + b"A" * 43 + b"=\n", 1)
    assert parse_cosignatures(format_cosignatures([sig])) == (sig,)
    with pytest.raises(ValidationError):
        format_cosignatures([])
