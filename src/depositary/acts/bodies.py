"""The kind-specific part of each act: one strict schema per act kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import ClassVar

from depositary.acts import fieldcodec as fc
from depositary.acts.fieldcodec import Codec, Record
from depositary.acts.kinds import ActKind, NoticeType
from depositary.acts.parties import Delegation, PartyKey, key_from_text, key_to_text
from depositary.errors import ValidationError

KEY = Codec(lambda d, n, w: key_from_text(d[n], f"{w}.{n}"), key_to_text)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentBody(Record):
    """Consent or invitation: the legal basis of the presences named."""

    WHERE: ClassVar[str] = "consent"
    FIELDS: ClassVar = (("instruments", fc.IDS), ("presences", fc.IDS))
    instruments: tuple[str, ...]
    presences: tuple[str, ...]


class QuorumRule(StrEnum):
    ABSOLUTE_MAJORITY = "absolute_majority"  # more than half of all seats
    FIXED = "fixed"


@dataclass(frozen=True, slots=True, kw_only=True)
class MandateBody(Record):
    """A chamber's resolution with its tally; decided by simple majority after quorum."""

    WHERE: ClassVar[str] = "mandate"
    FIELDS: ClassVar = (
        ("chamber", fc.text(200)),
        ("seats", fc.INT),
        ("quorum_rule", fc.choice(QuorumRule)),
        ("quorum", fc.INT),
        ("present", fc.optional(fc.INT)),
        ("votes_for", fc.INT),
        ("votes_against", fc.INT),
        ("abstentions", fc.INT),
        ("concerning", fc.IDS),
    )
    chamber: str
    seats: int
    quorum_rule: QuorumRule
    quorum: int
    present: int | None
    votes_for: int
    votes_against: int
    abstentions: int
    concerning: tuple[str, ...]

    def __post_init__(self) -> None:
        cast = self.votes_for + self.votes_against + self.abstentions
        if self.seats < 1:
            raise ValidationError("mandate: a chamber needs at least one seat")
        if not 1 <= self.quorum <= self.seats:
            raise ValidationError(f"mandate: quorum {self.quorum} outside 1..{self.seats} seats")
        if self.quorum_rule is QuorumRule.ABSOLUTE_MAJORITY and self.quorum != self.seats // 2 + 1:
            raise ValidationError(
                f"mandate: absolute-majority quorum of {self.seats} seats is "
                f"{self.seats // 2 + 1}, not {self.quorum}"
            )
        if cast > self.seats:
            raise ValidationError(f"mandate: {cast} votes cast exceed {self.seats} seats")
        present = cast if self.present is None else self.present
        if self.present is not None and not cast <= self.present <= self.seats:
            raise ValidationError(f"mandate: {self.present} present cannot cast {cast} votes")
        if present < self.quorum:
            raise ValidationError(
                f"mandate: quorum not met ({present} present, {self.quorum} needed)"
            )
        if self.votes_for <= self.votes_against:
            raise ValidationError(
                f"mandate: no simple majority ({self.votes_for} for, {self.votes_against} against)"
            )
        if not self.concerning:
            raise ValidationError("mandate: must name the parties whose presence it concerns")


@dataclass(frozen=True, slots=True, kw_only=True)
class Target(Record):
    """One instrument a notice targets, with an optional later date named for it."""

    WHERE: ClassVar[str] = "target"
    FIELDS: ClassVar = (("instrument", fc.ID), ("named_date", fc.optional(fc.DATE)))
    instrument: str
    named_date: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeBody(Record):
    WHERE: ClassVar[str] = "notice"
    FIELDS: ClassVar = (
        ("notice_type", fc.choice(NoticeType)),
        ("targets", fc.nested_list(Target.from_dict, max_len=50)),
        ("grounds", fc.optional(fc.text(20_000))),
    )
    notice_type: NoticeType
    targets: tuple[Target, ...]
    grounds: str | None

    def __post_init__(self) -> None:
        names = [t.instrument for t in self.targets]
        if not names:
            raise ValidationError("notice: must name at least one instrument")
        if len(set(names)) != len(names):
            raise ValidationError("notice: an instrument is named twice")


