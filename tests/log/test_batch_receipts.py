"""Receipts built for a whole batch, by the sequencer, and the asyncio way to wait."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depositary.clock import ManualClock
from depositary.encoding.note import NoteSigner
from depositary.encoding.tlog_proof import verify_tlog_proof
from depositary.errors import ValidationError
from depositary.log.reader import LogView
from depositary.log.sequencer import Appended, Sequencer
from depositary.storage.base import LogStore
from depositary.storage.memory import MemoryStore


def entries(n: int, prefix: str = "entry") -> list[bytes]:
    return [f"{prefix} {i}".encode() for i in range(n)]


def new_log() -> tuple[MemoryStore, Sequencer, NoteSigner]:
    store = MemoryStore()
    signer = NoteSigner.generate("t.example/log")
    clock = ManualClock(datetime(2020, 1, 1, tzinfo=UTC))
    return store, Sequencer(store=store, signer=signer, clock=clock), signer


@settings(max_examples=30, deadline=None)
@given(
    batches=st.lists(st.integers(1, 600), min_size=1, max_size=4),
    picks=st.lists(st.integers(0, 10**6), max_size=40),
)
def test_batch_receipts_equal_single_receipts_byte_for_byte(
    batches: list[int], picks: list[int]
) -> None:
    store, seq, signer = new_log()
    data = entries(sum(batches))
    pos = 0
    view = LogView(store)
    for n in batches:
        seq.append_batch(data[pos : pos + n])
        pos += n
        size = pos
        indexes = sorted({p % size for p in picks} | {0, size - 1, size // 2})
        got = view.receipts(indexes, size)
        assert sorted(got) == indexes
        for i in indexes:
            assert got[i] == view.receipt(i, size)
            verify_tlog_proof(got[i], entry=data[i], log_verifier=signer.verifier())


def test_every_index_of_small_trees() -> None:
    store, seq, _ = new_log()
    view = LogView(store)
    for size in range(1, 70):
        seq.append_batch([f"e {size}".encode()])
        got = view.receipts(range(size), size)
        assert got == {i: view.receipt(i, size) for i in range(size)}
    assert view.receipts([], 5) == {}
    with pytest.raises(ValidationError, match="index 69"):
        view.receipts([3, 69], 69)


def test_the_sequencer_builds_each_appenders_receipt(
    store: LogStore, signer: NoteSigner, clock: ManualClock
) -> None:
    view = LogView(store)
    seq = Sequencer(store=store, signer=signer, clock=clock, receipts=view)
    first = seq.append_batch(entries(700))
    again = seq.append_batch([b"new", b"entry 3", b"new", b"entry 699"])
    only_old = seq.append_batch([b"entry 5"])
    for a in [*first, *again, *only_old]:
        assert a.receipt is not None
        assert a.receipt == view.receipt(a.index, a.checkpoint.size)
    assert [(a.index, a.duplicate) for a in again] == [
        (700, False),
        (3, True),
        (700, False),
        (699, True),
    ]
    assert only_old[0].checkpoint.size == 701
    verify_tlog_proof(again[1].receipt or b"", entry=b"entry 3", log_verifier=signer.verifier())


def test_without_a_view_there_is_no_receipt(
    store: LogStore, signer: NoteSigner, clock: ManualClock
) -> None:
    seq = Sequencer(store=store, signer=signer, clock=clock)
    assert seq.append_batch([b"a"])[0].receipt is None


def test_asyncio_appenders_each_get_their_receipt() -> None:
    store, _, signer = new_log()
    view = LogView(store)
    seq = Sequencer(
        store=store, signer=signer, clock=ManualClock(datetime(2020, 1, 1, tzinfo=UTC)),
        period=0.01, receipts=view,
    ).start()  # fmt: skip

    async def one(e: bytes, wrapped: bool) -> Appended:
        if wrapped:
            return await asyncio.wrap_future(seq.submit(e))
        return await seq.submit_async(e)

    async def run() -> list[Appended]:
        return await asyncio.gather(*(one(e, n % 2 == 0) for n, e in enumerate(entries(500))))

    done = asyncio.run(run())
    seq.close()
    assert sorted(a.index for a in done) == list(range(500))
    assert len({a.checkpoint.size for a in done}) < 500  # pooled into batches
    for e, a in zip(entries(500), done, strict=True):
        assert a.receipt is not None
        verify_tlog_proof(a.receipt, entry=e, log_verifier=signer.verifier())


def test_a_submit_cancelled_before_its_batch_is_left_out() -> None:
    store, _, signer = new_log()
    seq = Sequencer(
        store=store, signer=signer, clock=ManualClock(datetime(2020, 1, 1, tzinfo=UTC)),
        period=0.2,
    ).start()  # fmt: skip
    gone = seq.submit(b"cancelled")
    assert gone.cancel()

    async def run() -> Appended:
        dropped = seq.submit_async(b"cancelled too")
        dropped.cancel()
        return await seq.submit_async(b"kept")

    kept = asyncio.run(run())
    assert seq.append(b"after", timeout=10).index == 1
    seq.close()
    assert kept.index == 0
    assert LogView(store).entries(0, 2) == [b"kept", b"after"]


def test_a_failed_batch_fails_every_kind_of_waiter() -> None:
    store, _, signer = new_log()
    seq = Sequencer(
        store=store, signer=signer, clock=ManualClock(datetime(2020, 1, 1, tzinfo=UTC)),
        period=0.05,
    ).start()  # fmt: skip
    broken = threading.Event()

    def fail(*_: object) -> None:
        if not broken.is_set():
            broken.set()
            raise ValidationError("watcher says no")

    seq.watch(fail)

    async def run() -> list[BaseException | Appended]:
        futs = [seq.submit_async(b"x"), asyncio.wrap_future(seq.submit(b"y"))]
        return await asyncio.gather(*futs, return_exceptions=True)

    got = asyncio.run(run())
    assert all(isinstance(g, ValidationError) for g in got), got
    assert seq.append(b"z", timeout=10).index >= 0  # the sequencer goes on
    seq.close()


def test_submit_async_needs_a_running_loop() -> None:
    _, seq, _ = new_log()
    with pytest.raises(RuntimeError):
        seq.submit_async(b"x")
