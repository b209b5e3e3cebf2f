"""PostgreSQL only: several sequencer processes on one log, killed leaders, lost connections.

Every test ends with ``check_log``: each acknowledged entry is where it was
acknowledged, the log has no gap and no duplicate, every signed checkpoint is
consistent with the one before it, and an audit of the whole log passes.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from depositary.clock import ManualClock
from depositary.encoding.checkpoint import open_checkpoint
from depositary.encoding.note import (
    Ed25519Verifier,
    NoteSigner,
)
from depositary.errors import StorageError
from depositary.log.audit import StoreSource, audit
from depositary.log.reader import LogView
from depositary.log.sequencer import Sequencer
from depositary.merkle.hashing import leaf_hash
from depositary.merkle.verify import verify_consistency
from depositary.storage.base import LogWriter, StoredCheckpoint
from depositary.storage.postgres import WRITER_LOCK, PostgresStore
from tests.pg_cluster import plain_url

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "pg.depositary.example/log"
WAIT = 60.0


def read_acks(path: Path) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    if not path.exists():
        return out
    # A process killed while writing leaves a torn last line (no newline), whose
    # hex may still parse: only lines ending in a newline count.
    for line in path.read_text(encoding="ascii").split("\n")[:-1]:
        index, hexed = line.split(" ")
        out[int(index)] = bytes.fromhex(hexed)
    return out


def check_log(url: str, verifier: Ed25519Verifier, acks: dict[int, bytes]) -> int:
    """Check the whole log against what was acknowledged; return its size."""
    store = PostgresStore(url)
    try:
        view = LogView(store)
        head = store.checkpoint()
        size = 0 if head is None else head.size
        assert all(i < size for i in acks), "an acknowledged index is beyond the checkpoint"
        entries = view.entries(0, size)
        assert len(entries) == size, "a gap in the log"
        assert len(set(entries)) == size, "an entry is in the log twice"
        for i, e in acks.items():
            assert entries[i] == e, f"acknowledged entry {i} is {entries[i]!r}, not {e!r}"
        signed = [open_checkpoint(c.note, verifier).checkpoint for c in store.checkpoints()]
        stamps = [c.timestamp_ms for c in store.checkpoints()]
        assert stamps == sorted(stamps), "a checkpoint time went backwards"
        for old, new in itertools.pairwise(signed):
            verify_consistency(
                old_size=old.size, new_size=new.size, old_root=old.root_hash,
                new_root=new.root_hash, proof=view.consistency_proof(old.size, new.size),
            )  # fmt: skip
        if head is not None:
            earlier = [c.note for c in store.checkpoints()]
            assert audit(StoreSource(store), verifier, earlier=earlier).checkpoint.size == size
        return size
    finally:
        store.close()


class Procs:
    """Writer processes of one test, all killed at its end."""

    def __init__(self, tmp: Path, url: str, signer: NoteSigner) -> None:
        self.tmp, self.url = tmp, url
        self.key = tmp / "log.key"
        self.key.write_text(signer.to_skey() + "\n", encoding="utf-8")
        self.go = tmp / "go"
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "tests.storage.pg_writer", self.url, str(self.key)]
        p = subprocess.Popen([*cmd, str(self.ackfile(name)), name, *args], cwd=ROOT, env=env)
        self.procs.append(p)
        return p

    def ackfile(self, name: str) -> Path:
        return self.tmp / f"acks-{name}"

    def acks(self, *names: str) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        for n in names:
            got = read_acks(self.ackfile(n))
            assert not set(got) & set(out), "two writers were acknowledged the same index"
            out.update(got)
        return out

    def wait_for_first_ack(self, name: str, timeout: float = 30.0) -> None:
        """Wait until writer ``name`` has been acknowledged once (it may start slowly
        on a loaded machine), so a kill lands while it is really appending."""
        deadline = time.monotonic() + timeout
        while not read_acks(self.ackfile(name)) and time.monotonic() < deadline:
            time.sleep(0.02)

    def kill_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner.generate(ORIGIN)


@pytest.fixture
def procs(tmp_path: Path, pg_url: str, signer: NoteSigner) -> Iterator[Procs]:
    PostgresStore(pg_url).close()  # migrate once, before the writers race
    ps = Procs(tmp_path, pg_url, signer)
    yield ps
    ps.kill_all()


def wait_for(cond: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.parametrize("n", [2, 3])
def test_concurrent_sequencer_processes_share_one_log(
    procs: Procs, pg_url: str, signer: NoteSigner, n: int
) -> None:
    names = [f"w{i}" for i in range(n)]
    ready = [procs.tmp / f"ready-{name}" for name in names]
    ps = [
        procs.start(name, "--ready", str(r), "--go", str(procs.go), "--batches", "20")
        for name, r in zip(names, ready, strict=True)
    ]
    wait_for(lambda: all(r.exists() for r in ready), "the writers to open the store")
    procs.go.touch()
    for p in ps:
        assert p.wait(WAIT) == 0
    acks = procs.acks(*names)
    size = check_log(pg_url, signer.verifier(), acks)
    assert size == len(acks), "every entry appended was acknowledged to its writer"
    per = [sorted(read_acks(procs.ackfile(name))) for name in names]
    assert all(len(p) > 0 for p in per)
    # the writers took turns: no writer's indexes are all below another's
    assert any(a[0] < b[-1] and b[0] < a[-1] for a in per for b in per if a is not b)


def test_killing_the_leader_mid_batch_hands_over_to_a_waiting_writer(
    procs: Procs, pg_url: str, signer: NoteSigner, tmp_path: Path
) -> None:
    marker = tmp_path / "stalled"
    leader = procs.start("leader", "--stall", str(marker))
    wait_for(marker.exists, "the leader to hold the write section mid-batch")
    other = procs.start("other", "--batches", "5")
    time.sleep(1.0)
    assert read_acks(procs.ackfile("other")) == {}, "a second writer got past the lock"
    assert other.poll() is None
    leader.send_signal(signal.SIGKILL)
    leader.wait()
    assert other.wait(WAIT) == 0
    acks = procs.acks("leader", "other")
    size = check_log(pg_url, signer.verifier(), acks)
    assert size == len(acks)  # the killed leader's second batch left nothing behind
    assert len(read_acks(procs.ackfile("other"))) > 0


def test_a_writer_killed_at_random_moments_while_another_keeps_appending(
    procs: Procs, pg_url: str, signer: NoteSigner, tmp_path: Path
) -> None:
    rng = random.Random(20200105)
    stop = tmp_path / "stop"
    steady = procs.start("steady", "--go", str(procs.go), "--stop", str(stop))
    procs.go.touch()
    kills = 0
    for round_ in range(5):
        ready = tmp_path / f"ready-{round_}"
        victim = procs.start(f"victim{round_}", "--max-batch", "200", "--ready", str(ready))
        wait_for(ready.exists, "a victim to open the store")
        if round_ % 2 == 0:  # some victims die mid-append, the others at any moment
            procs.wait_for_first_ack(f"victim{round_}")
        time.sleep(rng.uniform(0.0, 0.5))
        if victim.poll() is None:
            victim.send_signal(signal.SIGKILL)
            kills += 1
        victim.wait()
    before = len(read_acks(procs.ackfile("steady")))
    wait_for(lambda: len(read_acks(procs.ackfile("steady"))) > before, "the steady writer")
    stop.touch()
    assert steady.wait(WAIT) == 0
    names = ["steady", *(f"victim{r}" for r in range(5))]
    acks = procs.acks(*names)
    check_log(pg_url, signer.verifier(), acks)
    assert kills >= 4
    assert sum(1 for r in range(5) if read_acks(procs.ackfile(f"victim{r}"))) >= 3


def test_sigkill_at_random_moments_loses_no_acknowledged_entry(
    procs: Procs, pg_url: str, signer: NoteSigner
) -> None:
    """The crash test of the SQLite store (tests/log/test_crash.py), on PostgreSQL."""
    rng = random.Random(20200106)
    kills = 0
    names = []
    for round_ in range(10):
        name = f"r{round_}"
        names.append(name)
        proc = procs.start(name, "--max-batch", "300")
        if round_ % 2 == 0:  # some writers die mid-append, the others at any moment
            procs.wait_for_first_ack(name)
        time.sleep(rng.uniform(0.0, 0.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        check_log(pg_url, signer.verifier(), procs.acks(*names))
    assert kills >= 9
    assert len(procs.acks(*names)) > 0


# -- in-process: a connection terminated under a sequencer ------------------


class _HookedWriter:
    def __init__(self, inner: LogWriter, hook: Callable[[], None]) -> None:
        self._inner, self._hook = inner, hook

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def replace_checkpoint(self, old: StoredCheckpoint | None, new: StoredCheckpoint) -> None:
        self._hook()
        self._inner.replace_checkpoint(old, new)


class _HookedStore(PostgresStore):
    hook: Callable[[], None] | None = None

    @contextmanager
    def writer(self) -> Iterator[LogWriter]:
        with super().writer() as w:
            hook = self.hook
            yield w if hook is None else _HookedWriter(w, hook)  # type: ignore[misc]


def _terminate_lock_holder(url: str) -> int:
    """Terminate the backend holding the write section of ``url``'s database."""
    q = (
        "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_database d ON d.oid = "
        "l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = "
        "current_database() AND ((l.classid::bigint << 32) | l.objid::bigint) = %s"
    )
    with psycopg.connect(plain_url(url), autocommit=True) as c:
        return len(c.execute(q, (WRITER_LOCK,)).fetchall())


