"""What the case page shows, read from the service: timeline, presences, outstanding items."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from depositary.acts.envelope import Envelope
from depositary.acts.kinds import ActKind
from depositary.acts.parties import Party, PartyKind
from depositary.acts.status import CaseStatus
from depositary.errors import ValidationError
from depositary.service.depositary import Depositary
from depositary.service.indexer import from_millis
from depositary.web.forces import build_force_chart, render_force_chart
from depositary.web.timeline import TimelineAct, TimelineEvidence, build_timeline, render_timeline
from depositary.web.words import evidence_words, kind_words, state_label, state_words

MAX_SPAN = timedelta(days=400)


def parse_when(value: str | None, *, end_of_day: bool = False) -> datetime | None:
    """Parse ``2020-01-12`` or ``2020-01-12T09:00[Z|+hh:mm]`` (UTC unless a zone is given).

    A bare date means the start of that day (UTC), or its last second with ``end_of_day``.

    Raises:
        ValidationError: not a date or a date and time.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = time(23, 59, 59) if end_of_day else time(0, 0)
            return datetime.combine(day, moment, tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as e:
        raise ValidationError(f"{value[:40]!r} is not a date (2020-01-12) or a time") from e
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def load_acts(dep: Depositary, **query: Any) -> list[TimelineAct]:
    """The acts the index lists for ``query``, parsed from their log entries."""
    out = []
    for row in dep.index.acts(**query):
        if row.received_at_ms is None:
            continue
        act = Envelope.from_bytes(dep.view.entry(row.idx)).act()
        out.append(
            TimelineAct(
                act=act,
                received_at=from_millis(row.received_at_ms),
                authorised=row.authorised,
                index=row.idx,
            )
        )
    return out


def load_evidence(dep: Depositary, acts: Sequence[TimelineAct]) -> list[TimelineEvidence]:
    return [
        TimelineEvidence(
            act_id=e.act_id,
            kind=e.kind,
            addressee=e.addressee,
            at=from_millis(e.at_ms),
            index=e.idx,
        )
        for t in acts
        for e in dep.index.evidence(t.act.act_id)
    ]


def _party(parties: dict[str, Party], pid: str) -> Party:
    return parties.get(pid) or Party(party_id=pid, name=pid, kind=PartyKind.STATE)


def act_summary(t: TimelineAct, status: CaseStatus | None = None) -> dict[str, Any]:
    """One row of an acts table."""
    act = t.act
    if act.kind is ActKind.REPORTED_STATEMENT:
        state, css = "reported statement: not a formal act of the speaker", "reported"
    elif t.authorised is False:
        state, css = "refused by the depositary (no authority)", "refused"
    elif t.authorised is None:
        state, css = "not yet decided", "pending"
    else:
        state, css = "recorded", "formal"
        s = status.acts.get(act.act_id) if status else None
        if s is not None and s.inoperative:
            state = f"recorded; starts no clock ({s.inoperative})"
        if s is not None and s.responses:
            state += "; answered by " + ", ".join(s.responses)
    return {
        "act_id": act.act_id,
        "kind": kind_words(act.kind.value),
        "kind_code": act.kind.value,
        "issuers": act.issuers,
        "addressees": [a.party for a in act.addressees],
        "made_at": act.made_at,
        "received_at": t.received_at,
        "index": t.index,
        "state": state,
        "css": css,
    }


def _views(changes: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "at": c.at,
            "state": c.state.value,
            "label": state_label(c.state.value),
            "words": state_words(c.state.value),
            "cause": c.cause,
        }
        for c in changes
    ]


def _presences(record: Any, status: CaseStatus, parties: dict[str, Party]) -> list[dict[str, Any]]:
    titles = {i.instrument_id: i.title for i in record.instruments}
    out = []
    for p in record.presences:
        ps = status.presences[p.presence_id]
        clocks = [
            {"notice": s.act_id, "clock": c}
            for s in status.acts.values()
            for c in s.clocks
            if c.instrument in p.instruments and c.addressee in (p.sending, p.host)
        ]
        out.append(
            {
                "id": p.presence_id,
                "sending": _party(parties, p.sending),
                "host": _party(parties, p.host),
                "instruments": [(i, titles.get(i, i)) for i in p.instruments],
                "host_view": _views(ps.host_view),
                "sending_view": _views(ps.sending_view),
                "host_state": ps.host_state.value,
                "sending_state": ps.sending_state.value,
                "disputed": ps.disputed,
                "disputes": ps.disputes,
                "clocks": clocks,
            }
        )
    return out


