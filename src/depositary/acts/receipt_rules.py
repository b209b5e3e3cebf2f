"""Evidence about delivery, and when an act counts as received by an addressee.

Evidence records are plain values the service produces (submitted, published, delivered,
retrieved, acknowledged, ...). Deemed receipt follows the instrument's rule or the
depositary's policy. A refusal to acknowledge is recorded but never stops the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from depositary.acts import schema
from depositary.errors import ValidationError


class EvidenceKind(StrEnum):
    SUBMITTED = "submitted"  # the depositary received the act
    PUBLISHED = "published"  # the act is public in the log
    DELIVERED = "delivered"  # delivered to the addressee's designated address
    RETRIEVED = "retrieved"  # the addressee fetched it
    ACKNOWLEDGED = "acknowledged"  # the addressee acknowledged receipt
    REFUSED = "refused"  # the addressee refused to acknowledge
    DEEMED_RECEIVED = "deemed_received"  # the service recorded deemed receipt under a rule
    NO_RESPONSE_BY_DEADLINE = "no_response_by_deadline"
    REJECTED = "rejected"  # the depositary refused the act (reasons in the evidence)
    CIRCULATED = "circulated"  # the depositary queued the act for the addressee's endpoints
    DELIVERY_FAILED = "delivery_failed"  # the addressee's endpoint did not take it


ACT_LEVEL_EVIDENCE = frozenset({"submitted", "published", "rejected"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """One fact about an act's delivery; ``addressee`` is None for facts about the act itself."""

    act_id: str
    kind: EvidenceKind
    at: datetime
    addressee: str | None = None

    def __post_init__(self) -> None:
        schema.check_ident(self.act_id, "evidence.act_id")
        schema.check_instant(self.at, "evidence.at")
        if self.addressee is not None:
            schema.check_ident(self.addressee, "evidence.addressee")
        per_addressee = self.kind.value not in ACT_LEVEL_EVIDENCE
        if per_addressee and self.addressee is None:
            raise ValidationError(f"evidence {self.kind.value} must name an addressee")

    def to_dict(self) -> dict[str, Any]:
        return {
            "act_id": self.act_id,
            "kind": self.kind.value,
            "at": schema.format_instant(self.at),
            "addressee": self.addressee,
        }

    @classmethod
    def from_dict(cls, data: object) -> Evidence:
        w = "evidence"
        d = schema.fields(data, w, required=("act_id", "kind", "at", "addressee"))
        return cls(
            act_id=schema.ident(d, "act_id", w),
            kind=schema.choice(d, "kind", w, EvidenceKind),
            at=schema.instant(d, "at", w),
            addressee=None if d["addressee"] is None else schema.ident(d, "addressee", w),
        )


class ReceiptMode(StrEnum):
    ACTUAL = "actual"  # retrieval or acknowledgment by the addressee
    DEPOSITARY_INFORMS = "depositary_informs"  # publication and delivery to the designated address
    PUBLICATION_PLUS_PERIOD = "publication_plus_period"  # publication, then a fixed period
    DEPOSITARY_RECEIPT = "depositary_receipt"  # counted from the depositary's own receipt


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiptRule:
    mode: ReceiptMode
    days: int = 0

    def __post_init__(self) -> None:
        if (self.mode is ReceiptMode.PUBLICATION_PLUS_PERIOD) != (self.days > 0):
            raise ValidationError("receipt rule: a period goes with publication_plus_period only")

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode.value, "days": self.days}

    @classmethod
    def from_dict(cls, data: object) -> ReceiptRule:
        d = schema.fields(data, "receipt", required=("mode", "days"))
        return cls(
            mode=schema.choice(d, "mode", "receipt", ReceiptMode),
            days=schema.integer(d, "days", "receipt", high=3650),
        )


DEFAULT_RECEIPT = ReceiptRule(mode=ReceiptMode.DEPOSITARY_INFORMS)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeemedReceipt:
    """When the addressee counts as having received the act, and by which route."""

    at: datetime
    route: str


@dataclass(slots=True)
class DeliveryFacts:
    """The earliest time of each kind of evidence for one (act, addressee)."""

    submitted: datetime | None = None
    published: datetime | None = None
    delivered: datetime | None = None
    actual: datetime | None = None  # retrieved or acknowledged (evidence or act)
    deemed: datetime | None = None  # recorded by the service
    refused: datetime | None = None

    def note(self, kind: EvidenceKind, at: datetime) -> None:
        """Record ``kind`` at ``at`` if earlier than what is known."""
        slot = _SLOTS.get(kind)
        if slot is None:
            return
        current = getattr(self, slot)
        if current is None or at < current:
            setattr(self, slot, at)


_SLOTS = {
    EvidenceKind.SUBMITTED: "submitted",
    EvidenceKind.PUBLISHED: "published",
    EvidenceKind.DELIVERED: "delivered",
    EvidenceKind.RETRIEVED: "actual",
    EvidenceKind.ACKNOWLEDGED: "actual",
    EvidenceKind.DEEMED_RECEIVED: "deemed",
    EvidenceKind.REFUSED: "refused",
}


def _earliest(options: Iterable[tuple[datetime | None, str]]) -> DeemedReceipt | None:
    best: DeemedReceipt | None = None
    for at, route in options:
        if at is not None and (best is None or at < best.at):
            best = DeemedReceipt(at=at, route=route)
    return best


def deemed_receipt(rule: ReceiptRule, facts: DeliveryFacts) -> DeemedReceipt | None:
    """Return when the act counts as received under ``rule``, or None if not yet.

    Actual receipt always counts; each mode adds its own route. ``facts.refused`` is
    deliberately ignored: refusing to acknowledge never stops the clock.
    """
    options: list[tuple[datetime | None, str]] = [
        (facts.actual, "actual receipt"),
        (facts.deemed, "recorded as deemed received"),
    ]
    if rule.mode is ReceiptMode.DEPOSITARY_RECEIPT:
        options.append((facts.submitted, "received by the depositary"))
    elif rule.mode is ReceiptMode.DEPOSITARY_INFORMS:
        if facts.published is not None and facts.delivered is not None:
            options.append(
                (max(facts.published, facts.delivered), "depositary informed the addressee")
            )
    elif rule.mode is ReceiptMode.PUBLICATION_PLUS_PERIOD and facts.published is not None:
        options.append(
            (facts.published + timedelta(days=rule.days), f"publication + {rule.days} days")
        )
    return _earliest(options)
