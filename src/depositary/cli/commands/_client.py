"""What the client commands share: the server option, ``--json``, key and output helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
import httpx2
from rich.console import Console

from depositary.client.http import DEFAULT_SERVER, DepositaryClient, Submitted
from depositary.client.keys import read_key
from depositary.crypto.ed25519 import Signer

F = TypeVar("F", bound=Callable[..., Any])

_transport: httpx2.BaseTransport | None = None


def use_transport(transport: httpx2.BaseTransport | None) -> None:
    """Send every client command through ``transport`` (tests, embedding); None: the network."""
    global _transport  # noqa: PLW0603 - one process-wide seam, set by tests only
    _transport = transport


def connect(server: str, token: str | None = None) -> DepositaryClient:
    return DepositaryClient(server, token=token, transport=_transport)


def server_option(f: F) -> F:
    return click.option(
        "--server",
        envvar="DEPOSITARY_SERVER",
        default=DEFAULT_SERVER,
        show_default=True,
        help="The depositary's URL (or set DEPOSITARY_SERVER).",
    )(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")(f)


KeyPath = click.Path(dir_okay=False, path_type=Path)


def key_option(*, multiple: bool = False, required: bool = True) -> Callable[[F], F]:
    help_text = "Your private key file (from depositary keygen)" + (
        "; repeatable." if multiple else "."
    )
    return click.option(
        "--key", "keys" if multiple else "key", type=KeyPath, multiple=multiple,
        required=required, help=help_text,
    )  # fmt: skip


def signers(paths: Sequence[Path]) -> list[Signer]:
    return [read_key(p) for p in paths]


def now() -> datetime:
    """The client's clock, in whole seconds (what an act or request may claim)."""
    return datetime.now(UTC).replace(microsecond=0)


def console() -> Console:
    """Rich output for people; wide when piped, so ids and indexes stay on one line."""
    out = Console(highlight=False)
    return out if out.is_terminal else Console(highlight=False, width=160)


def emit_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))


def write_receipt(sub: Submitted, path: Path) -> None:
    path.write_bytes(sub.receipt)


def show_submitted(
    sub: Submitted, *, receipt_path: Path, entry_path: Path | None, vkey: str | None
) -> None:
    """The readable answer to an accepted act."""
    out = console()
    out.print(f"[bold green]recorded[/] {sub.act_id} in case {sub.case_id} at log index "
              f"[bold]{sub.index}[/] (received {sub.received_at})")  # fmt: skip
    out.print(f"  receipt: {receipt_path}")
    ev = ", ".join(str(i) for i in sub.evidence) or "none"
    out.print(f"  evidence appended with it at log indexes: {ev}")
    if entry_path is not None and vkey:
        out.print("  check it offline:")
        click.echo(  # plain, never wrapped: to copy and paste
            f"    depositary verify receipt --vkey '{vkey}' --entry {entry_path} {receipt_path}"
        )
