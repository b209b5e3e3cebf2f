"""``depositary demo``: the January 2020 case replayed on a fresh depositary, told as it goes.

Builds a depositary in a directory, starts webhook receivers on loopback for the
parties that have endpoints (the coalition's endpoint is left unreachable, so
the failure evidence shows), replays the scenario on a simulated clock with the
instance's own delivery worker and scheduler, tells what was recorded at which
log index, and writes one receipt with the act's exact bytes for an offline check.
"""

from __future__ import annotations

import base64
import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from depositary.acts.envelope import Envelope
from depositary.acts.status import CaseStatus
from depositary.client.keys import write_key
from depositary.clock import Clock, ManualClock
from depositary.config import Settings
from depositary.demo.iraq2020 import CASE_ID, END, ORIGIN, PARTIES, at, demo_signer, steps
from depositary.demo.receivers import WebhookReceiver
from depositary.demo.replay import Outcome, replay, setup
from depositary.http import wire
from depositary.service.instance import Instance, init_data_dir, open_instance

Echo = Callable[[str], object]

UNREACHABLE = "http://127.0.0.1:9/coalition/inbox"  # the discard port: nothing listens
RECEIVING = ("iq", "us", "ir")
SHOWN_ACT = "iq-notice-2020-01-12"
START = at("2020-01-01T00:00")

