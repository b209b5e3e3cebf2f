"""Date rules: when a notice takes effect, and how suspension and retraction move the clock.

Every computed date carries the rule and the inputs that produced it, so a reader can redo
the arithmetic. Dates are calendar dates in the addressee's time zone; callers convert
instants with ``calendars.local_date``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta

from depositary.acts import calendars, schema
from depositary.errors import ValidationError


class RuleKind(StrEnum):
    IMMEDIATE = "immediate"
    CALENDAR_PERIOD = "calendar_period"  # years are anniversaries; months clamp to month end
    DAYS = "days"
    BUSINESS_DAYS = "business_days"
    FIXED_DATE = "fixed_date"
    NO_LATER_THAN = "no_later_than"
    CONDITIONAL = "conditional"


@dataclass(frozen=True, slots=True, kw_only=True)
class DateRule:
    """How an instrument's clause fixes the date a notice takes effect.

    ``later_date_allowed``: the notice may name a later date, which then governs.
    ``earliest_notice``: a notice received before this date is void.
    """

    kind: RuleKind
    years: int = 0
    months: int = 0
    days: int = 0
    on: date | None = None
    condition: str | None = None
    later_date_allowed: bool = False
    earliest_notice: date | None = None

    def __post_init__(self) -> None:
        k = self.kind
        period = (self.years, self.months, self.days)
        if min(period) < 0:
            raise ValidationError("date rule: periods must not be negative")
        if k is RuleKind.CALENDAR_PERIOD and (self.days or not (self.years or self.months)):
            raise ValidationError("date rule: a calendar period needs years or months, not days")
        if k in (RuleKind.DAYS, RuleKind.BUSINESS_DAYS) and (
            self.years or self.months or not self.days
        ):
            raise ValidationError(f"date rule: {k.value} needs days only")
        if k in (RuleKind.FIXED_DATE, RuleKind.NO_LATER_THAN) and (self.on is None or any(period)):
            raise ValidationError(f"date rule: {k.value} needs a date and no period")
        if k not in (RuleKind.FIXED_DATE, RuleKind.NO_LATER_THAN) and self.on is not None:
            raise ValidationError(f"date rule: {k.value} takes no date")
        if (k is RuleKind.CONDITIONAL) != (self.condition is not None):
            raise ValidationError("date rule: a condition goes with a conditional rule only")
        if k in (RuleKind.IMMEDIATE, RuleKind.CONDITIONAL) and any(period):
            raise ValidationError(f"date rule: {k.value} takes no period")

    @classmethod
    def end_of_month(cls, year: int, month: int) -> DateRule:
        """'No later than the end of <month>': the last day of that month."""
        last = date(year, month, 1) + relativedelta(months=1) - timedelta(days=1)
        return cls(kind=RuleKind.NO_LATER_THAN, on=last)

    def describe(self) -> str:
        k = self.kind
        if k is RuleKind.CALENDAR_PERIOD:
            return f"receipt + {self.years} year(s) {self.months} month(s), calendar (anniversary)"
        if k is RuleKind.DAYS:
            return f"receipt + {self.days} days"
        if k is RuleKind.BUSINESS_DAYS:
            return f"receipt + {self.days} business days"
        if k in (RuleKind.FIXED_DATE, RuleKind.NO_LATER_THAN):
            return f"{k.value} {self.on}"
        if k is RuleKind.CONDITIONAL:
            return f"conditional: {self.condition}"
        return "immediate on receipt"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "years": self.years,
            "months": self.months,
            "days": self.days,
            "on": None if self.on is None else self.on.isoformat(),
            "condition": self.condition,
            "later_date_allowed": self.later_date_allowed,
            "earliest_notice": None
            if self.earliest_notice is None
            else self.earliest_notice.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: object) -> DateRule:
        w = "rule"
        names = (
            "kind",
            "years",
            "months",
            "days",
            "on",
            "condition",
            "later_date_allowed",
            "earliest_notice",
        )
        d = schema.fields(data, w, required=names)
        return cls(
            kind=schema.choice(d, "kind", w, RuleKind),
            years=schema.integer(d, "years", w, high=100),
            months=schema.integer(d, "months", w, high=1200),
            days=schema.integer(d, "days", w, high=36_500),
            on=None if d["on"] is None else schema.day(d, "on", w),
            condition=None
            if d["condition"] is None
            else schema.text(d, "condition", w, max_len=2000),
            later_date_allowed=schema.boolean(d, "later_date_allowed", w),
            earliest_notice=None
            if d["earliest_notice"] is None
            else schema.day(d, "earliest_notice", w),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Pause:
    """A suspension of a running clock from ``start`` (inclusive) to ``end`` (exclusive).

    ``end`` None: suspended until further notice.
    """

    start: date
    end: date | None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValidationError("pause: end before start")


@dataclass(frozen=True, slots=True, kw_only=True)
class ComputedDate:
    """A date with the rule and inputs that produced it.

    ``on`` is None when no date can be fixed yet (``pending`` says why) or the notice is
    void (``void`` says why). ``estimated`` marks dates that rest on estimated holidays.
    """

    on: date | None
    rule: str
    inputs: tuple[tuple[str, str], ...]
    pending: str | None = None
    void: str | None = None
    estimated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": None if self.on is None else self.on.isoformat(),
            "rule": self.rule,
            "inputs": dict(self.inputs),
            "pending": self.pending,
            "void": self.void,
            "estimated": self.estimated,
        }


def add_period(start: date, *, years: int = 0, months: int = 0) -> date:
    """Add calendar years and months; a missing day clamps to the month's end.

    31 Jan + 1 month is 28 or 29 Feb; 29 Feb + 1 year is 28 Feb.
    """
    return start + relativedelta(years=years, months=months)


def base_date(
    rule: DateRule, received_on: date, country: str | None
) -> tuple[date | None, bool, str | None]:
    """Return (date, estimated, pending) under ``rule`` from ``received_on``, before pauses."""
    k = rule.kind
    if k is RuleKind.IMMEDIATE:
        return received_on, False, None
    if k is RuleKind.CALENDAR_PERIOD:
        return add_period(received_on, years=rule.years, months=rule.months), False, None
    if k is RuleKind.DAYS:
        return received_on + timedelta(days=rule.days), False, None
    if k is RuleKind.BUSINESS_DAYS:
        if country is None:
            raise ValidationError("business days need the addressee's country")
        counted = calendars.add_business_days(received_on, rule.days, country)
        return counted.on, counted.estimated, None
    if k is RuleKind.CONDITIONAL:
        return None, False, f"awaiting condition: {rule.condition}"
    return rule.on, False, None


def effective_date(
    rule: DateRule,
    *,
    received_on: date,
    named_date: date | None = None,
    pauses: Sequence[Pause] = (),
    country: str | None = None,
    condition_met_on: date | None = None,
) -> ComputedDate:
    """Compute the date a notice takes effect under ``rule``.

    ``received_on``: the (deemed) receipt date in the addressee's time zone.
    ``named_date``: a later date named in the notice. ``pauses``: suspensions in order;
    a pause that starts before the date pushes it back by the pause's length, so the time
    left is kept. ``condition_met_on``: the date a conditional rule's condition was met.
    """
    inputs: list[tuple[str, str]] = [("received_on", received_on.isoformat())]
    if rule.earliest_notice is not None:
        inputs.append(("earliest_notice", rule.earliest_notice.isoformat()))
        if received_on < rule.earliest_notice:
            return ComputedDate(
                on=None,
                rule=rule.describe(),
                inputs=tuple(inputs),
                void=f"notice received before the earliest date {rule.earliest_notice}",
            )
    on, estimated, pending = base_date(rule, received_on, country)
    if rule.kind is RuleKind.CONDITIONAL and condition_met_on is not None:
        inputs.append(("condition_met_on", condition_met_on.isoformat()))
        on, pending = max(condition_met_on, received_on), None
    described = rule.describe()
    if named_date is not None:
        inputs.append(("named_date", named_date.isoformat()))
        if not rule.later_date_allowed:
            described += "; named date ignored (clause allows none)"
        elif on is not None and named_date > on:
            on = named_date
            described += "; later date named in the notice"
    for i, pause in enumerate(pauses):
        inputs.append((f"pause_{i}", f"{pause.start}..{'' if pause.end is None else pause.end}"))
        if on is None or pause.start >= on:
            continue
        if pause.end is None:
            on, pending = None, f"suspended since {pause.start}"
            continue
        left = on - max(pause.start, received_on)
        resumed = max(pause.end, received_on)
        on = resumed + left
    if on is not None and rule.kind is RuleKind.BUSINESS_DAYS and country is not None and pauses:
        rolled = calendars.roll_to_business_day(on, country)
        on, estimated = rolled.on, estimated or rolled.estimated
    return ComputedDate(
        on=on, rule=described, inputs=tuple(inputs), pending=pending, estimated=estimated
    )
