"""The fast paths of submission: asyncio submissions, receipts built per batch, and
the index written in the transaction that appends what it indexes (with catch-up
behind it when that cannot be done)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from depositary.acts.envelope import sign_act
from depositary.clock import ManualClock
from depositary.demo.iraq2020 import CASE_ID, at, demo_signer, steps
from depositary.demo.replay import setup
from depositary.encoding.tlog_proof import verify_tlog_proof
from depositary.errors import ConflictError
from depositary.service.depositary import Submission
from depositary.service.instance import Instance


def talks(n: int) -> list[bytes]:
    step = next(s for s in steps() if s.act and s.act.kind.value == "request_for_talks")
    assert step.act is not None
    signer = demo_signer("iq-prime-minister")
    return [sign_act(replace(step.act, act_id=f"talks-{i}"), [signer]).to_bytes() for i in range(n)]


@pytest.fixture
def ready(instance: Instance, clock: ManualClock) -> Instance:
    clock.set(at("2020-01-09T21:00"))
    setup(instance.depositary, {})
    return instance


def check_recorded(inst: Instance, data: bytes, sub: Submission) -> None:
    dep = inst.depositary
    verify_tlog_proof(sub.act.receipt, entry=data, log_verifier=inst.log_verifier)
    # the receipt built with the batch is the one the view builds alone, byte for byte
    size = inst.view.checkpoint().size
    assert sub.act.receipt == inst.view.receipt(sub.act.index, _size_of(sub.act.checkpoint, size))
    row = dep.index.act(sub.act_id)
    assert row is not None
    assert row.idx == sub.act.index
    assert row.authorised
    kinds = [e.kind for e in dep.index.evidence(sub.act_id)]
    assert kinds[0] == "submitted"
    assert kinds.count("circulated") == len(sub.evidence) - 1


def _size_of(note: bytes, latest: int) -> int:
    size = int(note.split(b"\n")[1])
    assert size <= latest
    return size


def test_concurrent_async_submissions_are_recorded_and_a_replay_among_them_is_refused(
    ready: Instance,
) -> None:
    acts = talks(40)

    async def go() -> list[Submission | BaseException]:
        dep = ready.depositary
        jobs = [dep.submit_async(a, case_id=CASE_ID) for a in acts]
        jobs.append(dep.submit_async(acts[7], case_id=CASE_ID))  # the same act again
        return await asyncio.gather(*jobs, return_exceptions=True)

    results = asyncio.run(go())
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1
    assert isinstance(refused[0], ConflictError)
    assert "talks-7" in str(refused[0])
    subs = [r for r in results if isinstance(r, Submission)]
    assert sorted(s.act_id for s in subs) == sorted(f"talks-{i}" for i in range(40))
    for s in subs:
        check_recorded(ready, acts[int(s.act_id.split("-")[1])], s)


def test_the_index_is_written_in_the_appending_transaction(
    ready: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With catching up forbidden, the index is complete all the same."""
    indexer = ready.depositary.indexer

    def forbidden() -> int:
        raise AssertionError("caught up: the batch was not indexed in its transaction")

    monkeypatch.setattr(indexer, "catch_up", forbidden)
    acts = talks(3)
    subs = [ready.depositary.submit(a, case_id=CASE_ID) for a in acts]
    assert ready.depositary.index.indexed_size() == ready.view.checkpoint().size
    for a, s in zip(acts, subs, strict=True):
        check_recorded(ready, a, s)


def test_an_index_behind_the_log_is_left_to_catch_up(ready: Instance) -> None:
    """An entry the depositary did not index (another application's, say) puts the
    index behind: the next batch is not indexed in its transaction (it would leave
    a gap) but by the catch-up that follows, which applies both in order."""
    dep = ready.depositary
    ready.appender.on_commit = None
    ready.sequencer.append_batch([b"an entry that is not the depositary's"])
    behind = ready.view.checkpoint().size - 1
    assert dep.index.indexed_size() == behind
    acts = talks(2)
    first = dep.submit(acts[0], case_id=CASE_ID)  # its own catch_up_to fills the gap
    assert dep.index.indexed_size() == ready.view.checkpoint().size
    check_recorded(ready, acts[0], first)
    second = dep.submit(acts[1], case_id=CASE_ID)  # and indexing in the transaction resumes
    check_recorded(ready, acts[1], second)
