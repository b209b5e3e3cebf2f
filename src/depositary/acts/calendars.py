"""Local dates in a party's time zone, and business days with a country's weekend and holidays.

Time zones come from ``zoneinfo`` backed by the pinned ``tzdata`` package; holidays from the
``holidays`` package, whose Islamic-calendar dates beyond its tables are *estimated* and
flagged so here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from depositary.errors import ValidationError

_ESTIMATED = "(estimated)"


def local_date(at: datetime, time_zone: str) -> date:
    """Return the calendar date of the aware instant ``at`` in ``time_zone``.

    Raises:
        ValidationError: ``at`` is naive.
    """
    if at.tzinfo is None:
        raise ValidationError("time must be timezone-aware")
    return at.astimezone(ZoneInfo(time_zone)).date()


def start_of_day(day: date, time_zone: str) -> datetime:
    """Return the UTC instant at which ``day`` begins in ``time_zone``."""
    local = datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(time_zone))
    return local.astimezone(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Holiday:
    on: date
    name: str
    estimated: bool


@lru_cache(maxsize=256)
def _year_calendar(country: str, year: int) -> tuple[frozenset[int], dict[date, Holiday]]:
    try:
        table = holidays.country_holidays(country, years=year, language="en_US")
    except NotImplementedError as e:
        raise ValidationError(f"no holiday calendar for country {country!r}") from e
    found: dict[date, Holiday] = {}
    for on, name in table.items():
        found[on] = Holiday(on=on, name=name, estimated=_ESTIMATED in name)
    return frozenset(table.weekend), found


def weekend(country: str, year: int) -> frozenset[int]:
    """Return the weekday numbers (Monday 0) of ``country``'s weekend."""
    return _year_calendar(country, year)[0]


def holiday_on(country: str, day: date) -> Holiday | None:
    """Return the public holiday on ``day`` in ``country``, if any."""
    return _year_calendar(country, day.year)[1].get(day)


def is_business_day(country: str, day: date) -> bool:
    """True unless ``day`` falls on ``country``'s weekend or a public holiday."""
    return day.weekday() not in weekend(country, day.year) and holiday_on(country, day) is None


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessDayCount:
    """The result of counting business days, with every holiday that was skipped."""

    on: date
    skipped_holidays: tuple[Holiday, ...]

    @property
    def estimated(self) -> bool:
        return any(h.estimated for h in self.skipped_holidays)


def _note_holiday(country: str, day: date, skipped: list[Holiday]) -> None:
    h = holiday_on(country, day)
    if h is not None:
        skipped.append(h)


def add_business_days(start: date, count: int, country: str) -> BusinessDayCount:
    """Return the ``count``-th business day after ``start`` (``start`` itself not counted).

    Requires count >= 0; with 0, returns ``start`` or the next business day.
    """
    if count < 0:
        raise ValidationError("business day count must be >= 0")
    skipped: list[Holiday] = []
    day = start
    if count == 0:
        while not is_business_day(country, day):
            _note_holiday(country, day, skipped)
            day += timedelta(days=1)
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_business_day(country, day):
            remaining -= 1
        else:
            _note_holiday(country, day, skipped)
    return BusinessDayCount(on=day, skipped_holidays=tuple(skipped))


def roll_to_business_day(day: date, country: str) -> BusinessDayCount:
    """Return ``day`` or, if it is not a business day, the next one."""
    return add_business_days(day, 0, country)
