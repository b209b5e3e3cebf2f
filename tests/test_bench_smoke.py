"""The log benchmarks still run (tiny sizes); no timing is checked here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_log.py"


def test_bench_log_quick_prints_its_table() -> None:
    out = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    for goal in ("1 append", "2 concurrent", "3 proof", "4 audit", "5 memory"):
        assert goal in out.stdout
    assert "pymerkle 7.0" in out.stdout
    assert "ratio" in out.stdout


def test_bench_service_quick_prints_its_table() -> None:
    script = BENCH.parent / "bench_service.py"
    out = subprocess.run(
        [sys.executable, str(script), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    for row in ("PyNaCl verify alone", "signatures alone", "blocking threads", "asyncio",
                "prepare workers", "1 blocking submitter"):  # fmt: skip
        assert row in out.stdout