@dataclass(frozen=True, slots=True, kw_only=True)
class SuspensionBody(Record):
    """Pause a pending notice from ``starts_on`` for months and days (both 0: indefinitely)."""

    WHERE: ClassVar[str] = "suspension"
    FIELDS: ClassVar = (
        ("notice", fc.ID),
        ("starts_on", fc.DATE),
        ("months", fc.INT),
        ("days", fc.INT),
    )
    notice: str
    starts_on: date
    months: int
    days: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionBody(Record):
    """Extend a running suspension by months and days."""

    WHERE: ClassVar[str] = "extension"
    FIELDS: ClassVar = (("suspension", fc.ID), ("months", fc.INT), ("days", fc.INT))
    suspension: str
    months: int
    days: int

    def __post_init__(self) -> None:
        if not (self.months or self.days):
            raise ValidationError("extension: must extend by some months or days")


@dataclass(frozen=True, slots=True, kw_only=True)
class RetractionBody(Record):
    WHERE: ClassVar[str] = "retraction"
    FIELDS: ClassVar = (("notice", fc.ID),)
    notice: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AgendaItem(Record):
    WHERE: ClassVar[str] = "agenda_item"
    FIELDS: ClassVar = (("number", fc.INT), ("title", fc.text(2000)))
    number: int
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TalksBody(Record):
    """A request for talks: numbered agenda, proposed dates, place, and an answer-by date."""

    WHERE: ClassVar[str] = "request_for_talks"
    FIELDS: ClassVar = (
        ("agenda", fc.nested_list(AgendaItem.from_dict, max_len=100)),
        ("dates", fc.dates()),
        ("place", fc.optional(fc.text(500))),
        ("respond_by", fc.optional(fc.DATE)),
    )
    agenda: tuple[AgendaItem, ...]
    dates: tuple[date, ...]
    place: str | None
    respond_by: date | None

    def __post_init__(self) -> None:
        if [a.number for a in self.agenda] != list(range(1, len(self.agenda) + 1)):
            raise ValidationError("request_for_talks: agenda items must be numbered 1, 2, 3, ...")


@dataclass(frozen=True, slots=True, kw_only=True)
class AcknowledgmentBody(Record):
    """Acknowledges receipt only; it never accepts anything."""

    WHERE: ClassVar[str] = "acknowledgment"
    FIELDS: ClassVar = (("of_act", fc.ID),)
    of_act: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptanceBody(Record):
    """Acceptance of an act, or an agreed timeline: leave no later than ``withdraw_by``."""

    WHERE: ClassVar[str] = "acceptance"
    FIELDS: ClassVar = (
        ("of_act", fc.optional(fc.ID)),
        ("presences", fc.IDS),
        ("withdraw_by", fc.optional(fc.DATE)),
        ("condition", fc.optional(fc.text(2000))),
    )
    of_act: str | None
    presences: tuple[str, ...]
    withdraw_by: date | None
    condition: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RefusalBody(Record):
    """Refuses an act entirely (no items) or the numbered agenda items listed."""

    WHERE: ClassVar[str] = "refusal"
    FIELDS: ClassVar = (
        ("of_act", fc.ID),
        ("agenda_items", fc.item_numbers()),
        ("reason", fc.optional(fc.text(5000))),
    )
    of_act: str
    agenda_items: tuple[int, ...]
    reason: str | None


