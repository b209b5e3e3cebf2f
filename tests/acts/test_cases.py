"""The real cases, with the dates the record must derive."""

from __future__ import annotations

from datetime import date

from depositary.acts import bodies as b
from depositary.acts.clocks import ClockState
from depositary.acts.kinds import ActKind, NoticeType
from depositary.acts.presence_views import LegalState
from depositary.acts.receipt_rules import Evidence, EvidenceKind
from depositary.acts.status import derive_status
from tests.acts.cases import CASE, iraq_january_2020, logged, paris_withdrawal, philippines_vfa
from tests.acts.factory import act, t


def test_iraq_january_2020_starts_no_clock_and_contests_consent() -> None:
    s = derive_status(CASE, iraq_january_2020(), t("2020-02-01T00:00:00"))
    assert all(not a.clocks for a in s.acts.values())
    assert s.acts["iq-cor-2020-01-05"].inoperative == "domestic_mandate is not operative"
    assert s.acts["us-cmd-draft"].inoperative == "unsigned or signed without authority"
    assert s.reported == ("wire-threat",)
    assert s.acts["iq-pm-talks"].responses == ("us-refusal",)
    (deadline,) = s.acts["iq-pm-talks"].deadlines
    assert deadline.met_by == "us-refusal"
    assert not deadline.overdue
    p = s.presences["us-in-iq"]
    assert [c.state for c in p.host_view] == [LegalState.CONSENTED, LegalState.CONTESTED]
    assert p.host_view[1].at == t("2020-01-05T14:00:00")
    assert p.sending_view[-1].state is LegalState.CONSENTED
    assert p.disputed
    before = derive_status(CASE, iraq_january_2020(), t("2020-01-05T13:59:59"))
    assert before.presences["us-in-iq"].host_state is LegalState.CONSENTED


def test_iraq_talks_unanswered_become_overdue() -> None:
    records = iraq_january_2020()[:-1]  # without the refusal
    (d,) = derive_status(CASE, records, t("2020-01-12T20:00:00")).acts["iq-pm-talks"].deadlines
    assert not d.overdue  # 12 Jan still runs in New York
    (d,) = derive_status(CASE, records, t("2020-01-13T05:00:00")).acts["iq-pm-talks"].deadlines
    assert d.overdue
    assert d.met_by is None


def test_iraq_counterfactual_withdrawal_of_consent_is_immediate_and_refusal_does_not_stop_it() -> (
    None
):
    notice = act(
        "iq-notice",
        ActKind.NOTICE,
        b.NoticeBody(
            notice_type=NoticeType.WITHDRAWAL_OF_CONSENT,
            targets=(b.Target(instrument="iq-invitation-2014", named_date=None),),
            grounds=None,
        ),
        to=("us",),
    )
    records = [
        logged(notice, "2020-01-11T09:00:00"),
        Evidence(act_id="iq-notice", kind=EvidenceKind.PUBLISHED, at=t("2020-01-11T09:00:05")),
        Evidence(
            act_id="iq-notice",
            kind=EvidenceKind.DELIVERED,
            at=t("2020-01-11T09:01:00"),
            addressee="us",
        ),
        Evidence(
            act_id="iq-notice",
            kind=EvidenceKind.REFUSED,
            at=t("2020-01-11T12:00:00"),
            addressee="us",
        ),
    ]
    s = derive_status(CASE, records, t("2020-01-20T00:00:00"))
    (clock,) = s.acts["iq-notice"].clocks
    assert clock.receipt is not None
    assert clock.receipt.at == t("2020-01-11T09:01:00")
    assert clock.effective is not None
    assert clock.effective.on == date(2020, 1, 11)
    assert clock.state is ClockState.EFFECTIVE
    assert s.acts["iq-notice"].refused_by == ("us",)
    p = s.presences["us-in-iq"]
    assert LegalState.TERMINATED in [c.state for c in p.host_view]
    assert p.host_state is LegalState.PRESENCE_WITHOUT_CONSENT
    assert p.sending_state is LegalState.TERMINATED


