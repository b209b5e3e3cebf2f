"""A sequencer process on a shared PostgreSQL log, for the multi-process tests.

Usage: python -m tests.storage.pg_writer URL KEYFILE ACKFILE NAME [options]

Opens the store, creates ``--ready`` (a file), waits for ``--go`` (a file)
to exist, then appends batches of unique entries through its own
``Sequencer`` until ``--batches`` are done or ``--stop`` (a file) exists.
After each acknowledged batch it appends one line per entry, ``index
hex-entry``, to ACKFILE and fsyncs it, so ACKFILE lists exactly what the log
acknowledged (perhaps with a torn last line, if killed).

With ``--stall MARKER`` it appends one batch, then begins a second and, with
every row of that batch written but not committed (holding the write
section), creates MARKER and sleeps until it is killed.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from depositary.clock import SystemClock
from depositary.encoding.note import NoteSigner
from depositary.log.sequencer import Sequencer
from depositary.storage.base import LogWriter, StoredCheckpoint
from depositary.storage.postgres import PostgresStore


class _StallingWriter:
    def __init__(self, inner: LogWriter, marker: Path) -> None:
        self._inner = inner
        self._marker = marker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def replace_checkpoint(self, old: StoredCheckpoint | None, new: StoredCheckpoint) -> None:
        self._inner.replace_checkpoint(old, new)
        self._marker.write_text(str(new.size))
        while True:
            time.sleep(1)


class _StallingStore(PostgresStore):
    marker: Path | None = None

    @contextmanager
    def writer(self) -> Iterator[LogWriter]:
        with super().writer() as w:
            yield w if self.marker is None else _StallingWriter(w, self.marker)  # type: ignore[misc]


def _wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(0.01)


def _batch(rng: random.Random, name: str, n: int, max_batch: int) -> list[bytes]:
    return [f"{name} e{n + i} {rng.random()}".encode() for i in range(rng.randint(1, max_batch))]


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("keyfile", type=Path)
    p.add_argument("ackfile", type=Path)
    p.add_argument("name")
    p.add_argument("--ready", type=Path, help="created once the store is open")
    p.add_argument("--go", type=Path)
    p.add_argument("--stop", type=Path)
    p.add_argument("--batches", type=int, default=0, help="0: until stopped or killed")
    p.add_argument("--max-batch", type=int, default=50)
    p.add_argument("--stall", type=Path)
    args = p.parse_args(argv)
    rng = random.Random(args.name)
    signer = NoteSigner.from_skey(args.keyfile.read_text(encoding="utf-8").strip())
    store = _StallingStore(args.url)
    seq = Sequencer(store=store, signer=signer, clock=SystemClock())
    if args.ready is not None:
        args.ready.touch()
    if args.go is not None:
        _wait_for(args.go)
    n = done_batches = 0
    with args.ackfile.open("a", encoding="ascii") as ack:
        while args.batches == 0 or done_batches < args.batches:
            if args.stop is not None and args.stop.exists():
                break
            if args.stall is not None and done_batches == 1:
                store.marker = args.stall
            batch = _batch(rng, args.name, n, args.max_batch)
            n += len(batch)
            done = seq.append_batch(batch)
            ack.write("".join(f"{a.index} {e.hex()}\n" for a, e in zip(done, batch, strict=True)))
            ack.flush()
            os.fsync(ack.fileno())
            done_batches += 1
    store.close()


if __name__ == "__main__":
    main()
