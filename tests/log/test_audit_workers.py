"""The audit with worker processes finds and names exactly what it finds alone."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from depositary.clock import ManualClock
from depositary.encoding.checkpoint import Checkpoint, sign_checkpoint
from depositary.encoding.note import NoteSigner
from depositary.errors import DepositaryError
from depositary.log import audit as audit_mod
from depositary.log.audit import DirectorySource, audit
from depositary.log.reader import LogView
from depositary.log.sequencer import Sequencer
from depositary.log.tiles_dir import sync_tiles
from depositary.storage.memory import MemoryStore

SIZES = (300, 512, 1000, 2560, 3333)  # checkpoints inside tiles and at tile ends


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers from 2 full tiles on, 3 tiles a task: small logs cross many chunks."""
    monkeypatch.setattr(audit_mod, "PARALLEL_FROM", 2)
    monkeypatch.setattr(audit_mod, "CHUNK_TILES", 3)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, NoteSigner, list[bytes]]:
    signer = NoteSigner.generate("workers.example/log")
    store = MemoryStore()
    seq = Sequencer(store=store, signer=signer, clock=ManualClock(datetime(2020, 1, 1, tzinfo=UTC)))
    notes, done = [], 0
    for size in SIZES:
        got = seq.append_batch([f"entry {i}".encode() for i in range(done, size)])
        notes.append(got[0].checkpoint.note)
        done = size
    tiles = tmp_path_factory.mktemp("workers") / "tiles"
    sync_tiles(LogView(store), tiles)
    return tiles, signer, notes


def outcome(tiles: Path, signer: NoteSigner, earlier: list[bytes], workers: int) -> str:
    try:
        signed = audit(DirectorySource(tiles), signer.verifier(), earlier=earlier, workers=workers)
    except DepositaryError as e:
        return f"{type(e).__name__}: {e}"
    return f"ok at {signed.checkpoint.size}"


def damaged(src: Path, dst: Path, harm: Callable[[Path], None]) -> Path:
    shutil.copytree(src, dst)
    harm(dst)
    return dst


def flip(path: str, offset: int) -> Callable[[Path], None]:
    def harm(root: Path) -> None:
        f = root / path
        data = bytearray(f.read_bytes())
        data[offset] ^= 0x01
        f.write_bytes(bytes(data))

    return harm


def test_a_clean_log_verifies_with_every_earlier_checkpoint(built) -> None:  # type: ignore[no-untyped-def]
    tiles, signer, notes = built
    seen: list[int] = []
    signed = audit(
        DirectorySource(tiles), signer.verifier(), earlier=notes[:-1],
        progress=lambda done, _total: seen.append(done), workers=2,
    )  # fmt: skip
    assert signed.checkpoint.size == 3333
    assert seen == sorted(seen)
    assert seen[-1] == 3333


def test_a_wrong_earlier_checkpoint_is_named_alike(built) -> None:  # type: ignore[no-untyped-def]
    tiles, signer, _ = built
    for size in (512, 1000, 2560):
        forged = sign_checkpoint(
            Checkpoint(origin=signer.name, size=size, root_hash=bytes(32)), signer
        )
        alone = outcome(tiles, signer, [forged], workers=1)
        assert f"checkpoint at size {size} has root" in alone
        assert outcome(tiles, signer, [forged], workers=2) == alone


@pytest.mark.parametrize(
    "harm",
    [
        flip("tile/entries/004", 700),  # an entry's bytes, in a worker's tile
        flip("tile/entries/010", 5),
        flip("tile/0/001", 32 * 7 + 1),  # a leaf hash
        flip("tile/0/009", 32 * 255),
        flip("tile/1/000.p/13", 32 * 6),  # a level-1 hash
        flip("tile/0/013.p/5", 0),  # the partial tile, checked alone
        lambda root: (root / "tile/entries/007").unlink(),
        lambda root: (root / "tile/0/002").unlink(),
        lambda root: (root / "tile/entries/006").write_bytes(b"\x01"),
        lambda root: (root / "tile/entries/003").write_bytes(
            (root / "tile/entries/003").read_bytes()[:-300]
        ),
        lambda root: (flip("tile/entries/011", 9)(root), flip("tile/0/005", 40)(root)),
        lambda root: (flip("tile/0/008", 3)(root), flip("tile/entries/002", 100)(root)),
    ],
)
def test_each_damage_is_named_as_without_workers(built, tmp_path, harm) -> None:  # type: ignore[no-untyped-def]
    tiles, signer, notes = built
    copy = damaged(tiles, tmp_path / "t", harm)
    alone = outcome(copy, signer, notes[:-1], workers=1)
    assert not alone.startswith("ok")
    assert outcome(copy, signer, notes[:-1], workers=2) == alone


def test_the_first_damage_in_log_order_is_the_one_named(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tiles, signer, _ = built
    copy = damaged(tiles, tmp_path / "t", flip("tile/entries/011", 9))
    flip("tile/entries/001", 9)(copy)
    assert outcome(copy, signer, [], workers=2).startswith("CorruptionError: entry 256:")


def test_workers_take_full_tiles_in_chunks_and_leave_the_rest(built) -> None:  # type: ignore[no-untyped-def]
    tiles, _, _ = built
    source = DirectorySource(tiles)
    wanted = {1000: b"", 2560: b"", 3333: b""}
    with audit_mod._FullTiles(source, 3333, wanted, 2) as far:
        assert sorted(far._chunks) == [0, 4, 7, 10]  # tile 3 holds size 1000: not theirs
        for n in range(14):
            got = far.root(n)
            if n in (3, 13):
                assert got is None
            else:
                assert got == audit_mod._full_tile_roots(source, n, n + 1)[0]
    with audit_mod._FullTiles(source, 3333, wanted, 1) as far:
        assert far.root(0) is None


def test_workers_start_safely_from_a_threaded_process(built) -> None:  # type: ignore[no-untyped-def]
    tiles, signer, _ = built
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert audit_mod._context().get_start_method() == "spawn"
        assert outcome(tiles, signer, [], workers=2) == "ok at 3333"
    finally:
        stop.set()
        other.join()
