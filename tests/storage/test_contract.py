"""One contract every store must keep; runs against each backend."""

from __future__ import annotations

import pytest

from depositary.errors import ConflictError
from depositary.storage.base import LogStore, StoredCheckpoint


def cp(size: int, note: bytes = b"n") -> StoredCheckpoint:
    return StoredCheckpoint(size=size, timestamp_ms=1000 + size, note=note + str(size).encode())


def test_a_new_store_is_empty(store: LogStore) -> None:
    assert store.checkpoint() is None
    assert store.checkpoint_at(0) is None
    assert list(store.checkpoints()) == []
    assert store.read_tiles([(0, 0)]) == {}
    assert store.read_bundles([0]) == {}
    assert store.lookup([b"\0" * 32]) == {}
    assert store.get_meta("origin") is None


def test_writes_become_visible_on_commit(store: LogStore) -> None:
    with store.writer() as w:
        w.write_tiles({(0, 0): b"a" * 64, (1, 0): b"b" * 32})
        w.write_bundles({0: b"\x00\x01x"})
        w.write_index([(b"h" * 32, 0), (b"i" * 32, 1)])
        w.set_meta("origin", "example.com/log")
        w.replace_checkpoint(None, cp(2))
        assert w.checkpoint() == cp(2)
    assert store.read_tiles([(0, 0), (1, 0), (2, 0)]) == {(0, 0): b"a" * 64, (1, 0): b"b" * 32}
    assert store.read_bundles([0, 1]) == {0: b"\x00\x01x"}
    assert store.lookup([b"h" * 32, b"i" * 32, b"j" * 32]) == {b"h" * 32: 0, b"i" * 32: 1}
    assert store.get_meta("origin") == "example.com/log"
    assert store.checkpoint() == cp(2)
    assert store.checkpoint_at(2) == cp(2)


def test_tiles_and_bundles_widen_in_place(store: LogStore) -> None:
    with store.writer() as w:
        w.write_tiles({(0, 0): b"a" * 32})
        w.write_bundles({0: b"\x00\x00"})
    with store.writer() as w:
        w.write_tiles({(0, 0): b"a" * 96})
        w.write_bundles({0: b"\x00\x00\x00\x00"})
    assert store.read_tiles([(0, 0)]) == {(0, 0): b"a" * 96}
    assert store.read_bundles([0]) == {0: b"\x00\x00\x00\x00"}


def test_the_index_keeps_the_first_index_of_a_hash(store: LogStore) -> None:
    with store.writer() as w:
        w.write_index([(b"h" * 32, 3)])
    with store.writer() as w:
        w.write_index([(b"h" * 32, 9)])
    assert store.lookup([b"h" * 32]) == {b"h" * 32: 3}


def test_an_error_inside_the_writer_rolls_everything_back(store: LogStore) -> None:
    with store.writer() as w:
        w.replace_checkpoint(None, cp(1))
    with pytest.raises(RuntimeError), store.writer() as w:
        w.write_tiles({(0, 0): b"x" * 32})
        w.replace_checkpoint(cp(1), cp(2))
        raise RuntimeError("crash before commit")
    assert store.read_tiles([(0, 0)]) == {}
    assert store.checkpoint() == cp(1)
    assert store.checkpoint_at(2) is None


def test_compare_and_swap_refuses_a_stale_checkpoint(store: LogStore) -> None:
    with store.writer() as w:
        w.replace_checkpoint(None, cp(1))
    with store.writer() as w:
        w.replace_checkpoint(cp(1), cp(2))
    with pytest.raises(ConflictError), store.writer() as w:
        w.write_bundles({5: b"lost"})
        w.replace_checkpoint(cp(1), cp(3))
    with pytest.raises(ConflictError), store.writer() as w:
        w.replace_checkpoint(None, cp(3))
    with pytest.raises(ConflictError), store.writer() as w:
        w.replace_checkpoint(cp(2, b"other"), cp(3))
    assert store.checkpoint() == cp(2)
    assert store.read_bundles([5]) == {}


def test_checkpoints_are_kept_by_increasing_size(store: LogStore) -> None:
    prev = None
    for size in (1, 5, 3 + 4, 300):
        with store.writer() as w:
            w.replace_checkpoint(prev, cp(size))
        prev = cp(size)
    assert [c.size for c in store.checkpoints()] == [1, 5, 7, 300]
    assert store.checkpoint_at(5) == cp(5)


def test_reads_handle_more_keys_than_one_query_takes(store: LogStore) -> None:
    hashes = [i.to_bytes(32, "big") for i in range(1300)]
    with store.writer() as w:
        w.write_index([(h, i) for i, h in enumerate(hashes)])
        w.write_tiles({(0, i): b"t" * 32 for i in range(1100)})
    assert len(store.lookup(hashes)) == 1300
    assert len(store.read_tiles([(0, i) for i in range(1200)])) == 1100
