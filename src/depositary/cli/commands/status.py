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
    steps = []
    for h in view.get("history", []):
        since = "from the outset" if h.get("from") is None else _when(h.get("from"))
        cause = f" ({h['cause']})" if h.get("cause") else ""
        steps.append(f"{h.get('state')}: {since}{cause}")
    return "\n".join(steps) or str(view.get("state", "-"))


def _deadlines(act: dict[str, Any]) -> str:
    lines = []
    for d in act.get("deadlines", []):
        due = (d.get("due") or {}).get("date", "?")
        if d.get("met_by"):
            state = f"met by {d['met_by']}"
        elif d.get("overdue"):
            state = "OVERDUE"
        else:
            state = "open"
        lines.append(f"{d.get('party')}: {d.get('name')} by {due}: {state}")
    for c in act.get("clocks", []):
        receipt = c.get("receipt") or {}
        got = f"received {_when(receipt.get('at'))} ({receipt.get('route')})" if receipt else ""
        eff = (c.get("effective") or {}).get("date")
        lines.append(
            f"{c.get('addressee')} / {c.get('instrument')}: {c.get('state')}"
            + (f", {got}" if got else "")
            + (f", effective {eff}" if eff else "")
        )
    return "\n".join(lines) or "-"


def render(out: Console, data: dict[str, Any]) -> None:
    """The status as people read it: presences first, then acts, reported statements apart."""
    out.print(f"[bold]case {data.get('case_id')}[/] as of {_when(data.get('as_of'))} UTC")
    pres = Table(title="Foreign presences: the host's view and the sending party's view")
    for col in ("presence", "host view", "sending view", "disputed"):
        pres.add_column(col)
    for p in data.get("presences", []):
        host, sending = p.get("host_view", {}), p.get("sending_view", {})
        label = f"{p.get('presence_id')}\n{p.get('sending')} in {p.get('host')}"
        pres.add_row(
            label,
            f"[bold]{host.get('state')}[/]\n{_history(host)}",
            f"[bold]{sending.get('state')}[/]\n{_history(sending)}",
            "yes" if p.get("disputed") else "no",
        )
    out.print(pres)
    acts = Table(title="Formal acts")
    for col in ("act", "kind", "received", "responses", "deadlines and clocks"):
        acts.add_column(col)
    for a in data.get("acts", []):
        why = a.get("inoperative_because")
        note = "" if a.get("operative", True) else f"\n(inoperative: {why})"
        acts.add_row(
            f"{a.get('act_id')}{note}",
            str(a.get("kind")),
            _when(a.get("received_at")),
            ", ".join(a.get("responses", [])) or "-",
            _deadlines(a),
        )
    out.print(acts)
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