def test_philippines_vfa_180_days_suspended_extended_retracted() -> None:
    log = philippines_vfa()

    def clock_at(when: str):
        (c,) = derive_status(CASE, log, t(when)).acts["ph-vfa-notice"].clocks
        return c

    c = clock_at("2020-03-01T00:00:00")
    assert c.effective is not None
    assert c.effective.on == date(2020, 8, 9)
    assert ("received_on", "2020-02-11") in c.effective.inputs
    c = clock_at("2020-06-15T00:00:00")
    assert c.state is ClockState.SUSPENDED
    assert c.effective is not None
    assert c.effective.on == date(2021, 2, 8)  # 1 Dec 2020 + 69 days left
    c = clock_at("2020-11-20T00:00:00")
    assert c.effective is not None
    assert c.effective.on == date(2021, 8, 9)  # suspension to 1 Jun 2021
    c = clock_at("2021-06-10T00:00:00")
    assert c.effective is not None
    assert c.effective.on == date(2022, 2, 8)
    c = clock_at("2021-08-01T00:00:00")
    assert c.state is ClockState.RETRACTED
    s = derive_status(CASE, log, t("2023-01-01T00:00:00"))
    states = [x.state for x in s.presences["us-in-ph"].host_view]
    assert states[-1] is LegalState.RESTORED
    assert LegalState.TERMINATED not in states
    assert LegalState.SUSPENDED in states


def test_paris_one_year_is_the_anniversary_not_365_days() -> None:
    s = derive_status(CASE, paris_withdrawal(), t("2020-01-01T00:00:00"))
    assert s.acts["us-paris-intent"].inoperative is not None
    assert not s.acts["us-paris-intent"].clocks
    (c,) = s.acts["us-paris-notice"].clocks
    assert c.effective is not None
    assert c.effective.on == date(2020, 11, 4)
    assert c.effective.on != date(2019, 11, 4).fromordinal(date(2019, 11, 4).toordinal() + 365)
    # 03:00 UTC on 5 Nov is still 4 Nov in New York, the depositary's date
    (c,) = (
        derive_status(CASE, paris_withdrawal("2019-11-05T03:00:00"), t("2020-01-01T00:00:00"))
        .acts["us-paris-notice"]
        .clocks
    )
    assert c.effective is not None
    assert c.effective.on == date(2020, 11, 4)
    assert c.effective_at == t("2020-11-04T05:00:00")


def test_paris_notice_before_the_earliest_date_is_void() -> None:
    (c,) = (
        derive_status(CASE, paris_withdrawal("2019-11-03T12:00:00"), t("2021-01-01T00:00:00"))
        .acts["us-paris-notice"]
        .clocks
    )
    assert c.state is ClockState.VOID
    assert c.effective is not None
    assert c.effective.on is None


def test_sofa_expires_after_31_december_2011_in_baghdad() -> None:
    p = derive_status(CASE, [], t("2011-12-31T20:00:00")).presences["us-in-iq-2009"]
    assert p.host_state is LegalState.CONSENTED  # 23:00 in Baghdad
    p = derive_status(CASE, [], t("2011-12-31T21:00:00")).presences["us-in-iq-2009"]
    assert p.host_state is LegalState.TERMINATED
    assert p.host_view[-1].at == t("2011-12-31T21:00:00")


def test_sofa_termination_notice_takes_effect_one_year_after_receipt() -> None:
    notice = act(
        "iq-sofa-notice",
        ActKind.NOTICE,
        b.NoticeBody(
            notice_type=NoticeType.TERMINATION,
            targets=(b.Target(instrument="sofa-2008", named_date=None),),
            grounds=None,
        ),
        to=("us",),
    )
    done = act(
        "done",
        ActKind.COMPLETION_REPORT,
        b.CompletionBody(presence="us-in-iq-2009", completed_on=date(2011, 3, 1), sites=()),
        issuers=("iq", "us"),
        to=(),
    )
    records = [
        logged(notice, "2010-03-15T10:00:00"),
        Evidence(
            act_id="iq-sofa-notice",
            kind=EvidenceKind.ACKNOWLEDGED,
            at=t("2010-03-16T10:00:00"),
            addressee="us",
        ),
    ]
    s = derive_status(CASE, records, t("2011-04-01T00:00:00"))
    (c,) = s.acts["iq-sofa-notice"].clocks
    assert c.effective is not None
    assert c.effective.on == date(2011, 3, 16)
    assert s.presences["us-in-iq-2009"].host_state is LegalState.PRESENCE_WITHOUT_CONSENT
    s = derive_status(
        CASE, [*records, logged(done, "2011-03-20T10:00:00")], t("2011-04-01T00:00:00")
    )
    assert s.presences["us-in-iq-2009"].host_state is LegalState.WITHDRAWN
