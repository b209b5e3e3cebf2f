"""The January 2020 case as a replayable scenario (facts paraphrased; see docs/demo.md).

What happened is replayed as it happened: the parliament's resolution, the
complaint to the United Nations, the reported sanctions threat, a commander's
draft letter sent without authority, the prime minister's request for talks on
a withdrawal mechanism, and the refusal to put withdrawal on the agenda. Then
the scenario shows what the mechanism makes possible and what was missing in
2020: a formal notice withdrawing consent, addressed to every foreign force
with its own legal basis, delivered, retrieved, acknowledged or met with
silence, and a deadline passing without a reply.

Keys are derived from fixed demo seeds so a replay is reproducible; they are
for the demo only. Pure data: nothing here reads a clock or does I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

from depositary.acts import bodies as b
from depositary.acts.act import Act, Addressee, Text
from depositary.acts.instruments import Instrument, InstrumentKind, Presence
from depositary.acts.kinds import ActKind, NoticeType
from depositary.acts.parties import KeyUse, Organ, OrganRole, Party, PartyKey, PartyKind
from depositary.crypto.ed25519 import Signer
from depositary.records.statements import Admission, CaseRecord

CASE_ID = "iraq-2020"
ORIGIN = "demo.depositary.example/log"
KEYS_FROM = datetime(2019, 1, 1, tzinfo=UTC)


def demo_signer(holder: str) -> Signer:
    """The demo key of ``holder`` (a fixed, public seed: never use outside the demo)."""
    return Signer(hashlib.sha256(b"depositary demo key/" + holder.encode()).digest())


def at(value: str) -> datetime:
    """``'2020-01-05T09:00'`` (UTC) as an aware datetime."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Holder:
    holder: str
    organ: str
    role: OrganRole
    organ_name: str
    root: bool = False


PARTIES: dict[str, tuple[Party, tuple[Holder, ...], tuple[str, ...]]] = {
    "iq": (
        Party(party_id="iq", name="Republic of Iraq", kind=PartyKind.STATE,
              time_zone="Asia/Baghdad", country="IQ"),
        (
            Holder("iq-presidency-seal", "iq-presidency", OrganRole.HEAD_OF_STATE,
                   "Presidency of the Republic", root=True),
            Holder("iq-prime-minister", "iq-pm", OrganRole.HEAD_OF_GOVERNMENT, "Prime Minister"),
            Holder("iq-foreign-minister", "iq-fm", OrganRole.FOREIGN_MINISTER,
                   "Minister of Foreign Affairs"),
            Holder("iq-speaker", "iq-cor", OrganRole.PARLIAMENT, "Council of Representatives"),
        ),
        ("iq",),
    ),
    "us": (
        Party(party_id="us", name="United States of America", kind=PartyKind.STATE,
              time_zone="America/New_York", country="US"),
        (
            Holder("us-secretary-of-state", "us-sec", OrganRole.FOREIGN_MINISTER,
                   "Secretary of State", root=True),
            Holder("us-task-force-commander", "us-cjtf", OrganRole.MILITARY_COMMAND,
                   "Combined Joint Task Force"),
        ),
        ("us",),
    ),
    "coalition": (
        Party(party_id="coalition", name="Global Coalition against Daesh",
              kind=PartyKind.COALITION, time_zone="Asia/Baghdad"),
        (Holder("coalition-secretariat-seal", "coalition-sec", OrganRole.SECRETARIAT,
                "Coalition secretariat", root=True),),
        ("coalition",),
    ),
    "ir": (
        Party(party_id="ir", name="Islamic Republic of Iran", kind=PartyKind.STATE,
              time_zone="Asia/Tehran", country="IR"),
        (Holder("ir-foreign-minister", "ir-fm", OrganRole.FOREIGN_MINISTER,
                "Minister of Foreign Affairs", root=True),),
        ("ir",),
    ),
    "un": (
        Party(party_id="un", name="United Nations", kind=PartyKind.INTERNATIONAL_ORGANISATION,
              time_zone="America/New_York"),
        (Holder("un-secretariat-seal", "un-sg", OrganRole.SECRETARIAT, "Secretariat",
                root=True),),
        ("un",),
    ),
    "wire": (
        Party(party_id="wire", name="A news agency (reporter)", kind=PartyKind.REPORTER),
        (Holder("wire-editor", "wire-desk", OrganRole.NEWSROOM, "News desk"),),
        ("wire",),
    ),
}  # fmt: skip


