"""The four real-case fixtures (facts paraphrased from the research notes) as log records."""

from __future__ import annotations

from datetime import date

from depositary.acts import bodies as b
from depositary.acts.clocks import LoggedAct
from depositary.acts.dates import DateRule, RuleKind
from depositary.acts.instruments import Case, Clause, Instrument, InstrumentKind, Presence
from depositary.acts.kinds import ActKind, NoticeType
from depositary.acts.receipt_rules import Evidence, EvidenceKind, ReceiptMode, ReceiptRule
from tests.acts.factory import PARTY_MAP, act, t

INVITATION = Instrument(
    instrument_id="iq-invitation-2014",
    title="Iraq's 2014 request for assistance",
    kind=InstrumentKind.INVITATION,
    parties=("iq", "us"),
)
VFA = Instrument(
    instrument_id="vfa",
    title="Visiting Forces Agreement",
    kind=InstrumentKind.AGREEMENT,
    parties=("ph", "us"),
    clauses=(
        Clause(
            clause_id="art-ix",
            notice_types=(NoticeType.TERMINATION,),
            rule=DateRule(kind=RuleKind.DAYS, days=180),
            receipt=ReceiptRule(mode=ReceiptMode.ACTUAL),
        ),
    ),
)
PARIS = Instrument(
    instrument_id="paris",
    title="Paris Agreement",
    kind=InstrumentKind.MULTILATERAL,
    parties=("us",),
    depositary="un",
    in_force_from=date(2016, 11, 4),
    clauses=(
        Clause(
            clause_id="art-28",
            notice_types=(NoticeType.WITHDRAWAL_FROM_MULTILATERAL,),
            rule=DateRule(
                kind=RuleKind.CALENDAR_PERIOD,
                years=1,
                later_date_allowed=True,
                earliest_notice=date(2019, 11, 4),
            ),
            receipt=ReceiptRule(mode=ReceiptMode.DEPOSITARY_RECEIPT),
        ),
    ),
)
SOFA = Instrument(
    instrument_id="sofa-2008",
    title="US-Iraq withdrawal agreement",
    kind=InstrumentKind.AGREEMENT,
    parties=("iq", "us"),
    in_force_from=date(2009, 1, 1),
    expires_on=date(2011, 12, 31),
    clauses=(
        Clause(
            clause_id="art-30-3",
            notice_types=(NoticeType.TERMINATION,),
            rule=DateRule(kind=RuleKind.CALENDAR_PERIOD, years=1),
        ),
    ),
)
CASE = Case(
    parties=PARTY_MAP,
    instruments={i.instrument_id: i for i in (INVITATION, VFA, PARIS, SOFA)},
    presences={
        p.presence_id: p
        for p in (
            Presence(
                presence_id="us-in-iq", sending="us", host="iq", instruments=("iq-invitation-2014",)
            ),
            Presence(presence_id="us-in-ph", sending="us", host="ph", instruments=("vfa",)),
            Presence(
                presence_id="us-in-iq-2009", sending="us", host="iq", instruments=("sofa-2008",)
            ),
        )
    },
)


def logged(a: object, at: str, *, authorised: bool = True) -> LoggedAct:
    return LoggedAct(act=a, received_at=t(at), authorised=authorised)  # type: ignore[arg-type]


