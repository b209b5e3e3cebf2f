"""Date rules, calendars and deemed receipt, including hypothesis properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depositary.acts import calendars
from depositary.acts.dates import DateRule, Pause, RuleKind, add_period, effective_date
from depositary.acts.receipt_rules import (
    DeliveryFacts,
    EvidenceKind,
    ReceiptMode,
    ReceiptRule,
    deemed_receipt,
)
from depositary.errors import ValidationError
from tests.acts.factory import t

DAYS_180 = DateRule(kind=RuleKind.DAYS, days=180)


@pytest.mark.parametrize(
    ("start", "years", "months", "expected"),
    [
        (date(2019, 11, 4), 1, 0, date(2020, 11, 4)),
        (date(2020, 2, 29), 1, 0, date(2021, 2, 28)),
        (date(2020, 1, 31), 0, 1, date(2020, 2, 29)),
        (date(2021, 1, 31), 0, 1, date(2021, 2, 28)),
        (date(2021, 8, 31), 0, 6, date(2022, 2, 28)),
        (date(2020, 3, 31), 0, 1, date(2020, 4, 30)),
    ],
)
def test_calendar_periods_clamp_to_month_end(
    start: date, years: int, months: int, expected: date
) -> None:
    assert add_period(start, years=years, months=months) == expected


def test_each_result_carries_rule_and_inputs() -> None:
    r = effective_date(DAYS_180, received_on=date(2020, 2, 11))
    assert r.on == date(2020, 8, 9)
    assert r.rule == "receipt + 180 days"
    assert dict(r.inputs) == {"received_on": "2020-02-11"}


def test_fixed_no_later_than_and_end_of_month() -> None:
    assert DateRule.end_of_month(2025, 9).on == date(2025, 9, 30)
    assert DateRule.end_of_month(2024, 2).on == date(2024, 2, 29)
    rule = DateRule(kind=RuleKind.FIXED_DATE, on=date(2011, 12, 31))
    assert effective_date(rule, received_on=date(2010, 1, 1)).on == date(2011, 12, 31)


def test_later_date_named_in_notice_governs_only_if_allowed_and_later() -> None:
    rule = DateRule(kind=RuleKind.CALENDAR_PERIOD, years=1, later_date_allowed=True)
    assert effective_date(
        rule, received_on=date(2019, 11, 4), named_date=date(2021, 1, 1)
    ).on == date(2021, 1, 1)
    assert effective_date(
        rule, received_on=date(2019, 11, 4), named_date=date(2020, 1, 1)
    ).on == date(2020, 11, 4)
    strict = DateRule(kind=RuleKind.CALENDAR_PERIOD, years=1)
    r = effective_date(strict, received_on=date(2019, 11, 4), named_date=date(2021, 1, 1))
    assert r.on == date(2020, 11, 4)
    assert "ignored" in r.rule


def test_conditional_waits_for_the_condition() -> None:
    rule = DateRule(
        kind=RuleKind.CONDITIONAL, condition="conditions on the ground and consultations"
    )
    r = effective_date(rule, received_on=date(2024, 9, 27))
    assert r.on is None
    assert r.pending is not None
    assert effective_date(
        rule, received_on=date(2024, 9, 27), condition_met_on=date(2026, 9, 1)
    ).on == date(2026, 9, 1)


def test_indefinite_suspension_leaves_no_date() -> None:
    r = effective_date(
        DAYS_180, received_on=date(2020, 2, 11), pauses=(Pause(start=date(2020, 6, 1), end=None),)
    )
    assert r.on is None
    assert r.pending == "suspended since 2020-06-01"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": RuleKind.DAYS}, "days needs days only"),
        ({"kind": RuleKind.CALENDAR_PERIOD, "days": 3}, "needs years or months"),
        ({"kind": RuleKind.FIXED_DATE}, "needs a date"),
        ({"kind": RuleKind.IMMEDIATE, "on": date(2020, 1, 1)}, "takes no date"),
        ({"kind": RuleKind.IMMEDIATE, "condition": "x"}, "conditional rule only"),
        ({"kind": RuleKind.DAYS, "days": -1}, "must not be negative"),
    ],
)
def test_bad_rules_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DateRule(**kwargs)  # type: ignore[arg-type]


def test_rule_round_trips() -> None:
    rule = DateRule(
        kind=RuleKind.CALENDAR_PERIOD,
        years=1,
        later_date_allowed=True,
        earliest_notice=date(2019, 11, 4),
    )
    assert DateRule.from_dict(rule.to_dict()) == rule


def test_business_days_use_country_weekend_and_holidays() -> None:
    # Iraq's weekend is Friday-Saturday; 2020-05-24..26 is Eid al-Fitr
    r = calendars.add_business_days(date(2020, 5, 21), 1, "IQ")  # Thursday
    assert r.on == date(2020, 5, 27)
    assert [h.on for h in r.skipped_holidays] == [
        date(2020, 5, 24),
        date(2020, 5, 25),
        date(2020, 5, 26),
    ]
    assert not r.estimated
    us = calendars.add_business_days(date(2020, 5, 21), 1, "US")
    assert us.on == date(2020, 5, 22)


def test_far_future_islamic_holidays_are_flagged_estimated() -> None:
    rule = DateRule(kind=RuleKind.BUSINESS_DAYS, days=10)
    r = effective_date(rule, received_on=date(2077, 8, 15), country="IQ")
    assert r.estimated
    near = effective_date(rule, received_on=date(2020, 3, 2), country="IQ")
    assert not near.estimated


def test_local_date_uses_time_zone() -> None:
    assert calendars.local_date(t("2019-11-05T03:00:00"), "America/New_York") == date(2019, 11, 4)
    assert calendars.local_date(t("2019-11-05T03:00:00"), "Asia/Baghdad") == date(2019, 11, 5)


def test_deemed_receipt_routes_and_refusal_does_not_stop_the_clock() -> None:
    facts = DeliveryFacts(
        published=t("2020-01-01T00:00:00"),
        delivered=t("2020-01-02T00:00:00"),
        refused=t("2020-01-01T12:00:00"),
    )
    informs = deemed_receipt(ReceiptRule(mode=ReceiptMode.DEPOSITARY_INFORMS), facts)
    assert informs is not None
    assert informs.at == t("2020-01-02T00:00:00")
    assert deemed_receipt(ReceiptRule(mode=ReceiptMode.ACTUAL), facts) is None
    plus = deemed_receipt(ReceiptRule(mode=ReceiptMode.PUBLICATION_PLUS_PERIOD, days=15), facts)
    assert plus is not None
    assert plus.at == t("2020-01-16T00:00:00")
    facts.note(EvidenceKind.RETRIEVED, t("2020-01-01T06:00:00"))
    actual = deemed_receipt(ReceiptRule(mode=ReceiptMode.PUBLICATION_PLUS_PERIOD, days=15), facts)
    assert actual is not None
    assert actual.route == "actual receipt"


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
rules = st.one_of(
    st.builds(lambda d: DateRule(kind=RuleKind.DAYS, days=d), st.integers(1, 800)),
    st.builds(
        lambda y, m: DateRule(kind=RuleKind.CALENDAR_PERIOD, years=y, months=m),
        st.integers(0, 3),
        st.integers(1, 24),
    ),
    st.just(DateRule(kind=RuleKind.IMMEDIATE)),
)


@settings(max_examples=200, deadline=None)
@given(
    rule=rules,
    received=dates,
    offset=st.integers(-50, 900),
    length=st.integers(0, 400),
    more=st.integers(0, 400),
)
def test_suspension_never_shortens_a_deadline(
    rule: DateRule, received: date, offset: int, length: int, more: int
) -> None:
    base = effective_date(rule, received_on=received).on
    start = received + timedelta(days=offset)
    one = effective_date(
        rule, received_on=received, pauses=(Pause(start=start, end=start + timedelta(days=length)),)
    )
    assert base is not None
    assert one.on is not None
    assert one.on >= base
    longer = effective_date(
        rule,
        received_on=received,
        pauses=(Pause(start=start, end=start + timedelta(days=length + more)),),
    )
    assert longer.on is not None
    assert longer.on >= one.on
    if base > start >= received:
        assert one.on == base + timedelta(days=length)  # the time left is kept
