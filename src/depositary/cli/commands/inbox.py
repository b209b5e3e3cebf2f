"""``depositary inbox``: pull the acts addressed to a party, with a request it signs."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from rich.table import Table

from depositary.cli.commands._client import (
    connect,
    console,
    emit_json,
    json_option,
    key_option,
    now,
    server_option,
)
from depositary.client.keys import read_key
from depositary.records.requests import InboxRequest, sign_request


@click.command()
@click.option("--party", required=True, help="The party whose inbox to pull.")
@key_option()
@server_option
@json_option
def inbox(party: str, key: Path, server: str, as_json: bool) -> None:
    """Pull PARTY's inbox; the first retrieval of each act is recorded as evidence."""
    signer = read_key(key)
    request = InboxRequest(party=party, at=now(), nonce=secrets.token_hex(16))
    with connect(server) as client:
        acts = client.inbox(sign_request(request, signer).to_bytes())
    if as_json:
        emit_json({"party": party, "acts": acts})
        return
    out = console()
    if not acts:
        out.print(f"{party}'s inbox is empty")
        return
    table = Table(title=f"{party}'s inbox: {len(acts)} act(s)")
    for col in ("log index", "act", "kind", "from", "received"):
        table.add_column(col)
    for view in acts:
        act = view.get("act") if isinstance(view.get("act"), dict) else {}
        assert isinstance(act, dict)
        table.add_row(
            str(view.get("index", "")),
            str(act.get("act_id", view.get("act_id", ""))),
            str(act.get("kind", "")),
            ", ".join(act.get("issuers", [])),
            str(view.get("received_at", "")),
        )
    out.print(table)
    out.print("answer with: depositary ack ACT_ID ... or depositary respond ACT_ID --kind ...")