class ObjectionGround(StrEnum):
    AUTHORITY = "authority"
    VALIDITY = "validity"
    DATE = "date"
    GROUNDS = "grounds"
    RECEIPT = "receipt"


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectionBody(Record):
    WHERE: ClassVar[str] = "objection"
    FIELDS: ClassVar = (
        ("of_act", fc.ID),
        ("ground", fc.choice(ObjectionGround)),
        ("claimed_date", fc.optional(fc.DATE)),
    )
    of_act: str
    ground: ObjectionGround
    claimed_date: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class IntentBody(Record):
    WHERE: ClassVar[str] = "statement_of_intent"
    FIELDS: ClassVar = (("presences", fc.IDS),)
    presences: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintBody(Record):
    WHERE: ClassVar[str] = "complaint"
    FIELDS: ClassVar = (("to_party", fc.ID), ("about", fc.IDS))
    to_party: str
    about: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ForceLevel(Record):
    WHERE: ClassVar[str] = "force_level"
    FIELDS: ClassVar = (("site", fc.text(200)), ("on", fc.DATE), ("personnel", fc.INT))
    site: str
    on: date
    personnel: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ForcesBody(Record):
    """A withdrawal plan or progress report: force levels by site and date."""

    WHERE: ClassVar[str] = "forces"
    FIELDS: ClassVar = (("presence", fc.ID), ("levels", fc.nested_list(ForceLevel.from_dict)))
    presence: str
    levels: tuple[ForceLevel, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CompletionBody(Record):
    WHERE: ClassVar[str] = "completion"
    FIELDS: ClassVar = (("presence", fc.ID), ("completed_on", fc.DATE), ("sites", fc.IDS))
    presence: str
    completed_on: date
    sites: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CorrectionBody(Record):
    """The sender corrects an act, or repudiates it (then it has no effect)."""

    WHERE: ClassVar[str] = "correction"
    FIELDS: ClassVar = (("of_act", fc.ID), ("repudiation", fc.BOOL))
    of_act: str
    repudiation: bool


class StatementNature(StrEnum):
    THREAT = "threat"
    COMMENT = "comment"
    NO_COMMENT = "no_comment"
    REFUSAL = "refusal"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportedBody(Record):
    """A statement reported by a publisher; never a formal act of the speaker."""

    WHERE: ClassVar[str] = "reported_statement"
    FIELDS: ClassVar = (
        ("speaker", fc.text(300)),
        ("source", fc.text(2000)),
        ("publisher", fc.text(300)),
        ("published_on", fc.DATE),
        ("content_sha256", fc.SHA256),
        ("nature", fc.choice(StatementNature)),
    )
    speaker: str
    source: str
    publisher: str
    published_on: date
    content_sha256: str
    nature: StatementNature


@dataclass(frozen=True, slots=True, kw_only=True)
class FullPowersBody(Record):
    WHERE: ClassVar[str] = "full_powers"
    FIELDS: ClassVar = (("delegation", fc.nested(Delegation.from_dict)),)
    delegation: Delegation


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyRotationBody(Record):
    WHERE: ClassVar[str] = "key_rotation"
    FIELDS: ClassVar = (("old_key", KEY), ("new_key", fc.nested(PartyKey.from_dict)))
    old_key: bytes
    new_key: PartyKey


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyRevocationBody(Record):
    WHERE: ClassVar[str] = "key_revocation"
    FIELDS: ClassVar = (("key", KEY),)
    key: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class DelegationRevocationBody(Record):
    WHERE: ClassVar[str] = "delegation_revocation"
    FIELDS: ClassVar = (("delegation", fc.ID),)
    delegation: str


Body = (
    ConsentBody
    | MandateBody
    | NoticeBody
    | SuspensionBody
    | ExtensionBody
    | RetractionBody
    | TalksBody
    | AcknowledgmentBody
    | AcceptanceBody
    | RefusalBody
    | ObjectionBody
    | IntentBody
    | ComplaintBody
    | ForcesBody
    | CompletionBody
    | CorrectionBody
    | ReportedBody
    | FullPowersBody
    | KeyRotationBody
    | KeyRevocationBody
    | DelegationRevocationBody
)

BODY_TYPES: dict[ActKind, type[Record]] = {
    ActKind.CONSENT: ConsentBody,
    ActKind.DOMESTIC_MANDATE: MandateBody,
    ActKind.NOTICE: NoticeBody,
    ActKind.SUSPENSION: SuspensionBody,
    ActKind.SUSPENSION_EXTENSION: ExtensionBody,
    ActKind.RETRACTION: RetractionBody,
    ActKind.REQUEST_FOR_TALKS: TalksBody,
    ActKind.ACKNOWLEDGMENT: AcknowledgmentBody,
    ActKind.ACCEPTANCE: AcceptanceBody,
    ActKind.REFUSAL: RefusalBody,
    ActKind.OBJECTION: ObjectionBody,
    ActKind.STATEMENT_OF_INTENT: IntentBody,
    ActKind.COMPLAINT: ComplaintBody,
    ActKind.WITHDRAWAL_PLAN: ForcesBody,
    ActKind.PROGRESS_REPORT: ForcesBody,
    ActKind.COMPLETION_REPORT: CompletionBody,
    ActKind.CORRECTION: CorrectionBody,
    ActKind.REPORTED_STATEMENT: ReportedBody,
    ActKind.FULL_POWERS: FullPowersBody,
    ActKind.KEY_ROTATION: KeyRotationBody,
    ActKind.KEY_REVOCATION: KeyRevocationBody,
    ActKind.DELEGATION_REVOCATION: DelegationRevocationBody,
}