def _outstanding(status: CaseStatus) -> list[dict[str, Any]]:
    items = []
    for s in status.acts.values():
        for d in s.deadlines:
            if d.met_by is not None:
                continue
            due = d.due.on.isoformat() if d.due.on else "?"
            items.append(
                {
                    "act_id": s.act_id,
                    "overdue": d.overdue,
                    "party": d.party,
                    "text": f"{d.party}: {d.name} by {due}"
                    + (" — overdue, no reply" if d.overdue else " — awaiting a reply"),
                }
            )
        for c in s.clocks:
            if c.state.value == "awaiting_receipt":
                items.append(
                    {
                        "act_id": s.act_id,
                        "overdue": False,
                        "party": c.addressee,
                        "text": f"{c.addressee}: notice not yet received "
                        f"(no delivery, retrieval or acknowledgment on record)",
                    }
                )
    unique = {(i["act_id"], i["text"]): i for i in items}
    return sorted(unique.values(), key=lambda i: (not i["overdue"], i["text"]))


def _span(
    acts: Sequence[TimelineAct], status: CaseStatus, now: datetime
) -> tuple[datetime, datetime]:
    times = [t.received_at for t in acts] or [now]
    first = min(times)
    start = datetime.combine(first.date(), time(0), tzinfo=UTC) - timedelta(days=1)
    ends = [*times, min(now, max(times) + timedelta(days=30))]
    for s in status.acts.values():
        ends += [
            datetime.combine(d.due.on, time(0), tzinfo=UTC) + timedelta(days=1)
            for d in s.deadlines
            if d.due.on
        ]
    last = max(ends)
    end = datetime.combine(last.date(), time(0), tzinfo=UTC) + timedelta(days=2)
    return start, min(end, start + MAX_SPAN)


def case_context(dep: Depositary, case_id: str, as_of: datetime | None) -> dict[str, Any]:
    """Everything the case page shows as of ``as_of`` (default: the depositary's now).

    Raises:
        NotFound: no such case.
    """
    record = dep.case_record(case_id)
    now = dep.clock.now()
    moment = as_of or now
    status = dep.status(case_id, moment)
    latest = dep.status(case_id, now) if moment != now else status
    roster = dep.indexer.roster()
    parties = {pid: _party(dict(roster.parties), pid) for pid in record.parties}
    acts = load_acts(dep, case_id=case_id)
    evidence = load_evidence(dep, acts)
    start, end = _span(acts, latest, now)
    timeline = build_timeline(
        parties=list(parties.values()),
        acts=acts,
        evidence=evidence,
        status=status,
        start=start,
        end=end,
    )
    chart = build_force_chart(acts, moment)
    moments = sorted({t.received_at for t in acts} | {e.at for e in evidence})
    shown = [t for t in acts if t.received_at <= moment]
    return {
        "record": record,
        "case_id": case_id,
        "as_of": moment,
        "is_now": as_of is None,
        "now": now,
        "parties": parties,
        "timeline": render_timeline(timeline),
        "counts": {
            c: len(timeline.by_category(c))
            for c in ("act", "refused", "reported", "evidence", "deadline", "effective")
        },
        "forces": render_force_chart(
            chart, {p.presence_id: p.presence_id for p in record.presences}
        )
        if chart
        else None,
        "presences": _presences(record, status, parties),
        "outstanding": _outstanding(status),
        "acts": [
            act_summary(t, status) for t in shown if t.act.kind is not ActKind.REPORTED_STATEMENT
        ],
        "reported": [
            act_summary(t, status) for t in shown if t.act.kind is ActKind.REPORTED_STATEMENT
        ],
        "evidence": [
            {
                "act_id": e.act_id,
                "kind": evidence_words(e.kind),
                "addressee": e.addressee,
                "at": e.at,
                "index": e.index,
            }
            for e in sorted(evidence, key=lambda e: e.index)
            if e.at <= moment
        ],
        "previous": max((m for m in moments if m < moment), default=None),
        "next": min((m for m in moments if m > moment), default=None),
    }
