"""The clock of one notice against one addressee and one instrument.

Works out deemed receipt, the suspensions and extensions that pause it, a retraction that
cancels it, and the resulting date of effect with the rule and inputs behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from depositary.acts import calendars
from depositary.acts.act import Act
from depositary.acts.bodies import ExtensionBody, NoticeBody, SuspensionBody, Target
from depositary.acts.dates import (
    ComputedDate,
    DateRule,
    Pause,
    RuleKind,
    add_period,
    effective_date,
)
from depositary.acts.instruments import Instrument, InstrumentKind
from depositary.acts.kinds import NoticeType
from depositary.acts.parties import Party
from depositary.acts.receipt_rules import (
    DEFAULT_RECEIPT,
    DeemedReceipt,
    DeliveryFacts,
    ReceiptMode,
    deemed_receipt,
)

# VCLT art. 56(2): an instrument silent on denunciation needs at least twelve months' notice.
SILENT_DEFAULT = DateRule(kind=RuleKind.CALENDAR_PERIOD, months=12)
IMMEDIATE = DateRule(kind=RuleKind.IMMEDIATE)


class ClockState(StrEnum):
    AWAITING_RECEIPT = "awaiting_receipt"
    RUNNING = "running"
    SUSPENDED = "suspended"
    EFFECTIVE = "effective"
    RETRACTED = "retracted"
    VOID = "void"
    PENDING_CONDITION = "pending_condition"


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedAct:
    """An act as the log holds it: received at ``received_at``; ``authorised`` False for
    drafts and acts whose signature or authority failed (they never start a clock)."""

    act: Act
    received_at: datetime
    authorised: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Clock:
    """One (notice, addressee, instrument) clock as of some time."""

    notice_id: str
    addressee: str
    instrument: str
    receipt: DeemedReceipt | None
    effective: ComputedDate | None
    effective_at: datetime | None
    pauses: tuple[Pause, ...]
    retracted_by: str | None
    state: ClockState


def rule_for(instrument: Instrument, notice_type: NoticeType) -> tuple[DateRule, ReceiptMode, str]:
    """The date rule, receipt mode and a label of where it comes from."""
    clause = instrument.clause_for(notice_type)
    if clause is not None:
        return clause.rule, clause.receipt.mode, f"{instrument.instrument_id}/{clause.clause_id}"
    immediate = notice_type is NoticeType.REVOCATION_IMMEDIATE or (
        instrument.kind is InstrumentKind.INVITATION
        and notice_type is NoticeType.WITHDRAWAL_OF_CONSENT
    )
    if immediate:
        return IMMEDIATE, DEFAULT_RECEIPT.mode, "consent revocable at will"
    return SILENT_DEFAULT, DEFAULT_RECEIPT.mode, "VCLT art. 56(2) default"


def suspension_pause(suspension: LoggedAct, extensions: Sequence[LoggedAct]) -> Pause:
    """The pause one suspension makes, lengthened by extensions received before it ends."""
    body = suspension.act.body
    assert isinstance(body, SuspensionBody)
    if not (body.months or body.days):
        return Pause(start=body.starts_on, end=None)
    end = add_period(body.starts_on, months=body.months) + timedelta(days=body.days)
    for ext in extensions:
        eb = ext.act.body
        assert isinstance(eb, ExtensionBody)
        if ext.received_at.date() <= end:
            end = add_period(end, months=eb.months) + timedelta(days=eb.days)
    return Pause(start=body.starts_on, end=end)


def run_clock(
    *,
    notice: LoggedAct,
    target: Target,
    addressee: Party,
    instrument: Instrument,
    facts: DeliveryFacts,
    suspensions: Sequence[tuple[LoggedAct, Sequence[LoggedAct]]],
    retraction: LoggedAct | None,
    condition_met_on: date | None,
    as_of: datetime,
) -> Clock:
    """Work out one clock from what the log held up to ``as_of``."""
    body = notice.act.body
    assert isinstance(body, NoticeBody)
    rule, mode, source = rule_for(instrument, body.notice_type)
    tz = addressee.time_zone
    if mode is ReceiptMode.DEPOSITARY_RECEIPT:
        receipt: DeemedReceipt | None = DeemedReceipt(
            at=notice.received_at, route="received by the depositary"
        )
    else:
        clause = instrument.clause_for(body.notice_type)
        receipt = deemed_receipt(clause.receipt if clause else DEFAULT_RECEIPT, facts)
    if receipt is not None and receipt.at > as_of:
        receipt = None
    common = {"notice_id": notice.act.act_id, "addressee": addressee.party_id}
    if receipt is None:
        return Clock(
            **common,
            instrument=instrument.instrument_id,
            receipt=None,
            effective=None,
            effective_at=None,
            pauses=(),
            retracted_by=None,
            state=ClockState.AWAITING_RECEIPT,
        )
    received_on = calendars.local_date(receipt.at, tz)
    pauses: list[Pause] = []
    computed = effective_date(
        rule,
        received_on=received_on,
        named_date=target.named_date,
        country=addressee.country,
        condition_met_on=condition_met_on,
    )
    for suspension, extensions in suspensions:
        if computed.on is None or calendars.local_date(suspension.received_at, tz) >= computed.on:
            continue  # too late: the notice already took effect
        pauses.append(suspension_pause(suspension, extensions))
        computed = effective_date(
            rule,
            received_on=received_on,
            named_date=target.named_date,
            pauses=pauses,
            country=addressee.country,
            condition_met_on=condition_met_on,
        )
    computed = ComputedDate(
        on=computed.on,
        rule=f"{computed.rule} [{source}]",
        inputs=(*computed.inputs, ("receipt_route", receipt.route)),
        pending=computed.pending,
        void=computed.void,
        estimated=computed.estimated,
    )
    effective_at = None
    if computed.on is not None:  # never before the act was received: "immediate" means on receipt
        effective_at = max(calendars.start_of_day(computed.on, tz), receipt.at)
    retracted_by = None
    if retraction is not None and (effective_at is None or retraction.received_at < effective_at):
        retracted_by = retraction.act.act_id
    return Clock(
        **common,
        instrument=instrument.instrument_id,
        receipt=receipt,
        effective=computed,
        effective_at=effective_at,
        pauses=tuple(pauses),
        retracted_by=retracted_by,
        state=_state(
            computed=computed,
            effective_at=effective_at,
            pauses=pauses,
            retracted_by=retracted_by,
            as_of=as_of,
            tz=tz,
        ),
    )


def _state(
    *,
    computed: ComputedDate,
    effective_at: datetime | None,
    pauses: Sequence[Pause],
    retracted_by: str | None,
    as_of: datetime,
    tz: str,
) -> ClockState:
    if retracted_by is not None:
        return ClockState.RETRACTED
    if computed.void is not None:
        return ClockState.VOID
    if effective_at is not None and as_of >= effective_at:
        return ClockState.EFFECTIVE
    today = calendars.local_date(as_of, tz)
    if any(p.start <= today and (p.end is None or today < p.end) for p in pauses):
        return ClockState.SUSPENDED
    if computed.pending is not None and computed.pending.startswith("awaiting condition"):
        return ClockState.PENDING_CONDITION
    return ClockState.RUNNING
