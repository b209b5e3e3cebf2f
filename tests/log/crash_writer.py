"""A writer process for the crash test: appends batches and records acknowledgments.

Usage: python -m tests.log.crash_writer LOGDIR ACKFILE SEED
Each acknowledged batch is written to ACKFILE (one "index hex-entry" line per
entry, fsynced) only after ``append`` returned, so ACKFILE lists exactly what
the log acknowledged (and perhaps a torn last line, which the test drops).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from depositary.service.log_dir import LogDir


def main() -> None:
    logdir, ackfile, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    with LogDir(logdir) as lg, ackfile.open("a", encoding="ascii") as ack:
        n = 0
        while True:
            batch = [
                f"s{seed} e{n + i} {rng.random()}".encode() for i in range(rng.randint(1, 300))
            ]
            n += len(batch)
            done = lg.append(batch)
            ack.write("".join(f"{a.index} {e.hex()}\n" for a, e in zip(done, batch, strict=True)))
            ack.flush()
            os.fsync(ack.fileno())


if __name__ == "__main__":
    main()
