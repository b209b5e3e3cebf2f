"""Submissions checked on worker processes give what the depositary's own process gives."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from depositary.acts.envelope import Envelope, Signature, sign_act
from depositary.clock import ManualClock
from depositary.config import Settings
from depositary.crypto.ed25519 import Signer
from depositary.demo.iraq2020 import CASE_ID, ORIGIN, admission, at, demo_signer, steps
from depositary.demo.replay import setup
from depositary.encoding.tlog_proof import verify_tlog_proof
from depositary.errors import AuthorityError, DepositaryError, NotFound, SignatureError
from depositary.service.depositary import Submission
from depositary.service.instance import Instance, init_data_dir, open_instance


def talks_act(act_id: str, signer: Signer | None = None) -> bytes:
    step = next(s for s in steps() if s.act and s.act.kind.value == "request_for_talks")
    assert step.act is not None
    act = replace(step.act, act_id=act_id)
    return sign_act(act, [signer or demo_signer("iq-prime-minister")]).to_bytes()


@pytest.fixture
def pooled(tmp_path: Path) -> Iterator[Instance]:
    data_dir = tmp_path / "dep"
    init_data_dir(data_dir, ORIGIN)
    settings = Settings(data_dir=data_dir, origin=ORIGIN, batch_period=0.005, prepare_workers=1)
    inst = open_instance(settings, clock=ManualClock(at("2020-01-09T21:00")))
    setup(inst.depositary, {})
    yield inst
    inst.close()


def submit(inst: Instance, data: bytes, case_id: str = CASE_ID) -> Submission:
    return asyncio.run(inst.depositary.submit_async(data, case_id=case_id))


def test_acts_checked_on_a_worker_are_recorded_with_their_evidence(pooled: Instance) -> None:
    acts = [talks_act(f"pooled-{i}") for i in range(20)]

    async def go() -> list[Submission]:
        dep = pooled.depositary
        return list(await asyncio.gather(*(dep.submit_async(a, case_id=CASE_ID) for a in acts)))

    for data, sub in zip(acts, asyncio.run(go()), strict=True):
        verify_tlog_proof(sub.act.receipt, entry=data, log_verifier=pooled.log_verifier)
        row = pooled.depositary.index.act(sub.act_id)
        assert row is not None
        assert row.authorised
        kinds = [e.kind for e in pooled.depositary.index.evidence(sub.act_id)]
        assert kinds == ["submitted", *["circulated"] * (len(sub.evidence) - 1)]


def test_refusals_come_back_as_the_same_errors(pooled: Instance) -> None:
    good = Envelope.from_bytes(talks_act("forged"))
    s = good.signatures[0]
    forged = replace(good, signatures=(Signature(public_key=s.public_key,
                                                 signature=bytes(64)),))  # fmt: skip
    before = pooled.view.checkpoint().size
    with pytest.raises(SignatureError):
        submit(pooled, forged.to_bytes())
    with pytest.raises(NotFound, match="no case"):
        submit(pooled, talks_act("elsewhere"), case_id="no-such-case")
    with pytest.raises(AuthorityError) as refused:  # a stranger's key: refused, not recorded
        submit(pooled, talks_act("stranger", Signer(bytes(range(32)))))
    assert refused.value.reason == "unknown_key"
    assert pooled.view.checkpoint().size == before


def test_a_worker_judges_with_the_roster_the_depositary_has_just_changed(
    pooled: Instance,
) -> None:
    """A key admitted a moment ago is known to the worker checking the next act."""
    new_key = Signer(bytes(range(1, 33)))
    with pytest.raises(AuthorityError):  # the worker has now read the roster without it
        submit(pooled, talks_act("rotated-early", new_key))
    iq = admission("iq")
    keys = tuple(
        replace(k, public_key=new_key.public_key) if k.holder == "iq-prime-minister" else k
        for k in iq.keys
    )
    pooled.depositary.admit(replace(iq, keys=keys))
    sub = submit(pooled, talks_act("rotated", new_key))  # within the workers' cache period
    assert sub.act_id == "rotated"


def test_a_dead_worker_is_replaced(pooled: Instance) -> None:
    pool = pooled.depositary.pool
    assert pool is not None
    workers = list(pool._executor._processes.values())  # the test kills one
    workers[0].kill()
    workers[0].join(10)
    deadline = time.monotonic() + 10
    while not pool._executor._broken and time.monotonic() < deadline:
        time.sleep(0.05)
    sub = submit(pooled, talks_act("after-a-death"))
    assert sub.act_id == "after-a-death"


def test_submissions_held_by_a_dying_worker_fail_as_storage_errors() -> None:
    """What a worker held when it died comes back as a StorageError (a 503), not a hang."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from depositary.errors import StorageError
    from depositary.service import prep_pool

    async def go() -> BaseException | None:
        fut = asyncio.get_running_loop().create_future()
        job: Future[bytes] = Future()
        job.set_exception(BrokenProcessPool("a worker died"))
        prep_pool._settle([((b"", "", at("2020-01-09T21:00"), 0), fut)], job)
        return fut.exception()

    error = asyncio.run(go())
    assert isinstance(error, StorageError)
    assert "died" in str(error)


def test_refusals_of_any_depositary_error_class_come_back_as_the_nearest() -> None:
    from depositary.errors import ConflictError, SplitViewError
    from depositary.service.prep_pool import _Failure
    from depositary.storage.claims import ActIdTakenError

    taken = _Failure.of(ActIdTakenError("act x is already recorded")).error()
    assert type(taken) is ConflictError  # claims' own subclass: its base in errors
    assert str(taken) == "act x is already recorded"
    split = _Failure.of(SplitViewError("two views", seen=b"a", new=b"b")).error()
    assert isinstance(split, DepositaryError)  # needs more than a message: a base
    assert str(split) == "two views"
    denied = _Failure.of(AuthorityError("unknown_key", "no such key")).error()
    assert isinstance(denied, AuthorityError)
    assert denied.reason == "unknown_key"