def admission(party_id: str, endpoints: tuple[str, ...] = ()) -> Admission:
    """The admission of one demo party, with its organs and demo keys."""
    party, holders, _ = PARTIES[party_id]
    organs = {h.organ: Organ(organ_id=h.organ, party_id=party_id, role=h.role, name=h.organ_name)
              for h in holders}  # fmt: skip
    keys = tuple(
        PartyKey(
            public_key=demo_signer(h.holder).public_key, party_id=party_id, organ_id=h.organ,
            holder=h.holder, use=KeyUse.SEAL if h.root else KeyUse.PERSONAL, root=h.root,
            valid_from=KEYS_FROM,
        )
        for h in holders
    )  # fmt: skip
    return Admission(party=party, organs=tuple(organs.values()), keys=keys, endpoints=endpoints)


REQUEST_2014 = Instrument(
    instrument_id="iq-request-2014",
    title="Iraq's 2014 requests for international assistance against ISIL "
    "(letters to the Security Council, S/2014/440 and S/2014/691)",
    kind=InstrumentKind.INVITATION,
    parties=("iq", "us"),
    in_force_from=date(2014, 9, 20),
)
COALITION_2014 = Instrument(
    instrument_id="iq-coalition-request-2014",
    title="Iraq's 2014 request for assistance, as the basis of the coalition's presence",
    kind=InstrumentKind.INVITATION,
    parties=("iq", "coalition"),
    in_force_from=date(2014, 9, 20),
)
IRAN_ADVISERS = Instrument(
    instrument_id="iq-ir-advisers",
    title="Arrangement for Iranian military advisers (illustrative: no public instrument)",
    kind=InstrumentKind.INVITATION,
    parties=("iq", "ir"),
)

CASE = CaseRecord(
    case_id=CASE_ID,
    title="Iraq: the request that foreign forces leave (January 2020)",
    parties=("iq", "us", "coalition", "ir", "un", "wire"),
    instruments=(REQUEST_2014, COALITION_2014, IRAN_ADVISERS),
    presences=(
        Presence(presence_id="us-in-iq", sending="us", host="iq",
                 instruments=("iq-request-2014",)),
        Presence(presence_id="coalition-in-iq", sending="coalition", host="iq",
                 instruments=("iq-coalition-request-2014",)),
        Presence(presence_id="ir-in-iq", sending="ir", host="iq", instruments=("iq-ir-advisers",)),
    ),
)  # fmt: skip


def _texts(ar: str, en: str) -> tuple[Text, ...]:
    return (
        Text(lang="ar", authentic=True, content=ar),
        Text(lang="en", authentic=True, content=en),
    )


def _en(en: str) -> tuple[Text, ...]:
    return (Text(lang="en", authentic=True, content=en),)


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One thing that happens at ``at``: an act signed by ``signers``, or a party's action."""

    at: datetime
    caption: str
    act: Act | None = None
    signers: tuple[str, ...] = ()
    retrieve: str | None = None  # a party pulls its inbox
    formal: bool = True  # False: what happened outside any formal channel


MANDATE = b.MandateBody(
    chamber="Council of Representatives", seats=329, quorum_rule=b.QuorumRule.ABSOLUTE_MAJORITY,
    quorum=165, present=None, votes_for=170, votes_against=0, abstentions=0,
    concerning=("us", "coalition", "ir"),
)  # fmt: skip

THREAT_TEXT = (
    b"Report: the US President said sanctions would follow if US troops were made to leave Iraq."
)


