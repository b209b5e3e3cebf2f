"""Forged or junk cosignature lines never get into anyone's state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from depositary.clock import ManualClock
from depositary.encoding.b64 import encode as encode_base64
from depositary.encoding.checkpoint import open_checkpoint
from depositary.encoding.cosignature import Cosigner
from depositary.encoding.note import (
    Note,
    NoteSignature,
    NoteSigner,
)
from depositary.errors import ConflictError, DecodeError, SignatureError
from depositary.log.audit import StoreSource
from depositary.witness.client import Policy, WitnessEndpoint, collect, submit
from depositary.witness.monitor import observe
from depositary.witness.protocol import SIZE_CONTENT_TYPE, AddCheckpoint
from tests.witness.helpers import ORIGIN, MiniLog, entries, make_witness


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner.generate(ORIGIN)


@pytest.fixture
def log(signer: NoteSigner, clock: ManualClock) -> MiniLog:
    lg = MiniLog(signer, clock)
    lg.append(*entries(7))
    return lg


def junk_lines() -> list[NoteSignature]:
    grease = NoteSignature(name="grease.example", key_id=0x12345678, signature=b"\x01" * 40)
    other = Cosigner.generate("stranger.example/w").cosign(b"o\n1\n" + b"A" * 43 + b"=\n", 9)
    return [grease, other]


def test_witness_stores_only_the_verified_log_signature(
    tmp_path: Path, log: MiniLog, signer: NoteSigner
) -> None:
    wf = make_witness(tmp_path, logs=(signer,))
    note = Note.from_bytes(log.view.checkpoint().note)
    noisy = Note(text=note.text, signatures=(*junk_lines(), *note.signatures)).to_bytes()
    answer = wf.witness.add_checkpoint(AddCheckpoint(old_size=0, proof=(), note=noisy).to_bytes())
    assert answer.status == 200
    assert wf.state.latest(ORIGIN).note == log.view.checkpoint().note  # type: ignore[union-attr]


def test_witness_refuses_unparseable_lines(
    tmp_path: Path, log: MiniLog, signer: NoteSigner
) -> None:
    wf = make_witness(tmp_path, logs=(signer,))
    note = log.view.checkpoint().note
    for junk in ["— x AAAA\n", "— x\n", "junk\n", "— grease.example !!!!\n"]:
        body = b"old 0\n\n" + note + junk.encode()
        assert wf.witness.add_checkpoint(body).status == 400
    assert wf.state.latest(ORIGIN) is None


Handler = Callable[[httpx2.Request], httpx2.Response]


def fake(handler: Handler) -> httpx2.Client:
    return httpx2.Client(transport=httpx2.MockTransport(handler))


def endpoint(w: Cosigner, url: str = "http://w1.test") -> WitnessEndpoint:
    return WitnessEndpoint(url=url, verifier=w.verifier())


def text_of(note: bytes) -> bytes:
    return Note.from_bytes(note).text.encode()


def test_client_drops_forged_and_foreign_lines(log: MiniLog, signer: NoteSigner) -> None:
    good_w, forged_w = Cosigner.generate("w1.test"), Cosigner.generate("w2.test")
    note = log.view.checkpoint().note

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.host == "w1.test":
            good = good_w.cosign(text_of(note), 1_700_000_000)
            lines = "".join(s.to_line() for s in [*junk_lines(), good])
        else:  # a valid signature by w2's key, but over another checkpoint
            other = forged_w.cosign(text_of(note).replace(b"\n7\n", b"\n8\n"), 1_700_000_000)
            lines = other.to_line()
        return httpx2.Response(200, content=lines.encode())

    policy = Policy(
        witnesses=(endpoint(good_w), endpoint(forged_w, "http://w2.test")),
        quorum=1,
    )
    with fake(handler) as http:
        got = collect(policy, note=note, proof=log.view.consistency_proof, http=http)
    assert got.cosigned == 1
    (failed,) = [o for o in got.outcomes if o.signature is None]
    assert "fails" in (failed.error or "")
    lines = Note.from_bytes(got.note).signatures
    assert [s.name for s in lines] == [ORIGIN, "w1.test"]
    signed = open_checkpoint(got.note, signer.verifier(), [good_w.verifier()])
    assert len(signed.cosignatures) == 1
    with fake(handler) as http, pytest.raises(SignatureError, match="1 of the 2"):
        collect(
            Policy(witnesses=policy.witnesses, quorum=2),
            note=note,
            proof=log.view.consistency_proof,
            http=http,
        )


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not a signature\n",
        "— w1.test AAAA\n".encode(),
        b"\xff\xfe\n",
    ],
)
def test_client_refuses_junk_answers(log: MiniLog, body: bytes) -> None:
    w = Cosigner.generate("w1.test")
    with (
        fake(lambda _: httpx2.Response(200, content=body)) as http,
        pytest.raises((SignatureError, DecodeError)),
    ):
        submit(http, endpoint(w), note=log.view.checkpoint().note, proof=lambda o, n: [])


def test_client_refuses_a_zero_timestamp(log: MiniLog) -> None:
    w = Cosigner.generate("w1.test")
    note = log.view.checkpoint().note
    line = w.cosign(text_of(note), 0).to_line().encode()
    with (
        fake(lambda _: httpx2.Response(200, content=line)) as http,
        pytest.raises(SignatureError, match="timestamp 0"),
    ):
        submit(http, endpoint(w), note=note, proof=lambda o, n: [])


def test_client_resends_from_the_size_in_a_409(log: MiniLog) -> None:
    w = Cosigner.generate("w1.test")
    note = log.view.checkpoint().note
    seen: list[int] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        req = AddCheckpoint.from_bytes(request.content)
        seen.append(req.old_size)
        if req.old_size != 3:
            return httpx2.Response(409, content=b"3\n", headers={"content-type": SIZE_CONTENT_TYPE})
        assert list(req.proof) == log.view.consistency_proof(3, 7)
        return httpx2.Response(200, content=w.cosign(text_of(note), 5).to_line().encode())

    with fake(handler) as http:
        sig, size = submit(http, endpoint(w), note=note, proof=log.view.consistency_proof)
    assert (seen, size) == ([0, 3], 7)
    w.verifier().verify(text_of(note), sig.signature)


def test_client_gives_up_when_the_witness_is_ahead(log: MiniLog) -> None:
    w = Cosigner.generate("w1.test")
    answer = httpx2.Response(409, content=b"99\n", headers={"content-type": SIZE_CONTENT_TYPE})
    with fake(lambda _: answer) as http, pytest.raises(ConflictError, match="99"):
        submit(http, endpoint(w), note=log.view.checkpoint().note, proof=lambda o, n: [])


def test_monitor_refuses_a_forged_cosignature_by_a_known_witness(
    log: MiniLog, signer: NoteSigner
) -> None:
    w = Cosigner.generate("w1.test")
    note = Note.from_bytes(log.view.checkpoint().note)
    real = w.cosign(note.text.encode(), 1_700_000_000)
    forged = NoteSignature(
        name=real.name, key_id=real.key_id, signature=real.signature[:8] + bytes(64)
    )
    tampered = Note(text=note.text, signatures=(*note.signatures, forged)).to_bytes()

    class Source(StoreSource):
        def get(self, path: str) -> bytes:
            return tampered if path == "checkpoint" else super().get(path)

    with pytest.raises(SignatureError):
        observe(Source(log.store), log_verifier=signer.verifier(), witnesses=[w.verifier()])
    assert encode_base64(forged.signature) not in log.view.checkpoint().note.decode()
