"""The sequencer: batching, durability, idempotence, concurrency, monotonic time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depositary.clock import ManualClock
from depositary.encoding.checkpoint import open_checkpoint
from depositary.encoding.note import NoteSigner
from depositary.encoding.tiles import tiles_for_size
from depositary.encoding.tlog_proof import verify_tlog_proof
from depositary.errors import CorruptionError, ValidationError
from depositary.log.reader import LogView
from depositary.log.sequencer import Sequencer
from depositary.merkle.hashing import HASH_SIZE
from depositary.merkle.verify import verify_consistency
from depositary.storage.base import LogStore
from depositary.storage.memory import MemoryStore
from depositary.storage.sqlite import SQLiteStore
from tests import reference_merkle as ref


def entries(n: int, prefix: str = "entry") -> list[bytes]:
    return [f"{prefix} {i}".encode() for i in range(n)]


def test_a_batch_gets_consecutive_indexes_and_a_signed_checkpoint(
    store: LogStore, signer: NoteSigner, clock: ManualClock
) -> None:
    seq = Sequencer(store=store, signer=signer, clock=clock)
    data = entries(300)
    done = seq.append_batch(data)
    assert [a.index for a in done] == list(range(300))
    signed = open_checkpoint(done[0].checkpoint.note, signer.verifier())
    assert signed.checkpoint.size == 300
    assert signed.checkpoint.root_hash == ref.mth(data)
    assert done[0].checkpoint.timestamp_ms == int(clock.now().timestamp() * 1000)


def test_appending_the_same_bytes_returns_the_original_index(
    store: LogStore, signer: NoteSigner, clock: ManualClock
) -> None:
    seq = Sequencer(store=store, signer=signer, clock=clock)
    seq.append_batch([b"a", b"b"])
    done = seq.append_batch([b"c", b"a", b"c", b"d"])
    assert [(a.index, a.duplicate) for a in done] == [(2, False), (0, True), (2, False), (3, False)]
    again = seq.append_batch([b"d"])
    assert again[0].index == 3
    assert again[0].duplicate
    assert again[0].checkpoint.size == 4
    assert LogView(store).entries(0, 4) == [b"a", b"b", b"c", b"d"]


def test_an_oversized_entry_is_refused_and_nothing_is_appended(
    store: LogStore, signer: NoteSigner, clock: ManualClock
) -> None:
    seq = Sequencer(store=store, signer=signer, clock=clock)
    with pytest.raises(ValidationError, match="65535"):
        seq.append_batch([b"ok", b"x" * 65536])
    assert store.checkpoint() is None
    assert seq.append_batch([b"x" * 65535])[0].index == 0


@settings(max_examples=25, deadline=None)
@given(batches=st.lists(st.integers(1, 700), min_size=1, max_size=6))
def test_any_split_into_batches_gives_the_reference_tree(batches: list[int]) -> None:
    store = MemoryStore()
    seq = Sequencer(
        store=store, signer=NoteSigner.generate("t.example/log"),
        clock=ManualClock(datetime(2020, 1, 1, tzinfo=UTC)),
    )  # fmt: skip
    data = entries(sum(batches))
    pos = 0
    for n in batches:
        seq.append_batch(data[pos : pos + n])
        pos += n
    view = LogView(store)
    assert view.root(len(data)) == ref.mth(data)
    # every stored tile has exactly the width tlog-tiles gives for this size
    want = {(lvl, idx): w for lvl, idx, w in tiles_for_size(len(data))}
    got = store.read_tiles(list(want))
    assert {k: len(v) // HASH_SIZE for k, v in got.items()} == want
    for size in {1, len(data) // 2 or 1, len(data)}:
        for index in {0, size // 3, size - 1}:
            assert view.inclusion_proof(index, size) == ref.path(index, data[:size])
    assert view.entries(0, len(data)) == data


def test_every_checkpoint_signed_is_consistent_with_the_last(
    store: LogStore, signer: NoteSigner, clock: ManualClock
) -> None:
    seq = Sequencer(store=store, signer=signer, clock=clock)
    for n in (1, 255, 1, 300, 7):
        seq.append_batch(entries(n, prefix=f"b{n}"))
    view = LogView(store)
    last = open_checkpoint(store.checkpoint().note, signer.verifier()).checkpoint  # type: ignore[union-attr]
    for stored in store.checkpoints():
        old = open_checkpoint(stored.note, signer.verifier()).checkpoint
        verify_consistency(
            old_size=old.size, new_size=last.size, old_root=old.root_hash,
            new_root=last.root_hash, proof=view.consistency_proof(old.size, last.size),
        )  # fmt: skip


class BackwardsClock:
    def __init__(self) -> None:
        self.t = datetime(2021, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        self.t = self.t.replace(year=self.t.year - 1)
        return self.t


def test_checkpoint_times_never_go_backwards(store: LogStore, signer: NoteSigner) -> None:
    seq = Sequencer(store=store, signer=signer, clock=BackwardsClock())
    for i in range(4):
        seq.append_batch([f"{i}".encode()])
    stamps = [c.timestamp_ms for c in store.checkpoints()]
    assert stamps == sorted(stamps)


def test_concurrent_appenders_get_unique_indexes_and_valid_receipts(
    store: LogStore, signer: NoteSigner, clock: ManualClock
) -> None:
    seq = Sequencer(store=store, signer=signer, clock=clock, period=0.01).start()
    view = LogView(store)
    results: dict[bytes, int] = {}
    lock = threading.Lock()

    def worker(w: int) -> None:
        for i in range(100):
            e = f"w{w} {i}".encode()
            a = seq.append(e, timeout=30)
            with lock:
                results[e] = a.index
            assert a.checkpoint.size > a.index

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seq.close()
    assert sorted(results.values()) == list(range(800))
    for e, i in list(results.items())[::37]:
        verify_tlog_proof(view.receipt(i), entry=e, log_verifier=signer.verifier())
    assert len(list(store.checkpoints())) < 800  # appends were pooled into batches


def test_two_sequencers_on_one_store_never_fork(tmp_path, signer: NoteSigner, clock) -> None:  # type: ignore[no-untyped-def]
    a = Sequencer(store=SQLiteStore(str(tmp_path / "l.sqlite")), signer=signer, clock=clock)
    b = Sequencer(store=SQLiteStore(str(tmp_path / "l.sqlite")), signer=signer, clock=clock)
    seen: list[int] = []
    for i in range(20):
        seq = a if i % 3 else b
        seen += [x.index for x in seq.append_batch(entries(i + 1, prefix=f"r{i}"))]
    assert sorted(seen) == list(range(len(seen)))
    view = LogView(a.store)
    data = view.entries(0, len(seen))
    assert view.root(len(seen)) == ref.mth(data)


def test_a_corrupted_edge_tile_stops_the_sequencer(tmp_path, signer, clock) -> None:  # type: ignore[no-untyped-def]
    store = SQLiteStore(str(tmp_path / "l.sqlite"))
    Sequencer(store=store, signer=signer, clock=clock).append_batch(entries(10))
    with store.writer() as w:
        w.write_tiles({(0, 0): b"\x00" * 32 * 10})
    fresh = Sequencer(store=store, signer=signer, clock=clock)
    with pytest.raises(CorruptionError, match="root"):
        fresh.append_batch([b"more"])
    assert store.checkpoint().size == 10  # type: ignore[union-attr]


def test_a_pooled_append_of_a_bad_entry_fails_alone(store, signer, clock) -> None:  # type: ignore[no-untyped-def]
    seq = Sequencer(store=store, signer=signer, clock=clock, period=0.01).start()
    with pytest.raises(ValidationError):
        seq.submit(b"x" * 70000)
    assert seq.append(b"fine", timeout=10).index == 0
    seq.close()
    with pytest.raises(ValidationError, match="closed"):
        seq.submit(b"late")
