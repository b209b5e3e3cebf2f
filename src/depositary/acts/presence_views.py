"""The legal basis of one presence over time, seen by the host and by the sending party."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from depositary.acts import bodies as b
from depositary.acts import calendars
from depositary.acts.clocks import Clock, ClockState
from depositary.acts.instruments import Case, Presence
from depositary.acts.kinds import ActKind
from depositary.acts.logindex import LogIndex

_NULLIFYING = frozenset({b.ObjectionGround.AUTHORITY, b.ObjectionGround.VALIDITY})


class LegalState(StrEnum):
    CONSENTED = "consented"
    CONTESTED = "contested"
    NOTICE_GIVEN = "notice_given"
    TERMINATING = "terminating"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    WITHDRAWAL_PERIOD = "withdrawal_period"
    WITHDRAWN = "withdrawn"
    PRESENCE_WITHOUT_CONSENT = "presence_without_consent"
    RESTORED = "restored"


@dataclass(frozen=True, slots=True, kw_only=True)
class StateChange:
    at: datetime | None  # None: from the outset
    state: LegalState
    cause: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Dispute:
    act_id: str
    objection: str
    by: str
    ground: b.ObjectionGround


@dataclass(frozen=True, slots=True, kw_only=True)
class PresenceStatus:
    presence_id: str
    host_view: tuple[StateChange, ...]
    sending_view: tuple[StateChange, ...]
    disputes: tuple[Dispute, ...]

    @property
    def host_state(self) -> LegalState:
        return self.host_view[-1].state

    @property
    def sending_state(self) -> LegalState:
        return self.sending_view[-1].state

    @property
    def disputed(self) -> bool:
        return bool(self.disputes) or self.host_state != self.sending_state


Event = tuple[datetime, int, LegalState, str]


def _notice_events(
    clock: Clock, notice_at: datetime, retraction_at: datetime | None, tz: str
) -> list[Event]:
    """States one clock contributes, up to its effect (the end itself is handled per presence)."""
    tz_start = clock.effective_at
    events: list[Event] = [(notice_at, 1, LegalState.NOTICE_GIVEN, clock.notice_id)]
    if clock.receipt is not None:
        events.append((clock.receipt.at, 2, LegalState.TERMINATING, clock.notice_id))
    for pause in clock.pauses:
        start = calendars.start_of_day(pause.start, tz)
        if tz_start is None or start < tz_start:
            events.append((max(start, notice_at), 3, LegalState.SUSPENDED, clock.notice_id))
            if pause.end is not None:
                resume = calendars.start_of_day(pause.end, tz)
                if tz_start is None or resume < tz_start:
                    events.append((resume, 4, LegalState.TERMINATING, clock.notice_id))
    if clock.retracted_by is not None and retraction_at is not None:
        events = [e for e in events if e[0] <= retraction_at]
        events.append((retraction_at, 5, LegalState.RESTORED, clock.retracted_by))
    return events


def _ends(case: Case, presence: Presence, clocks: Sequence[Clock]) -> tuple[datetime, str] | None:
    """When the last instrument of ``presence`` ends, and why; None if one still holds."""
    tz = case.parties[presence.host].time_zone
    latest: tuple[datetime, str] | None = None
    for instrument_id in presence.instruments:
        options: list[tuple[datetime, str]] = []
        instrument = case.instruments[instrument_id]
        if instrument.expires_on is not None:
            end = calendars.start_of_day(instrument.expires_on + timedelta(days=1), tz)
            options.append((end, f"{instrument_id} expired"))
        for c in clocks:
            live = c.retracted_by is None and c.state is not ClockState.VOID
            if c.instrument == instrument_id and live and c.effective_at is not None:
                options.append((c.effective_at, c.notice_id))
        if not options:
            return None
        first = min(options)
        latest = first if latest is None or first > latest else latest
    return latest


def _view(
    *,
    case: Case,
    ix: LogIndex,
    presence: Presence,
    clocks: Sequence[Clock],
    host: bool,
    as_of: datetime,
) -> tuple[StateChange, ...]:
    events: list[Event] = []
    if host:
        for m in ix.by_kind[ActKind.DOMESTIC_MANDATE]:
            body = m.act.body
            if (
                isinstance(body, b.MandateBody)
                and m.authorised
                and presence.host in m.act.issuers
                and presence.sending in body.concerning
            ):
                events.append((m.received_at, 0, LegalState.CONTESTED, m.act.act_id))
    for c in clocks:
        notice = ix.acts[c.notice_id]
        retraction = ix.acts.get(c.retracted_by) if c.retracted_by else None
        events += _notice_events(
            c,
            notice.received_at,
            None if retraction is None else retraction.received_at,
            case.parties[c.addressee].time_zone,
        )
    end = _ends(case, presence, clocks)
    if end is not None:
        events += _after_end(case, ix, presence, end, host)
    for r in ix.by_kind[ActKind.COMPLETION_REPORT]:
        body = r.act.body
        ours = isinstance(body, b.CompletionBody) and body.presence == presence.presence_id
        if ours and ix.inoperative(r) is None:
            events.append((r.received_at, 9, LegalState.WITHDRAWN, r.act.act_id))
    changes = [StateChange(at=None, state=LegalState.CONSENTED, cause=None)]
    for at, _, state, cause in sorted(e for e in events if e[0] <= as_of):
        if changes[-1].state is LegalState.WITHDRAWN:
            break
        if state is not changes[-1].state:
            changes.append(StateChange(at=at, state=state, cause=cause))
    return tuple(changes)


def _after_end(
    case: Case, ix: LogIndex, presence: Presence, end: tuple[datetime, str], host: bool
) -> list[Event]:
    at, cause = end
    tz = case.parties[presence.host].time_zone
    agreed = [
        a
        for a in ix.by_kind[ActKind.ACCEPTANCE]
        if isinstance(a.act.body, b.AcceptanceBody)
        and presence.presence_id in a.act.body.presences
        and a.act.body.withdraw_by is not None
        and ix.inoperative(a) is None
    ]
    events: list[Event] = [(at, 6, LegalState.TERMINATED, cause)]
    if agreed:
        last = agreed[-1]
        assert isinstance(last.act.body, b.AcceptanceBody)
        assert last.act.body.withdraw_by is not None
        events.append((max(at, last.received_at), 7, LegalState.WITHDRAWAL_PERIOD, last.act.act_id))
        grace_end = calendars.start_of_day(last.act.body.withdraw_by + timedelta(days=1), tz)
        if host:
            events.append(
                (max(grace_end, at), 8, LegalState.PRESENCE_WITHOUT_CONSENT, last.act.act_id)
            )
    elif host:
        next_day = calendars.start_of_day(calendars.local_date(at, tz) + timedelta(days=1), tz)
        events.append((next_day, 8, LegalState.PRESENCE_WITHOUT_CONSENT, cause))
    return events


def presence_status(
    *,
    case: Case,
    ix: LogIndex,
    presence: Presence,
    clocks_by_notice: Mapping[str, Sequence[Clock]],
    as_of: datetime,
) -> PresenceStatus:
    """The host's and the sending party's view of ``presence`` as of ``as_of``."""
    parties = {presence.host, presence.sending}
    relevant: list[Clock] = []
    disputes: list[Dispute] = []
    sending_rejects: set[str] = set()
    for notice_id, clocks in clocks_by_notice.items():
        notice = ix.acts[notice_id].act
        if not set(notice.issuers) & parties:
            continue
        mine = [
            c for c in clocks if c.addressee in parties and c.instrument in presence.instruments
        ]
        if not mine:
            continue
        relevant += mine
        for o in ix.by_ref.get(notice_id, ()):
            body = o.act.body
            if isinstance(body, b.ObjectionBody) and ix.inoperative(o) is None:
                by = o.act.issuers[0]
                disputes.append(
                    Dispute(act_id=notice_id, objection=o.act.act_id, by=by, ground=body.ground)
                )
                if by == presence.sending and body.ground in _NULLIFYING:
                    sending_rejects.add(notice_id)
    sending_clocks = [c for c in relevant if c.notice_id not in sending_rejects]
    return PresenceStatus(
        presence_id=presence.presence_id,
        host_view=_view(
            case=case, ix=ix, presence=presence, as_of=as_of, clocks=relevant, host=True
        ),
        sending_view=_view(
            case=case, ix=ix, presence=presence, as_of=as_of, clocks=sending_clocks, host=False
        ),
        disputes=tuple(disputes),
    )
