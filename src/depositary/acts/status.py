"""Status, derived and never stored: a pure function of (case, log records, as_of).

Only records logged at or before ``as_of`` are read, so the status at any time depends on
a prefix of the log alone. Per act: receipt, responses, deadlines and clocks. Per
presence: the legal-basis state over time, from the host's and the sending party's view
apart, with disputes flagged. Non-operative acts never start a clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from depositary.acts import bodies as b
from depositary.acts import calendars, schema
from depositary.acts.clocks import Clock, LoggedAct, run_clock
from depositary.acts.dates import ComputedDate
from depositary.acts.instruments import Case, Instrument
from depositary.acts.kinds import ActKind
from depositary.acts.logindex import LogIndex, LogRecord
from depositary.acts.presence_views import PresenceStatus, presence_status
from depositary.acts.receipt_rules import EvidenceKind
from depositary.errors import ValidationError

_RESPONSES = frozenset(
    {ActKind.ACKNOWLEDGMENT, ActKind.ACCEPTANCE, ActKind.REFUSAL, ActKind.OBJECTION}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Deadline:
    name: str
    party: str
    due: ComputedDate
    met_by: str | None
    overdue: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ActStatus:
    act_id: str
    kind: ActKind
    made_at: datetime
    received_at: datetime
    inoperative: str | None  # why the act cannot start a clock, or None
    responses: tuple[str, ...]
    deadlines: tuple[Deadline, ...]
    clocks: tuple[Clock, ...]
    refused_by: tuple[str, ...]  # addressees that refused to acknowledge (the clock runs on)


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseStatus:
    as_of: datetime
    acts: Mapping[str, ActStatus]
    presences: Mapping[str, PresenceStatus]
    reported: tuple[str, ...]  # reported statements, shown apart from formal acts


def _concerns(basis: tuple[str, ...], party: str, instrument: Instrument) -> bool:
    """Does a notice's target bind this addressee? Its named legal basis decides; failing
    that, being a party to the instrument or its depositary."""
    if basis:
        return instrument.instrument_id in basis
    return party in instrument.parties or instrument.depositary == party


def _clocks(case: Case, ix: LogIndex, notice: LoggedAct, as_of: datetime) -> list[Clock]:
    act = notice.act
    body = act.body
    assert isinstance(body, b.NoticeBody)
    suspensions = [
        (s, ix.live_refs(s.act.act_id, ActKind.SUSPENSION_EXTENSION, act.issuers))
        for s in ix.live_refs(act.act_id, ActKind.SUSPENSION, act.issuers)
    ]
    retractions = ix.live_refs(act.act_id, ActKind.RETRACTION, act.issuers)
    accepted = [a for a in ix.by_ref.get(act.act_id, ()) if a.act.kind is ActKind.ACCEPTANCE]
    clocks = []
    for addressee in act.addressees:
        party = case.parties[addressee.party]
        facts = ix.facts[(act.act_id, addressee.party)]
        facts.note(EvidenceKind.SUBMITTED, notice.received_at)
        if act.act_id in ix.published:
            facts.note(EvidenceKind.PUBLISHED, ix.published[act.act_id])
        met = next((a for a in accepted if addressee.party in a.act.issuers), None)
        for target in body.targets:
            instrument = case.instruments.get(target.instrument)
            if instrument is None:
                raise ValidationError(
                    f"notice {act.act_id} names unknown instrument {target.instrument}"
                )
            if not _concerns(addressee.legal_basis, addressee.party, instrument):
                continue
            clocks.append(
                run_clock(
                    notice=notice,
                    target=target,
                    addressee=party,
                    instrument=instrument,
                    facts=facts,
                    suspensions=suspensions,
                    retraction=retractions[0] if retractions else None,
                    condition_met_on=None
                    if met is None
                    else calendars.local_date(met.received_at, party.time_zone),
                    as_of=as_of,
                )
            )
    return clocks


def _deadlines(case: Case, ix: LogIndex, logged: LoggedAct, as_of: datetime) -> list[Deadline]:
    act, out = logged.act, []
    due_by: list[tuple[str, str, date]] = []
    if isinstance(act.body, b.TalksBody) and act.body.respond_by is not None:
        due_by = [
            (a.party, "respond to request for talks", act.body.respond_by) for a in act.addressees
        ]
    for party_id, name, due in due_by:
        replies = [
            r
            for r in ix.by_ref.get(act.act_id, ())
            if r.act.kind in _RESPONSES and party_id in r.act.issuers
        ]
        tz = case.parties[party_id].time_zone
        end = calendars.start_of_day(due + timedelta(days=1), tz)
        met = next((r.act.act_id for r in replies if r.received_at < end), None)
        computed = ComputedDate(
            on=due, rule="respond by the date named", inputs=(("respond_by", due.isoformat()),)
        )
        out.append(
            Deadline(
                name=name,
                party=party_id,
                due=computed,
                met_by=met,
                overdue=met is None and as_of >= end,
            )
        )
    return out


def derive_status(case: Case, records: Sequence[LogRecord], as_of: datetime) -> CaseStatus:
    """Derive the status of every act and presence as of ``as_of``.

    Requires records in log order with non-decreasing times. Raises ValidationError on an
    out-of-order log, a duplicate act id, or an act naming an unknown instrument.
    """
    schema.check_instant(as_of, "as_of")
    ix = LogIndex(records, as_of)
    statuses: dict[str, ActStatus] = {}
    clocks_by_notice: dict[str, list[Clock]] = {}
    for act_id, logged in ix.acts.items():
        inoperative = ix.inoperative(logged)
        clocks: list[Clock] = []
        if inoperative is None and logged.act.kind is ActKind.NOTICE:
            clocks = _clocks(case, ix, logged, as_of)
            clocks_by_notice[act_id] = clocks
        statuses[act_id] = ActStatus(
            act_id=act_id,
            kind=logged.act.kind,
            made_at=logged.act.made_at,
            received_at=logged.received_at,
            inoperative=inoperative,
            responses=tuple(
                r.act.act_id for r in ix.by_ref.get(act_id, ()) if r.act.kind in _RESPONSES
            ),
            deadlines=tuple(_deadlines(case, ix, logged, as_of)) if inoperative is None else (),
            clocks=tuple(clocks),
            refused_by=tuple(ix.refused.get(act_id, ())),
        )
    presences = {
        pid: presence_status(
            case=case, ix=ix, presence=p, clocks_by_notice=clocks_by_notice, as_of=as_of
        )
        for pid, p in case.presences.items()
    }
    reported = tuple(a.act.act_id for a in ix.by_kind[ActKind.REPORTED_STATEMENT])
    return CaseStatus(as_of=as_of, acts=statuses, presences=presences, reported=reported)