def steps() -> list[Step]:
    """The scenario, in the order it is replayed."""
    return [
        Step(
            at=at("2020-01-05T12:00"),
            caption="Parliament resolves that the government must end the foreign presence "
            "(170 for, 0 against; a domestic mandate, so no clock starts)",
            signers=("iq-speaker",),
            act=Act(
                act_id="iq-cor-resolution-2020-01-05", kind=ActKind.DOMESTIC_MANDATE,
                issuers=("iq",), addressees=(), made_at=at("2020-01-05T11:30"),
                texts=_texts(
                    "قرار مجلس النواب بإلزام الحكومة بإنهاء وجود القوات الأجنبية",
                    "Resolution obliging the government to end the presence of foreign forces "
                    "and to withdraw its request for assistance.",
                ),
                body=MANDATE,
            ),
        ),
        Step(
            at=at("2020-01-05T18:00"),
            caption="The foreign minister complains to the United Nations about the strikes",
            signers=("iq-foreign-minister",),
            act=Act(
                act_id="iq-complaint-2020-01-05", kind=ActKind.COMPLAINT, issuers=("iq",),
                addressees=(Addressee(party="un", legal_basis=()),),
                made_at=at("2020-01-05T17:00"),
                texts=_en("Complaint to the Secretary-General and the Security Council about "
                          "the strikes carried out on Iraqi territory without consent."),
                body=b.ComplaintBody(to_party="un", about=()),
            ),
        ),
        Step(
            at=at("2020-01-06T01:00"),
            caption="A news agency records a reported threat of sanctions (shown apart: "
            "not a formal act of the speaker)",
            signers=("wire-editor",), formal=False,
            act=Act(
                act_id="wire-sanctions-threat-2020-01-05", kind=ActKind.REPORTED_STATEMENT,
                issuers=("wire",), addressees=(Addressee(party="iq", legal_basis=()),),
                made_at=at("2020-01-06T00:30"), texts=_en(THREAT_TEXT.decode()),
                body=b.ReportedBody(
                    speaker="President of the United States", source="https://example.org/report",
                    publisher="a news agency", published_on=date(2020, 1, 5),
                    content_sha256=hashlib.sha256(THREAT_TEXT).hexdigest(),
                    nature=b.StatementNature.THREAT,
                ),
            ),
        ),
        Step(
            at=at("2020-01-06T19:00"),
            caption="A task-force commander's letter announcing repositioning is sent without "
            "authority: refused, and the refusal is on the record",
            signers=("us-task-force-commander",),
            act=Act(
                act_id="us-cjtf-letter-2020-01-06", kind=ActKind.WITHDRAWAL_PLAN, issuers=("us",),
                addressees=(Addressee(party="iq", legal_basis=("iq-request-2014",)),),
                made_at=at("2020-01-06T18:00"),
                texts=_en("Letter informing the Iraqi military that forces will be repositioned "
                          "to prepare for onward movement."),
                body=b.ForcesBody(presence="us-in-iq", levels=()),
            ),
        ),
        Step(
            at=at("2020-01-09T21:00"),
            caption="The prime minister asks the United States to send delegates to agree a "
            "mechanism for the withdrawal (reply asked by 16 January)",
            signers=("iq-prime-minister",),
            act=Act(
                act_id="iq-pm-talks-2020-01-09", kind=ActKind.REQUEST_FOR_TALKS, issuers=("iq",),
                addressees=(Addressee(party="us", legal_basis=("iq-request-2014",)),),
                made_at=at("2020-01-09T20:30"),
                texts=_texts(
                    "طلب إرسال وفد لإعداد آلية لتنفيذ قرار البرلمان بشأن انسحاب القوات الأجنبية",
                    "Request to send delegates to prepare a mechanism to carry out the "
                    "parliament's resolution on the withdrawal of foreign forces.",
                ),
                body=b.TalksBody(
                    agenda=(b.AgendaItem(number=1, title="A mechanism for the withdrawal"),
                            b.AgendaItem(number=2, title="A timetable for the withdrawal")),
                    dates=(), place="Baghdad", respond_by=date(2020, 1, 16),
                ),
            ),
        ),
        Step(
            at=at("2020-01-10T16:00"),
            caption="The United States answers that a delegation would not discuss withdrawal "
            "(refusal of agenda items 1 and 2)",
            signers=("us-secretary-of-state",),
            act=Act(
                act_id="us-refusal-2020-01-10", kind=ActKind.REFUSAL, issuers=("us",),
                addressees=(Addressee(party="iq", legal_basis=()),), made_at=at("2020-01-10T15:30"),
                texts=_en("Any delegation would discuss the partnership and force posture, "
                          "not the withdrawal of troops."),
                body=b.RefusalBody(of_act="iq-pm-talks-2020-01-09", agenda_items=(1, 2),
                                   reason="the presence continues the fight against ISIS"),
            ),
        ),
        Step(
            at=at("2020-01-12T09:00"),
            caption="The mechanism: Iraq's formal notice withdrawing consent, to every foreign "
            "force on its own legal basis",
            signers=("iq-prime-minister",),
            act=Act(
                act_id="iq-notice-2020-01-12", kind=ActKind.NOTICE, issuers=("iq",),
                addressees=(
                    Addressee(party="us", legal_basis=("iq-request-2014",)),
                    Addressee(party="coalition", legal_basis=("iq-coalition-request-2014",)),
                    Addressee(party="ir", legal_basis=("iq-ir-advisers",)),
                ),
                made_at=at("2020-01-12T08:00"),
                texts=_texts(
                    "إشعار بسحب موافقة جمهورية العراق على وجود القوات الأجنبية على أراضيها",
                    "Notice that the Republic of Iraq withdraws its consent to the presence of "
                    "foreign forces on its territory.",
                ),
                body=b.NoticeBody(
                    notice_type=NoticeType.WITHDRAWAL_OF_CONSENT,
                    targets=(b.Target(instrument="iq-request-2014", named_date=None),
                             b.Target(instrument="iq-coalition-request-2014", named_date=None),
                             b.Target(instrument="iq-ir-advisers", named_date=None)),
                    grounds="Resolution of the Council of Representatives of 5 January 2020",
                ),
            ),
        ),
        Step(
            at=at("2020-01-12T09:30"),
            caption="The same day Iraq asks the coalition for talks on the withdrawal "
            "(reply asked by 19 January)",
            signers=("iq-foreign-minister",),
            act=Act(
                act_id="iq-coalition-talks-2020-01-12", kind=ActKind.REQUEST_FOR_TALKS,
                issuers=("iq",),
                addressees=(Addressee(party="coalition",
                                      legal_basis=("iq-coalition-request-2014",)),),
                made_at=at("2020-01-12T09:00"),
                texts=_en("Request for talks on the timetable of the coalition's withdrawal."),
                body=b.TalksBody(
                    agenda=(b.AgendaItem(number=1, title="Timetable of the withdrawal"),),
                    dates=(), place="Baghdad", respond_by=date(2020, 1, 19),
                ),
            ),
        ),
        Step(at=at("2020-01-13T08:00"), caption="The United States retrieves its inbox "
             "(retrieval is evidence; it never acknowledges)", retrieve="us"),
        Step(
            at=at("2020-01-13T10:00"),
            caption="Iran acknowledges receipt of the notice (an acknowledgment, not acceptance)",
            signers=("ir-foreign-minister",),
            act=Act(
                act_id="ir-ack-2020-01-13", kind=ActKind.ACKNOWLEDGMENT, issuers=("ir",),
                addressees=(Addressee(party="iq", legal_basis=()),), made_at=at("2020-01-13T09:45"),
                texts=_en("Receipt of the notice of 12 January 2020 is acknowledged."),
                body=b.AcknowledgmentBody(of_act="iq-notice-2020-01-12"),
            ),
        ),
    ]  # fmt: skip


END = at("2020-01-31T12:00")
"""Where the replay stops: past both reply dates."""
