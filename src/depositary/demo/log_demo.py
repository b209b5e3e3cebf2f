"""The log demo: create a log, append sample entries, publish tiles, verify offline.

Every check here goes through the same code a third party would run: the
receipt and the tiles are verified with nothing but the verifier key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from depositary.encoding.note import Ed25519Verifier
from depositary.encoding.tlog_proof import verify_tlog_proof
from depositary.log.audit import DirectorySource, audit
from depositary.service.log_dir import LogDir

ORIGIN = "demo.depositary.example/log"

# Paraphrased summaries of the January 2020 sequence (see docs/demo.md).
SAMPLE_ENTRIES = [
    b"2020-01-05 Iraq/Council of Representatives: resolution asking the government to end "
    b"the presence of foreign forces (170 in favour, 0 against)",
    b"2020-01-09 Iraq/Prime Minister: asks the United States to send delegates to set up a "
    b"mechanism for the withdrawal of its forces",
    b"2020-01-10 United States/State Department: any delegation would discuss the force "
    b"posture, not withdrawal",
    b"2020-01-12 Iraq: notice withdrawing consent to the presence of foreign forces",
]


def run_log_demo(workdir: Path, *, echo: Callable[[str], object]) -> None:
    """Run the log demo in ``workdir``, reporting each step through ``echo``."""
    log_path, tiles_path = workdir / "log", workdir / "tiles"
    with LogDir.create(log_path, ORIGIN) as lg:
        echo(f"created a log in {log_path}\n  verifier key: {lg.vkey}")
        done = lg.append(SAMPLE_ENTRIES)
        for a in done:
            echo(f"  appended entry {a.index}")
        lg.sync_tiles(tiles_path)
        receipt = lg.view.receipt(done[-1].index)
        vkey = lg.vkey
    receipt_path = workdir / f"{done[-1].index}.tlog-proof"
    receipt_path.write_bytes(receipt)
    entry_path = workdir / "entry.txt"
    entry_path.write_bytes(SAMPLE_ENTRIES[-1])
    echo(f"published tiles in {tiles_path}")
    verifier = Ed25519Verifier.from_vkey(vkey)
    signed = verify_tlog_proof(receipt, entry=SAMPLE_ENTRIES[-1], log_verifier=verifier)
    echo(f"receipt {receipt_path.name} verified offline at tree size {signed.checkpoint.size}")
    audited = audit(DirectorySource(tiles_path), verifier)
    echo(f"all {audited.checkpoint.size} entries re-verified from the tiles")
    echo(
        "verify it yourself:\n"
        f"  depositary verify receipt --vkey {vkey} --entry {entry_path} {receipt_path}\n"
        f"  depositary verify tiles --vkey {vkey} {tiles_path}"
    )