EVIDENCE_WORDS = {
    "circulated": "circulated to {a}",
    "delivered": "delivered to {a}'s endpoint (signature checked by the receiver)",
    "delivery_failed": "delivery to {a} FAILED: endpoint unreachable, retries exhausted",
    "retrieved": "retrieved by {a} from its inbox",
    "no_response_by_deadline": "deadline passed: no answer from {a}",
    "deemed_received": "deemed received by {a} under its rule",
    "acknowledged": "acknowledged by {a}",
    "rejected": "refusal of the act recorded",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoFiles:
    """What the demo leaves for an offline check, and the command that does it."""

    vkey: str
    entry: Path
    receipt: Path
    check: str  # the exact one-line command
    dossier: Path  # the act with its evidence, as GET /v1/acts/ID gives it
    check_act: str  # the command checking the dossier

    def check_argv(self) -> list[str]:
        return shlex.split(self.check)[1:]

    def check_act_argv(self) -> list[str]:
        return shlex.split(self.check_act)[1:]


def settings_for(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, origin=ORIGIN, batch_period=0.005,
                    delivery_attempts=3, delivery_backoff=600.0)  # fmt: skip


def open_demo(workdir: Path, clock: Clock) -> Instance:
    data_dir = workdir / "data"
    if not (data_dir / "log.key").exists():
        init_data_dir(data_dir, ORIGIN)
    return open_instance(settings_for(data_dir), clock=clock)


def _when(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%a %d %b %H:%M")


def _narrate(instance: Instance, outcomes: list[Outcome], echo: Echo) -> None:
    """Every act and every piece of evidence, in log order."""
    dep = instance.depositary
    lines: list[tuple[int, str]] = []
    for o in outcomes:
        if o.step.act is None or o.index is None:
            continue
        act = o.step.act
        tag = "reported, not formal" if not o.step.formal else act.kind.value
        head = f"[{o.index:>3}] {_when(o.step.at)}  {o.step.caption}"
        if o.refused:
            lines.append((o.index, f"{head}\n       REFUSED ({o.refused.split(':')[0]}): "
                                   f"{act.act_id} is on the record with the reason"))  # fmt: skip
        else:
            lines.append((o.index, f"{head}\n       recorded {act.act_id} ({tag})"))
    seen = {o.step.act.act_id for o in outcomes if o.step.act is not None}
    for act_id in sorted(seen):
        for e in dep.index.evidence(act_id):
            if e.kind in {"submitted", "rejected"}:
                continue
            words = EVIDENCE_WORDS.get(e.kind, e.kind + " ({a})").format(a=e.addressee)
            when = datetime.fromtimestamp(e.at_ms / 1000, UTC)
            lines.append((e.idx, f"[{e.idx:>3}] {_when(when)}    {act_id}: {words}"))
    for _, line in sorted(lines):
        echo(line)


def _summary(status: CaseStatus, echo: Echo) -> None:
    when = status.as_of.astimezone(UTC).strftime("%d %B %Y %H:%M UTC")
    echo(f"\nWhere the case stands on {when} (derived from the log alone):")
    for pid, p in status.presences.items():
        echo(f"  {pid:<16} host's view: {p.host_state.value:<26} "
             f"sending party's view: {p.sending_state.value}"
             + ("  (disputed)" if p.disputed else ""))  # fmt: skip
    for a in status.acts.values():
        for d in a.deadlines:
            state = f"answered by {d.met_by}" if d.met_by else (
                "OVERDUE" if d.overdue else "open")  # fmt: skip
            echo(f"  {a.act_id}: {d.party} to answer by {d.due.on}: {state}")
    for r in status.reported:
        echo(f"  {r}: a reported statement, kept apart from the formal acts")


def _write_files(instance: Instance, workdir: Path) -> DemoFiles:
    view = instance.depositary.act(SHOWN_ACT)
    entry = workdir / f"{SHOWN_ACT}.envelope.json"
    receipt = workdir / f"{SHOWN_ACT}.tlog-proof"
    entry.write_bytes(view.envelope)
    receipt.write_bytes(view.receipt)
    vkey = instance.log_verifier.to_vkey()
    (workdir / "log.vkey").write_text(vkey + "\n", encoding="utf-8")
    check = (f"depositary verify receipt --vkey {shlex.quote(vkey)} --entry "
             f"{shlex.quote(str(entry))} {shlex.quote(str(receipt))}")  # fmt: skip
    dep = instance.depositary
    act = Envelope.from_bytes(view.envelope).act()
    dossier = workdir / f"{SHOWN_ACT}.json"
    doc = wire.act_view(view, act, dep.index.deliveries(SHOWN_ACT))
    dossier.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    dkey = base64.b64encode(dep.key.public_key).decode("ascii")
    check_act = (f"depositary verify act --vkey {shlex.quote(vkey)} --depositary-key "
                 f"{shlex.quote(dkey)} {shlex.quote(str(dossier))}")  # fmt: skip
    return DemoFiles(vkey=vkey, entry=entry, receipt=receipt, check=check, dossier=dossier,
                     check_act=check_act)  # fmt: skip


def write_demo_keys(workdir: Path) -> Path:
    """The demo holders' key files (public demo seeds), to try the client commands."""
    keys = workdir / "keys"
    keys.mkdir(exist_ok=True)
    for _, holders, _ in PARTIES.values():
        for h in holders:
            if not (keys / f"{h.holder}.key").exists():
                write_key(keys / f"{h.holder}.key", demo_signer(h.holder))
    return keys


def run_demo(workdir: Path, *, echo: Echo) -> tuple[DemoFiles, dict[str, WebhookReceiver]]:
    """Replay the case in ``workdir``; return the offline-check files and the live receivers."""
    clock = ManualClock(START)
    instance = open_demo(workdir, clock)
    receivers: dict[str, WebhookReceiver] = {}
    try:
        key = instance.depositary.key.public_key
        receivers = {p: WebhookReceiver(p, key) for p in RECEIVING}
        endpoints: dict[str, tuple[str, ...]] = {p: (r.url,) for p, r in receivers.items()}
        endpoints["coalition"] = (UNREACHABLE,)
        echo(f"A fresh depositary in {workdir / 'data'} (SQLite), log origin {ORIGIN}")
        echo("Webhook receivers on loopback: "
             + ", ".join(f"{p} {r.url}" for p, r in receivers.items())
             + f"; coalition {UNREACHABLE} (unreachable on purpose)")  # fmt: skip
        setup(instance.depositary, endpoints)
        last = instance.view.checkpoint().size - 1
        echo(f"Parties admitted and case {CASE_ID} registered (log indexes 0 to {last}); "
             "replaying January 2020 on a simulated clock:\n")  # fmt: skip
        outcomes = replay(instance.depositary, clock, steps(),
                          delivery=instance.delivery, scheduler=instance.scheduler)  # fmt: skip
        _narrate(instance, outcomes, echo)
        _summary(instance.depositary.status(CASE_ID, END), echo)
        got = {p: sorted({x.act_id for x in r.received}) for p, r in receivers.items()}
        echo("\nWhat the receivers got, each signature checked against the depositary's key:")
        for p, ids in got.items():
            echo(f"  {p}: {', '.join(ids) or 'nothing'}")
        files = _write_files(instance, workdir)
    except BaseException:
        for r in receivers.values():
            r.close()
        raise
    finally:
        instance.close()
    return files, receivers
