"""Instruments (agreements, exchanges of notes, invitations, agreed timelines), their
clauses on how and when they end, and presences resting on them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import ClassVar

from depositary.acts import fieldcodec as fc
from depositary.acts.dates import DateRule
from depositary.acts.fieldcodec import Record
from depositary.acts.kinds import NoticeType
from depositary.acts.parties import Party
from depositary.acts.receipt_rules import DEFAULT_RECEIPT, ReceiptRule
from depositary.errors import ValidationError


class InstrumentKind(StrEnum):
    AGREEMENT = "agreement"
    EXCHANGE_OF_NOTES = "exchange_of_notes"
    INVITATION = "invitation"
    AGREED_TIMELINE = "agreed_timeline"
    MULTILATERAL = "multilateral"


@dataclass(frozen=True, slots=True, kw_only=True)
class Clause(Record):
    """How the instrument ends under notices of ``notice_types``: the date rule and receipt rule.

    ``business_days``: count and roll dates in the addressee's business days (only when
    the clause says so).
    """

    WHERE: ClassVar[str] = "clause"
    FIELDS: ClassVar = (
        ("clause_id", fc.ID),
        ("notice_types", fc.choices(NoticeType)),
        ("rule", fc.nested(DateRule.from_dict)),
        ("receipt", fc.nested(ReceiptRule.from_dict)),
    )
    clause_id: str
    notice_types: tuple[NoticeType, ...]
    rule: DateRule
    receipt: ReceiptRule = DEFAULT_RECEIPT

    def __post_init__(self) -> None:
        if not self.notice_types:
            raise ValidationError(f"clause {self.clause_id}: must name the notice types it governs")


@dataclass(frozen=True, slots=True, kw_only=True)
class Instrument(Record):
    """An instrument between ``parties``; ``expires_on`` is a fixed end (a term or a date)."""

    WHERE: ClassVar[str] = "instrument"
    FIELDS: ClassVar = (
        ("instrument_id", fc.ID),
        ("title", fc.text(500)),
        ("kind", fc.choice(InstrumentKind)),
        ("parties", fc.IDS),
        ("depositary", fc.optional(fc.ID)),
        ("in_force_from", fc.optional(fc.DATE)),
        ("expires_on", fc.optional(fc.DATE)),
        ("clauses", fc.nested_list(Clause.from_dict, max_len=50)),
    )
    instrument_id: str
    title: str
    kind: InstrumentKind
    parties: tuple[str, ...]
    depositary: str | None = None
    in_force_from: date | None = None
    expires_on: date | None = None
    clauses: tuple[Clause, ...] = ()

    def __post_init__(self) -> None:
        ids = [c.clause_id for c in self.clauses]
        if len(set(ids)) != len(ids):
            raise ValidationError(f"instrument {self.instrument_id}: duplicate clause id")
        covered = [t for c in self.clauses for t in c.notice_types]
        if len(set(covered)) != len(covered):
            raise ValidationError(
                f"instrument {self.instrument_id}: two clauses govern one notice type"
            )
        if (
            self.in_force_from is not None
            and self.expires_on is not None
            and self.expires_on < self.in_force_from
        ):
            raise ValidationError(
                f"instrument {self.instrument_id}: expires before entry into force"
            )

    def clause_for(self, notice_type: NoticeType) -> Clause | None:
        """The clause governing ``notice_type``, or None if the instrument is silent."""
        for clause in self.clauses:
            if notice_type in clause.notice_types:
                return clause
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Presence(Record):
    """The sending party's forces in the host's territory, resting on the instruments named."""

    WHERE: ClassVar[str] = "presence"
    FIELDS: ClassVar = (
        ("presence_id", fc.ID),
        ("sending", fc.ID),
        ("host", fc.ID),
        ("instruments", fc.IDS),
    )
    presence_id: str
    sending: str
    host: str
    instruments: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.sending == self.host:
            raise ValidationError(f"presence {self.presence_id}: sending party is the host")
        if not self.instruments:
            raise ValidationError(f"presence {self.presence_id}: must rest on an instrument")


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """The fixed facts a status is derived against."""

    parties: Mapping[str, Party]
    instruments: Mapping[str, Instrument]
    presences: Mapping[str, Presence]