def iraq_january_2020() -> list[LoggedAct | Evidence]:
    mandate = b.MandateBody(
        chamber="Council of Representatives",
        seats=329,
        quorum_rule=b.QuorumRule.ABSOLUTE_MAJORITY,
        quorum=165,
        present=None,
        votes_for=170,
        votes_against=0,
        abstentions=0,
        concerning=("us", "coalition", "ir"),
    )
    return [
        logged(
            act("iq-cor-2020-01-05", ActKind.DOMESTIC_MANDATE, mandate, to=()),
            "2020-01-05T14:00:00",
        ),
        logged(
            act(
                "iq-mfa-complaint",
                ActKind.COMPLAINT,
                b.ComplaintBody(to_party="un", about=()),
                to=("un",),
            ),
            "2020-01-05T18:00:00",
        ),
        logged(
            act(
                "wire-threat",
                ActKind.REPORTED_STATEMENT,
                b.ReportedBody(
                    speaker="US President",
                    source="https://example.org/report",
                    publisher="a news agency",
                    published_on=date(2020, 1, 5),
                    content_sha256="ab" * 32,
                    nature=b.StatementNature.THREAT,
                ),
                issuers=("wire",),
                to=("iq",),
            ),
            "2020-01-06T01:00:00",
        ),
        logged(
            act(
                "us-cmd-draft",
                ActKind.WITHDRAWAL_PLAN,
                b.ForcesBody(presence="us-in-iq", levels=()),
                issuers=("us",),
                to=("iq",),
            ),
            "2020-01-06T19:00:00",
            authorised=False,
        ),
        logged(
            act(
                "us-repudiation",
                ActKind.CORRECTION,
                b.CorrectionBody(of_act="us-cmd-draft", repudiation=True),
                issuers=("us",),
                to=("iq",),
            ),
            "2020-01-06T23:00:00",
        ),
        logged(
            act(
                "iq-pm-talks",
                ActKind.REQUEST_FOR_TALKS,
                b.TalksBody(
                    agenda=(
                        b.AgendaItem(number=1, title="a mechanism to carry out the withdrawal"),
                    ),
                    dates=(),
                    place="Baghdad",
                    respond_by=date(2020, 1, 12),
                ),
            ),
            "2020-01-09T21:00:00",
        ),
        logged(
            act(
                "us-refusal",
                ActKind.REFUSAL,
                b.RefusalBody(of_act="iq-pm-talks", agenda_items=(1,), reason=None),
                issuers=("us",),
                to=("iq",),
            ),
            "2020-01-10T16:00:00",
        ),
    ]


def vfa_notice(named: date | None = None) -> b.NoticeBody:
    return b.NoticeBody(
        notice_type=NoticeType.TERMINATION,
        targets=(b.Target(instrument="vfa", named_date=named),),
        grounds=None,
    )


def philippines_vfa() -> list[LoggedAct | Evidence]:
    ph = {"issuers": ("ph",), "to": ("us",)}
    return [
        # handed over on 11 Feb 2020, 14:00 in Manila, which is 01:00 on 11 Feb in New York
        logged(act("ph-vfa-notice", ActKind.NOTICE, vfa_notice(), **ph), "2020-02-11T06:00:00"),
        Evidence(
            act_id="ph-vfa-notice",
            kind=EvidenceKind.ACKNOWLEDGED,
            at=t("2020-02-11T06:00:00"),
            addressee="us",
        ),
        logged(
            act(
                "ph-susp-1",
                ActKind.SUSPENSION,
                b.SuspensionBody(
                    notice="ph-vfa-notice", starts_on=date(2020, 6, 1), months=6, days=0
                ),
                **ph,
            ),
            "2020-06-01T08:00:00",
        ),
        logged(
            act(
                "ph-ext-1",
                ActKind.SUSPENSION_EXTENSION,
                b.ExtensionBody(suspension="ph-susp-1", months=6, days=0),
                **ph,
            ),
            "2020-11-11T08:00:00",
        ),
        # the source gives June 2021 only; the 1st is assumed
        logged(
            act(
                "ph-susp-2",
                ActKind.SUSPENSION,
                b.SuspensionBody(
                    notice="ph-vfa-notice", starts_on=date(2021, 6, 1), months=6, days=0
                ),
                **ph,
            ),
            "2021-06-01T08:00:00",
        ),
        logged(
            act("ph-retract", ActKind.RETRACTION, b.RetractionBody(notice="ph-vfa-notice"), **ph),
            "2021-07-30T04:00:00",
        ),
    ]


def paris_withdrawal(received: str = "2019-11-04T16:00:00") -> list[LoggedAct | Evidence]:
    us = {"issuers": ("us",), "to": ("un",)}
    body = b.NoticeBody(
        notice_type=NoticeType.WITHDRAWAL_FROM_MULTILATERAL,
        targets=(b.Target(instrument="paris", named_date=None),),
        grounds=None,
    )
    return [
        logged(
            act("us-paris-intent", ActKind.STATEMENT_OF_INTENT, b.IntentBody(presences=()), **us),
            "2017-08-04T16:00:00",
        ),
        logged(act("us-paris-notice", ActKind.NOTICE, body, **us), received),
    ]
