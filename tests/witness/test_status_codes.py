"""Every add-checkpoint answer of c2sp.org/tlog-witness, through the HTTP app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from depositary.clock import ManualClock
from depositary.encoding.checkpoint import Checkpoint, sign_checkpoint
from depositary.encoding.cosignature import cosignature_timestamp
from depositary.encoding.note import (
    Note,
    NoteSignature,
    NoteSigner,
)
from depositary.merkle.hashing import EMPTY_ROOT
from depositary.witness.protocol import SIZE_CONTENT_TYPE, AddCheckpoint, parse_cosignatures
from depositary.witness.server import create_app
from tests.witness.helpers import (
    ORIGIN,
    MiniLog,
    WitnessFixture,
    entries,
    make_witness,
    signed_empty,
)


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner.generate(ORIGIN)


@pytest.fixture
def wf(tmp_path: Path, signer: NoteSigner) -> Iterator[WitnessFixture]:
    w = make_witness(tmp_path, logs=(signer,))
    yield w
    w.state.close()


@pytest.fixture
def http(wf: WitnessFixture) -> Iterator[TestClient]:
    with TestClient(create_app(wf.witness)) as c:
        yield c


@pytest.fixture
def log(signer: NoteSigner, clock: ManualClock) -> MiniLog:
    return MiniLog(signer, clock)


def post(http: TestClient, body: bytes) -> tuple[int, str, bytes]:
    r = http.post("/add-checkpoint", content=body)
    return r.status_code, r.headers.get("content-type", ""), r.content


def held(wf: WitnessFixture) -> int | None:
    rec = wf.state.latest(ORIGIN)
    return None if rec is None else rec.size


def test_200_first_checkpoint_then_a_consistent_one(
    http: TestClient, wf: WitnessFixture, log: MiniLog
) -> None:
    log.append(*entries(3))
    status, _, body = post(http, log.request(0))
    assert status == 200
    (sig,) = parse_cosignatures(body)
    text = Note.from_bytes(log.view.checkpoint().note).text.encode()
    wf.cosigner.verifier().verify(text, sig.signature)
    assert held(wf) == 3
    log.append(*entries(300, "more"))
    wf.clock.advance(timedelta(seconds=5))
    status, _, body = post(http, log.request(3))
    assert status == 200
    (sig,) = parse_cosignatures(body)
    wf.cosigner.verifier().verify(
        Note.from_bytes(log.view.checkpoint().note).text.encode(), sig.signature
    )
    assert cosignature_timestamp(sig.signature) == int(wf.clock.now().timestamp())
    assert held(wf) == 303
    # the same checkpoint again, from the size the witness holds: cosigned again
    assert post(http, log.request(303))[0] == 200
    assert held(wf) == 303


def test_404_unknown_origin(http: TestClient, wf: WitnessFixture, clock: ManualClock) -> None:
    stranger = MiniLog(NoteSigner.generate("other.example/log"), clock)
    stranger.append(b"x")
    status, _, _ = post(http, stranger.request(0))
    assert status == 404
    assert wf.state.latest("other.example/log") is None


def test_403_no_trusted_signature(http: TestClient, wf: WitnessFixture, clock: ManualClock) -> None:
    # signed under the right origin name, but by a key the witness does not know
    impostor = MiniLog(NoteSigner.generate(ORIGIN), clock)
    impostor.append(b"x")
    assert post(http, impostor.request(0))[0] == 403
    assert held(wf) is None


def test_403_a_known_key_whose_signature_fails(
    http: TestClient, wf: WitnessFixture, log: MiniLog
) -> None:
    note = Note.from_bytes(log.append(b"x"))
    sig = note.signatures[0]
    bad = NoteSignature(name=sig.name, key_id=sig.key_id, signature=bytes(64))
    forged = Note(text=note.text, signatures=(bad,)).to_bytes()
    assert post(http, AddCheckpoint(old_size=0, proof=(), note=forged).to_bytes())[0] == 403
    # even next to a good signature, a failing one by the known key is refused
    both = Note(text=note.text, signatures=(sig, bad)).to_bytes()
    assert post(http, AddCheckpoint(old_size=0, proof=(), note=both).to_bytes())[0] == 403
    assert held(wf) is None


def test_400_old_larger_than_new(http: TestClient, wf: WitnessFixture, log: MiniLog) -> None:
    note = log.append(*entries(3))
    assert post(http, AddCheckpoint(old_size=4, proof=(), note=note).to_bytes())[0] == 400
    assert held(wf) is None


def test_400_malformed_body(http: TestClient, wf: WitnessFixture) -> None:
    for body in [b"", b"old 0\n", b"old x\n\nfoo\n", b"old 0\n\nno signature\n"]:
        assert post(http, body)[0] == 400
    assert held(wf) is None


def test_409_with_the_size_the_witness_holds(
    http: TestClient, wf: WitnessFixture, log: MiniLog
) -> None:
    log.append(*entries(5))
    # never cosigned: it holds 0
    status, ctype, body = post(http, log.request(2))
    assert (status, ctype, body) == (409, SIZE_CONTENT_TYPE, b"0\n")
    assert post(http, log.request(0))[0] == 200
    log.append(*entries(5, "b"))
    status, ctype, body = post(http, log.request(0))
    assert (status, ctype, body) == (409, SIZE_CONTENT_TYPE, b"5\n")
    status, ctype, body = post(http, log.request(7))
    assert (status, ctype, body) == (409, SIZE_CONTENT_TYPE, b"5\n")
    assert held(wf) == 5


def test_422_bad_proof(http: TestClient, wf: WitnessFixture, log: MiniLog) -> None:
    log.append(*entries(5))
    assert post(http, log.request(0))[0] == 200
    note = log.append(*entries(6, "b"))
    good = log.view.consistency_proof(5, 11)
    for proof in [
        (),
        tuple(good[:-1]),
        (*good, good[0]),
        (bytes(32), *good[1:]),
        tuple(reversed(good)),
    ]:
        body = AddCheckpoint(old_size=5, proof=proof, note=note).to_bytes()
        assert post(http, body)[0] == 422, proof
    assert held(wf) == 5
    assert len(wf.state.evidence()) == 5


def test_422_non_empty_proof_from_zero(http: TestClient, wf: WitnessFixture, log: MiniLog) -> None:
    note = log.append(*entries(5))
    body = AddCheckpoint(old_size=0, proof=(bytes(32),), note=note).to_bytes()
    assert post(http, body)[0] == 422
    assert held(wf) is None


def test_422_same_size_different_root(
    http: TestClient, wf: WitnessFixture, log: MiniLog, signer: NoteSigner, clock: ManualClock
) -> None:
    log.append(*entries(4))
    assert post(http, log.request(0))[0] == 200
    fork = MiniLog(signer, clock)
    fork.append(*entries(3), b"rewritten")
    assert post(http, fork.request(4))[0] == 422
    # a non-empty proof between equal sizes is refused too
    note = log.view.checkpoint().note
    body = AddCheckpoint(old_size=4, proof=(bytes(32),), note=note).to_bytes()
    assert post(http, body)[0] == 422
    assert (
        wf.state.latest(ORIGIN).root_hash
        == Checkpoint.from_text(  # type: ignore[union-attr]
            Note.from_bytes(note).text.encode()
        ).root_hash
    )


def test_size_zero(http: TestClient, wf: WitnessFixture, signer: NoteSigner) -> None:
    bogus = signed_empty(signer, root=bytes(32))
    assert post(http, AddCheckpoint(old_size=0, proof=(), note=bogus).to_bytes())[0] == 422
    empty = signed_empty(signer)
    assert post(http, AddCheckpoint(old_size=0, proof=(), note=empty).to_bytes())[0] == 200
    assert held(wf) == 0
    cp = Checkpoint(origin=ORIGIN, size=0, root_hash=EMPTY_ROOT)
    assert sign_checkpoint(cp, signer) == empty


def test_413_oversized_body(http: TestClient) -> None:
    assert post(http, b"old 0\n" + b"A" * (2 << 20))[0] == 413
