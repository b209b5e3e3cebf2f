"""Kill a writer with SIGKILL at random moments; nothing acknowledged is ever lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from depositary.encoding.checkpoint import open_checkpoint
from depositary.log.audit import StoreSource, audit
from depositary.merkle.verify import verify_consistency
from depositary.service.log_dir import LogDir

ROOT = Path(__file__).resolve().parents[2]


def _acks(path: Path) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    # only whole lines count: the last piece is "" or a line torn by the kill
    for line in path.read_text(encoding="ascii").split("\n")[:-1]:
        parts = line.split(" ")
        if len(parts) == 2 and parts[1]:
            try:
                out[int(parts[0])] = bytes.fromhex(parts[1])
            except ValueError:
                continue  # a torn last line, written while being killed
    return out


def test_sigkill_at_random_moments_loses_no_acknowledged_entry(tmp_path: Path) -> None:
    rng = random.Random(20200105)
    LogDir.create(tmp_path / "log", "crash.example/log").close()
    ackfile = tmp_path / "acks"
    ackfile.touch()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    kills = 0
    for round_ in range(12):
        acked_before = len(_acks(ackfile))
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.log.crash_writer", str(tmp_path / "log"),
             str(ackfile), str(round_)],
            cwd=ROOT, env=env,
        )  # fmt: skip
        if round_ % 2 == 0:  # some writers die mid-append, the others at any moment
            deadline = time.monotonic() + 30
            while len(_acks(ackfile)) <= acked_before and time.monotonic() < deadline:
                time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        acked = _acks(ackfile)
        with LogDir(tmp_path / "log") as lg:
            head = lg.view.checkpoint() if lg.store.checkpoint() else None
            size = 0 if head is None else head.size
            assert all(i < size for i in acked), "an acknowledged index is beyond the checkpoint"
            stored_entries = lg.view.entries(0, size) if size else []
            for i, e in acked.items():
                assert stored_entries[i] == e, f"acknowledged entry {i} changed"
            if head is None:
                continue
            new = open_checkpoint(head.note, lg.verifier).checkpoint
            signed = list(lg.store.checkpoints())
            for stored in [signed[0], *rng.sample(signed, min(25, len(signed))), signed[-1]]:
                old = open_checkpoint(stored.note, lg.verifier).checkpoint
                verify_consistency(
                    old_size=old.size, new_size=new.size, old_root=old.root_hash,
                    new_root=new.root_hash, proof=lg.view.consistency_proof(old.size, new.size),
                )  # fmt: skip
    assert kills >= 10
    assert len(_acks(ackfile)) > 0
    with LogDir(tmp_path / "log") as lg:
        earlier = [c.note for c in lg.store.checkpoints()]
        assert audit(StoreSource(lg.store), lg.verifier, earlier=earlier).checkpoint.size >= len(
            _acks(ackfile)
        )
