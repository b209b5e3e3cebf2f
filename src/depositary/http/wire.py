"""Service values as JSON-able dicts for the API: pure, no I/O, no clock.

Times are ISO 8601 UTC (``2020-01-12T09:00:00Z``), dates ``YYYY-MM-DD``; every
computed date carries the rule and the inputs that produced it; a presence's
host view and sending view are kept apart. Bytes are standard base64; receipts
and checkpoints are the signed text itself.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from depositary.acts.act import Act
from depositary.acts.clocks import Clock
from depositary.acts.dates import ComputedDate
from depositary.acts.instruments import Presence
from depositary.acts.presence_views import PresenceStatus, StateChange
from depositary.acts.status import ActStatus, CaseStatus, Deadline
from depositary.records.statements import Admission, CaseRecord
from depositary.service.depositary import ActView, Recorded, Submission
from depositary.storage.index import ActRow, DeliveryRow

JSON = dict[str, Any]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def instant(value: datetime | None) -> str | None:
    """An aware datetime as ``YYYY-MM-DDTHH:MM:SSZ`` (None stays None)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def millis(ms: int | None) -> str | None:
    return None if ms is None else instant(datetime.fromtimestamp(ms / 1000, UTC))


def recorded(r: Recorded) -> JSON:
    return {"index": r.index, "receipt": r.receipt.decode(), "checkpoint": r.checkpoint.decode()}


def submission(s: Submission) -> JSON:
    return {
        "act_id": s.act_id,
        "case_id": s.case_id,
        "index": s.act.index,
        "receipt": s.act.receipt.decode(),
        "checkpoint": s.act.checkpoint.decode(),
        "evidence": list(s.evidence),
        "received_at": instant(s.received_at),
    }


def act_summary(row: ActRow, act: Act) -> JSON:
    """One line of an act list."""
    return {
        "act_id": row.act_id,
        "index": row.idx,
        "case_id": row.case_id,
        "kind": row.kind,
        "issuers": list(act.issuers),
        "addressees": [a.party for a in act.addressees],
        "made_at": instant(act.made_at),
        "received_at": millis(row.received_at_ms),
        "authorised": row.authorised,
    }


def delivery(d: DeliveryRow) -> JSON:
    return {"addressee": d.addressee, "url": d.url, "state": d.state, "attempts": d.attempts}


def act_view(view: ActView, act: Act, deliveries: Sequence[DeliveryRow]) -> JSON:
    """An act with its exact bytes, receipt, evidence chain (each entry with its own
    receipt, all at one checkpoint) and deliveries: a dossier ``depositary verify act``
    checks offline."""
    row = view.row
    return {
        "act": act.to_dict(),
        "envelope": b64(view.envelope),
        "index": row.idx,
        "received_at": millis(row.received_at_ms),
        "authorised": row.authorised,
        "case_id": row.case_id,
        "receipt": view.receipt.decode(),
        "evidence": [
            {"index": e.row.idx, "kind": e.row.kind, "addressee": e.row.addressee,
             "at": millis(e.row.at_ms), "entry": b64(e.entry), "receipt": e.receipt.decode()}
            for e in view.evidence
        ],
        "deliveries": [delivery(d) for d in deliveries],
    }  # fmt: skip


def party(party_id: str, index: int, admission: Admission, acts: Iterable[JSON] = ()) -> JSON:
    return {"party_id": party_id, "index": index, "admission": admission.to_dict(),
            "acts": list(acts)}  # fmt: skip


def case(record: CaseRecord) -> JSON:
    return record.to_dict()


# -- derived status -----------------------------------------------------------


def computed(c: ComputedDate | None) -> JSON | None:
    """A computed date with its rule and inputs, so a reader can redo the arithmetic."""
    if c is None:
        return None
    return {
        "date": None if c.on is None else c.on.isoformat(),
        "rule": c.rule,
        "inputs": dict(c.inputs),
        "pending": c.pending,
        "void": c.void,
        "estimated": c.estimated,
    }


def deadline(d: Deadline) -> JSON:
    return {"name": d.name, "party": d.party, "due": computed(d.due), "met_by": d.met_by,
            "overdue": d.overdue}  # fmt: skip


def clock(c: Clock) -> JSON:
    return {
        "addressee": c.addressee,
        "instrument": c.instrument,
        "state": c.state.value,
        "receipt": None
        if c.receipt is None
        else {"at": instant(c.receipt.at), "route": c.receipt.route},
        "effective": computed(c.effective),
        "effective_at": instant(c.effective_at),
        "pauses": [
            {"from": p.start.isoformat(), "until": None if p.end is None else p.end.isoformat()}
            for p in c.pauses
        ],
        "retracted_by": c.retracted_by,
    }


def act_status(a: ActStatus) -> JSON:
    return {
        "act_id": a.act_id,
        "kind": a.kind.value,
        "made_at": instant(a.made_at),
        "received_at": instant(a.received_at),
        "operative": a.inoperative is None,
        "inoperative_because": a.inoperative,
        "responses": list(a.responses),
        "refused_by": list(a.refused_by),
        "deadlines": [deadline(d) for d in a.deadlines],
        "clocks": [clock(c) for c in a.clocks],
    }


def _view(changes: Sequence[StateChange]) -> JSON:
    last = changes[-1]
    return {
        "state": last.state.value,
        "since": instant(last.at),
        "history": [
            {"from": instant(c.at), "state": c.state.value, "cause": c.cause} for c in changes
        ],
    }


def presence(p: PresenceStatus, fixed: Presence | None) -> JSON:
    """A presence's legal basis over time, as the host and as the sending party see it."""
    return {
        "presence_id": p.presence_id,
        "host": None if fixed is None else fixed.host,
        "sending": None if fixed is None else fixed.sending,
        "instruments": [] if fixed is None else list(fixed.instruments),
        "host_view": _view(p.host_view),
        "sending_view": _view(p.sending_view),
        "disputed": p.disputed,
        "disputes": [
            {"act_id": d.act_id, "objection": d.objection, "by": d.by, "ground": d.ground.value}
            for d in p.disputes
        ],
    }


def case_status(case_id: str, status: CaseStatus, presences: Mapping[str, Presence]) -> JSON:
    """The status of a case as of a time: formal acts, presences, and reported statements apart."""
    return {
        "case_id": case_id,
        "as_of": instant(status.as_of),
        "acts": [act_status(a) for a in status.acts.values() if a.act_id not in status.reported],
        "presences": [presence(p, presences.get(pid)) for pid, p in status.presences.items()],
        "reported": [act_status(status.acts[a]) for a in status.reported if a in status.acts],
    }
