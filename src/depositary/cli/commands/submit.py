"""``depositary submit``: send a signed envelope; get its index, receipt and evidence."""

from __future__ import annotations

from pathlib import Path

import click

from depositary.cli.commands._client import (
    connect,
    emit_json,
    json_option,
    server_option,
    show_submitted,
)
from depositary.client.drafts import load_envelope

OutPath = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.argument("envelope_file", metavar="ENVELOPE", type=OutPath)
@click.option("--case", "case_id", required=True, help="The case the act belongs to.")
@click.option("--receipt-out", type=OutPath, help="Where to write the receipt "
              "(default: <act id>.tlog-proof next to ENVELOPE).")  # fmt: skip
@server_option
@json_option
def submit(
    envelope_file: Path, case_id: str, receipt_out: Path | None, server: str, as_json: bool
) -> None:
    """Submit a signed ENVELOPE to CASE; write and show its receipt."""
    envelope = load_envelope(envelope_file)
    act_id = envelope.act().act_id
    with connect(server) as client:
        sub = client.submit(case_id, envelope.to_bytes())
        vkey = str(client.log_info().get("log_vkey", ""))
    receipt_path = receipt_out or envelope_file.with_name(f"{act_id}.tlog-proof")
    receipt_path.write_bytes(sub.receipt)
    if as_json:
        emit_json({**sub.to_dict(), "receipt_file": str(receipt_path), "log_vkey": vkey})
        return
    show_submitted(sub, receipt_path=receipt_path, entry_path=envelope_file, vkey=vkey)