def _terminate_all_others(url: str) -> None:
    q = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with psycopg.connect(plain_url(url), autocommit=True) as c:
        c.execute(q)


def test_a_connection_terminated_mid_batch_fails_the_append_and_leaves_nothing(
    pg_url: str, signer: NoteSigner, clock: ManualClock
) -> None:
    store = _HookedStore(pg_url)
    seq = Sequencer(store=store, signer=signer, clock=clock)
    first = seq.append_batch([b"a", b"b", b"c"])
    head = store.checkpoint()
    terminated: list[int] = []
    store.hook = lambda: terminated.append(_terminate_lock_holder(pg_url))
    with pytest.raises(StorageError):
        seq.append_batch([b"d", b"e"])
    assert terminated == [1]
    store.hook = None
    assert store.checkpoint() == head
    assert store.lookup([leaf_hash(b"d"), leaf_hash(b"e")]) == {}
    assert LogView(store).entries(0, 3) == [b"a", b"b", b"c"]
    assert store.read_bundles([0]) == {0: b"\x00\x01a\x00\x01b\x00\x01c"}
    done = seq.append_batch([b"d", b"e"])
    assert [a.index for a in done] == [3, 4]
    # idle pooled connections cut off between batches are replaced unnoticed
    _terminate_all_others(pg_url)
    assert [a.index for a in seq.append_batch([b"f"])] == [5]
    assert first[0].checkpoint.size == 3
    store.close()
    check_log(pg_url, signer.verifier(), {i: e.encode() for i, e in enumerate("abcdef")})


def test_an_unreachable_database_is_a_storage_error() -> None:
    with pytest.raises(StorageError):
        PostgresStore("postgresql://nobody@127.0.0.1:1/none")
