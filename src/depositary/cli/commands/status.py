"""``depositary status``: what a case stands at, as of any date, derived from the log."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.table import Table

from depositary.cli.commands._client import (
    connect,
    console,
    emit_json,
    json_option,
    server_option,
)


def _when(value: object) -> str:
    text = str(value or "")
    return text.replace("T", " ").removesuffix(":00Z").removesuffix("Z") if text else "-"


def _history(view: dict[str, Any]) -> str:
    history = view.get("history", [])
    lines = [f"[bold]{view.get('state', '-')}[/]"]
    for h in history[1:] if len(history) > 1 else []:
        cause = f" ({h['cause']})" if h.get("cause") else ""
        lines.append(f"{_when(h.get('from'))} {h.get('state')}{cause}")
    return "\n".join(lines)


def _deadline_state(d: dict[str, Any]) -> str:
    if d.get("met_by"):
        return f"met by {d['met_by']}"
    return "[bold red]OVERDUE[/]" if d.get("overdue") else "open"


def _presences(data: dict[str, Any]) -> Table:
    table = Table(title="Foreign presences: the host's view and the sending party's view")
    for col in ("presence", "host view", "sending view", "disputed"):
        table.add_column(col)
    for p in data.get("presences", []):
        table.add_row(
            f"{p.get('presence_id')}\n({p.get('sending')} in {p.get('host')})",
            _history(p.get("host_view", {})),
            _history(p.get("sending_view", {})),
            "yes" if p.get("disputed") else "no",
        )
    return table


def _acts(data: dict[str, Any]) -> Table:
    table = Table(title="Formal acts")
    for col in ("act", "kind", "received", "answered by"):
        table.add_column(col)
    for a in data.get("acts", []):
        why = a.get("inoperative_because")
        note = "" if a.get("operative", True) else f"\n(inoperative: {why})"
        table.add_row(
            f"{a.get('act_id')}{note}",
            str(a.get("kind")),
            _when(a.get("received_at")),
            "\n".join(a.get("responses", [])) or "-",
        )
    return table


def _timelines(data: dict[str, Any]) -> tuple[Table, Table]:
    deadlines = Table(title="Deadlines")
    for col in ("act", "party", "due", "state"):
        deadlines.add_column(col)
    clocks = Table(title="Notices: receipt and effect, per addressee and instrument")
    for col in ("notice", "addressee", "instrument", "state", "received", "effective"):
        clocks.add_column(col)
    for a in data.get("acts", []):
        for d in a.get("deadlines", []):
            due = (d.get("due") or {}).get("date", "?")
            deadlines.add_row(a.get("act_id"), d.get("party"), due, _deadline_state(d))
        for c in a.get("clocks", []):
            receipt = c.get("receipt") or {}
            got = f"{_when(receipt.get('at'))} ({receipt.get('route')})" if receipt else "-"
            effective = c.get("effective") or {}
            eff = effective.get("date") or "-"
            if effective.get("rule"):
                eff = f"{eff} ({effective['rule']})"
            clocks.add_row(a.get("act_id"), c.get("addressee"), c.get("instrument"),
                           c.get("state"), got, eff)  # fmt: skip
    return deadlines, clocks


def render(out: Console, data: dict[str, Any]) -> None:
    """The status as people read it: presences first, then acts, reported statements apart."""
    out.print(f"[bold]case {data.get('case_id')}[/] as of {_when(data.get('as_of'))} UTC")
    out.print(_presences(data))
    out.print(_acts(data))
    for table in _timelines(data):
        if table.row_count:
            out.print(table)
    reported = data.get("reported", [])
    if reported:
        out.print("[bold]Reported statements[/] (recorded by a reporter; not acts of the speaker):")
        for r in reported:
            out.print(f"  {r.get('act_id')} (received {_when(r.get('received_at'))})")


@click.command()
@click.argument("case_id", metavar="CASE")
@click.option("--as-of", help="A date (its last second, UTC) or a time with zone, e.g. "
              "2020-01-20 or 2020-01-20T12:00:00Z. Default: now.")  # fmt: skip
@server_option
@json_option
def status(case_id: str, as_of: str | None, server: str, as_json: bool) -> None:
    """Show CASE as of a date: each presence's legal basis, deadlines, overdue answers."""
    with connect(server) as client:
        data = client.status(case_id, as_of)
    if as_json:
        emit_json(data)
        return
    render(console(), data)
