"""An equivocating log (same size, other root; or a rewritten entry) is caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from depositary.clock import ManualClock
from depositary.encoding.note import NoteSigner
from depositary.errors import CorruptionError, SignatureError, SplitViewError
from depositary.log.audit import StoreSource
from depositary.witness.monitor import Seen, load_seen, observe, save_seen
from tests.witness.helpers import ORIGIN, MiniLog, entries, make_witness


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner.generate(ORIGIN)


def test_witness_refuses_a_second_history_of_the_same_size(
    tmp_path: Path, signer: NoteSigner, clock: ManualClock
) -> None:
    honest, fork = MiniLog(signer, clock), MiniLog(signer, clock)
    honest.append(*entries(10))
    fork.append(*entries(9), b"a different act")
    wf = make_witness(tmp_path, logs=(signer,))
    assert wf.witness.add_checkpoint(honest.request(0)).status == 200
    answer = wf.witness.add_checkpoint(fork.request(10))
    assert answer.status == 422
    assert answer.evidence
    (ev,) = wf.state.evidence()
    assert ev.cosigned is not None
    assert ev.request.endswith(fork.view.checkpoint().note)
    assert wf.state.latest(ORIGIN).note == honest.view.checkpoint().note  # type: ignore[union-attr]


def test_witness_refuses_a_rewritten_entry_in_a_longer_tree(
    tmp_path: Path, signer: NoteSigner, clock: ManualClock
) -> None:
    honest, fork = MiniLog(signer, clock), MiniLog(signer, clock)
    honest.append(*entries(300))
    data = entries(300)
    data[17] = b"act 17, backdated"
    fork.append(*data, *entries(50, "later"))
    wf = make_witness(tmp_path, logs=(signer,))
    assert wf.witness.add_checkpoint(honest.request(0)).status == 200
    # the fork's own proof from 300 to 350 is about the fork's size-300 root
    assert wf.witness.add_checkpoint(fork.request(300)).status == 422
    # and the honest log's later checkpoints still go through
    honest.append(*entries(50, "later"))
    assert wf.witness.add_checkpoint(honest.request(300)).status == 200


def test_monitor_follows_an_honest_log(signer: NoteSigner, clock: ManualClock) -> None:
    log = MiniLog(signer, clock)
    log.append(*entries(3))
    src = StoreSource(log.store)
    seen = observe(src, log_verifier=signer.verifier())
    assert seen.size == 3
    for n in (1, 253, 256, 1000):
        log.append(*entries(n, f"batch {n}"))
        seen = observe(src, log_verifier=signer.verifier(), seen=seen)
    assert seen.size == 3 + 1 + 253 + 256 + 1000
    assert observe(src, log_verifier=signer.verifier(), seen=seen) == seen


def test_monitor_catches_the_same_size_with_another_root(
    signer: NoteSigner, clock: ManualClock
) -> None:
    honest, fork = MiniLog(signer, clock), MiniLog(signer, clock)
    honest.append(*entries(10))
    fork.append(*entries(9), b"a different act")
    seen = observe(StoreSource(honest.store), log_verifier=signer.verifier())
    with pytest.raises(SplitViewError) as info:
        observe(StoreSource(fork.store), log_verifier=signer.verifier(), seen=seen)
    assert info.value.seen == honest.view.checkpoint().note
    assert info.value.new == fork.view.checkpoint().note
    assert "SPLIT VIEW" in str(info.value)
    evidence = info.value.evidence()
    assert honest.view.checkpoint().note.decode() in evidence
    assert fork.view.checkpoint().note.decode() in evidence


def test_monitor_catches_a_rewritten_entry(
    tmp_path: Path, signer: NoteSigner, clock: ManualClock
) -> None:
    honest, fork = MiniLog(signer, clock), MiniLog(signer, clock)
    honest.append(*entries(600))
    data = entries(600)
    data[300] = b"act 300, rewritten"
    fork.append(*data, *entries(10, "later"))
    state = tmp_path / "monitor.json"
    save_seen(state, observe(StoreSource(honest.store), log_verifier=signer.verifier()))
    with pytest.raises(SplitViewError):
        observe(StoreSource(fork.store), log_verifier=signer.verifier(), seen=load_seen(state))
    # the state keeps the last good checkpoint
    assert load_seen(state).size == 600  # type: ignore[union-attr]


def test_monitor_catches_a_rollback(signer: NoteSigner, clock: ManualClock) -> None:
    log = MiniLog(signer, clock)
    log.append(*entries(5))
    old_view = MiniLog(signer, clock)
    old_view.append(*entries(5))
    log.append(*entries(5, "b"))
    seen = observe(StoreSource(log.store), log_verifier=signer.verifier())
    with pytest.raises(SplitViewError, match="ROLLBACK"):
        observe(StoreSource(old_view.store), log_verifier=signer.verifier(), seen=seen)


def test_monitor_refuses_tiles_that_disagree_with_the_checkpoint(
    signer: NoteSigner, clock: ManualClock
) -> None:
    a, b = MiniLog(signer, clock), MiniLog(signer, clock)
    a.append(*entries(10))
    b.append(*entries(9), b"x")

    class Mixed(StoreSource):
        def get(self, path: str) -> bytes:  # b's checkpoint over a's tiles
            return b.view.checkpoint().note if path == "checkpoint" else super().get(path)

    with pytest.raises(CorruptionError):
        observe(Mixed(a.store), log_verifier=signer.verifier())


def test_monitor_demands_the_witness_quorum(
    tmp_path: Path, signer: NoteSigner, clock: ManualClock
) -> None:
    log = MiniLog(signer, clock)
    log.append(*entries(4))
    w = make_witness(tmp_path, logs=(signer,))
    with pytest.raises(SignatureError):
        observe(
            StoreSource(log.store),
            log_verifier=signer.verifier(),
            witnesses=[w.cosigner.verifier()],
            quorum=1,
        )


def test_seen_round_trips(signer: NoteSigner, clock: ManualClock) -> None:
    log = MiniLog(signer, clock)
    log.append(b"x")
    seen = observe(StoreSource(log.store), log_verifier=signer.verifier())
    assert Seen.from_json(seen.to_json()) == seen
