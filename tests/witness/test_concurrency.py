"""Racing add-checkpoint requests never roll the witness back (the spec's 6-step race)."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from depositary.clock import ManualClock
from depositary.encoding.checkpoint import Checkpoint
from depositary.encoding.note import (
    Note,
    NoteSigner,
)
from depositary.errors import ConflictError
from depositary.witness.core import Answer, Record, authenticate, check
from depositary.witness.protocol import AddCheckpoint, parse_size
from depositary.witness.service import Witness
from depositary.witness.state import WitnessState
from tests.witness.helpers import ORIGIN, MiniLog, make_witness


def _history(signer: NoteSigner, clock: ManualClock, sizes: int) -> MiniLog:
    log = MiniLog(signer, clock)
    for i in range(sizes):
        log.append(f"entry {i}".encode())
    return log


def test_the_spec_race_cannot_roll_back(tmp_path: Path, clock: ManualClock) -> None:
    """Steps 1-6 of the spec, interleaved by hand: A decides, B commits, A must lose."""
    signer = NoteSigner.generate(ORIGIN)
    log = _history(signer, clock, 8)
    wf = make_witness(tmp_path, logs=(signer,))
    assert wf.witness.add_checkpoint(log.request(0, log.store.checkpoint_at(2).note)).status == 200
    logs = wf.state.logs()
    a = authenticate(log.request(2, log.store.checkpoint_at(4).note), logs)
    b = authenticate(log.request(2, log.store.checkpoint_at(8).note), logs)
    assert not isinstance(a, Answer)
    assert not isinstance(b, Answer)
    latest = wf.state.latest(ORIGIN)
    rec_a = check(a, latest)  # 1. A is checked against size 2
    rec_b = check(b, latest)  # 2. B is checked against size 2
    assert isinstance(rec_a, Record)
    assert isinstance(rec_b, Record)
    wf.state.replace(latest, rec_b, now_ms=1)  # 3. B is stored
    with pytest.raises(ConflictError):  # 5. A must not be stored over B
        wf.state.replace(latest, rec_a, now_ms=2)
    assert wf.state.latest(ORIGIN).size == 8  # type: ignore[union-attr]
    # and through the service, A now gets a 409 saying 8
    answer = wf.witness.add_checkpoint(log.request(2, log.store.checkpoint_at(4).note))
    assert (answer.status, parse_size(answer.body)) == (409, 8)


def test_many_threads_never_roll_back(tmp_path: Path, clock: ManualClock) -> None:
    signer = NoteSigner.generate(ORIGIN)
    n = 40
    log = _history(signer, clock, n)
    notes = {s: log.store.checkpoint_at(s).note for s in range(1, n + 1)}  # type: ignore[union-attr]
    proofs = {
        (o, s): tuple(log.view.consistency_proof(o, s))
        for s in range(1, n + 1)
        for o in range(s + 1)
    }
    wf = make_witness(tmp_path, logs=(signer,))
    # two witness processes sharing one state file: the CAS is in the database
    twin_state = WitnessState(wf.state.path)
    twin = Witness(cosigner=wf.cosigner, state=twin_state, clock=wf.clock)
    wins: list[tuple[int, int]] = []
    lock = threading.Lock()
    observed: list[int] = []
    stop = threading.Event()

    def watcher() -> None:
        while not stop.is_set():
            rec = wf.state.latest(ORIGIN)
            observed.append(0 if rec is None else rec.size)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        me = wf.witness if seed % 2 else twin
        believed = 0
        for _ in range(40):
            size = rng.randint(max(1, believed), n)
            old = believed if rng.random() < 0.8 else rng.randint(0, size)
            body = AddCheckpoint(
                old_size=old, proof=proofs[(old, size)] if old else (), note=notes[size]
            ).to_bytes()
            answer = me.add_checkpoint(body)
            if answer.status == 200:
                with lock:
                    wins.append((old, size))
                believed = size
            elif answer.status == 409:
                believed = parse_size(answer.body)
            else:
                raise AssertionError(f"unexpected {answer.status}: {answer.reason}")

    watch = threading.Thread(target=watcher)
    watch.start()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watch.join()
    twin_state.close()

    assert len(wins) >= 20, wins
    final = wf.state.latest(ORIGIN)
    assert final is not None
    assert final.size == max(s for _, s in wins)
    assert observed == sorted(observed), "the witness state went backwards"
    # every success started from a size the witness had cosigned: one chain, no forks
    cosigned = {0} | {s for _, s in wins}
    assert all(old in cosigned and old <= s for old, s in wins)
    cp = Checkpoint.from_text(Note.from_bytes(notes[final.size]).text.encode())
    assert final.root_hash == cp.root_hash
