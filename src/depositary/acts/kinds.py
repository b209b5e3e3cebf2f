"""Kinds of formal act, what each may do, and its projection to CAMEO and PLOVER event codes.

Event codes are a lossy projection for researchers; the act kind stays the primary key.
Labels follow one pinned pair of codebooks (named below) because published CAMEO tables
disagree on codes 105-108.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

CAMEO_CODEBOOK = "CAMEO 1.1b3, labels as in openeventdata/PLOVER CAMEO2PLOVER-2021.txt"
PLOVER_CODEBOOK = "PLOVER manual draft (openeventdata/PLOVER PLOVER_MANUAL.tex, 2021 mapping)"


class ActKind(StrEnum):
    """Every kind of act the depositary accepts."""

    CONSENT = "consent"
    DOMESTIC_MANDATE = "domestic_mandate"
    NOTICE = "notice"
    SUSPENSION = "suspension"
    SUSPENSION_EXTENSION = "suspension_extension"
    RETRACTION = "retraction"
    REQUEST_FOR_TALKS = "request_for_talks"
    ACKNOWLEDGMENT = "acknowledgment"
    ACCEPTANCE = "acceptance"
    REFUSAL = "refusal"
    OBJECTION = "objection"
    STATEMENT_OF_INTENT = "statement_of_intent"
    COMPLAINT = "complaint"
    WITHDRAWAL_PLAN = "withdrawal_plan"
    PROGRESS_REPORT = "progress_report"
    COMPLETION_REPORT = "completion_report"
    CORRECTION = "correction"
    REPORTED_STATEMENT = "reported_statement"
    FULL_POWERS = "full_powers"
    KEY_ROTATION = "key_rotation"
    KEY_REVOCATION = "key_revocation"
    DELEGATION_REVOCATION = "delegation_revocation"


class NoticeType(StrEnum):
    """What a notice does to the instruments it names."""

    TERMINATION = "termination"
    DENUNCIATION = "denunciation"
    WITHDRAWAL_OF_CONSENT = "withdrawal_of_consent"
    REVOCATION_IMMEDIATE = "revocation_immediate"
    WITHDRAWAL_FROM_MULTILATERAL = "withdrawal_from_multilateral"


@dataclass(frozen=True, slots=True, kw_only=True)
class KindSpec:
    """What an act kind may do.

    ``operative`` kinds can change a legal position (start, pause or stop a clock);
    ``joint`` kinds need authorised signatures from every issuing party (at least two);
    ``root_only`` kinds manage keys and full powers and need a party's root key.
    """

    kind: ActKind
    operative: bool
    joint: bool = False
    root_only: bool = False
    min_signers: int = 1


SPECS: dict[ActKind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(kind=ActKind.CONSENT, operative=True),
        KindSpec(kind=ActKind.DOMESTIC_MANDATE, operative=False),
        KindSpec(kind=ActKind.NOTICE, operative=True),
        KindSpec(kind=ActKind.SUSPENSION, operative=True),
        KindSpec(kind=ActKind.SUSPENSION_EXTENSION, operative=True),
        KindSpec(kind=ActKind.RETRACTION, operative=True),
        KindSpec(kind=ActKind.REQUEST_FOR_TALKS, operative=True),
        KindSpec(kind=ActKind.ACKNOWLEDGMENT, operative=True),
        KindSpec(kind=ActKind.ACCEPTANCE, operative=True, joint=True),
        KindSpec(kind=ActKind.REFUSAL, operative=True),
        KindSpec(kind=ActKind.OBJECTION, operative=True),
        KindSpec(kind=ActKind.STATEMENT_OF_INTENT, operative=False),
        KindSpec(kind=ActKind.COMPLAINT, operative=True),
        KindSpec(kind=ActKind.WITHDRAWAL_PLAN, operative=True),
        KindSpec(kind=ActKind.PROGRESS_REPORT, operative=True),
        KindSpec(kind=ActKind.COMPLETION_REPORT, operative=True, joint=True),
        KindSpec(kind=ActKind.CORRECTION, operative=True),
        KindSpec(kind=ActKind.REPORTED_STATEMENT, operative=False),
        KindSpec(kind=ActKind.FULL_POWERS, operative=True, root_only=True),
        KindSpec(kind=ActKind.KEY_ROTATION, operative=True, root_only=True),
        KindSpec(kind=ActKind.KEY_REVOCATION, operative=True, root_only=True),
        KindSpec(kind=ActKind.DELEGATION_REVOCATION, operative=True, root_only=True),
    )
}


@dataclass(frozen=True, slots=True, kw_only=True)
class EventCode:
    """One act's projection onto CAMEO and PLOVER; ``plover_category`` is None when not coded."""

    cameo: str
    cameo_label: str
    plover_category: str | None
    plover_mode: str | None
    cameo_codebook: str = CAMEO_CODEBOOK
    plover_codebook: str = PLOVER_CODEBOOK

    def to_dict(self) -> dict[str, str | None]:
        """Return the code as plain data, codebooks included."""
        return {
            "cameo": self.cameo,
            "cameo_label": self.cameo_label,
            "cameo_codebook": self.cameo_codebook,
            "plover_category": self.plover_category,
            "plover_mode": self.plover_mode,
            "plover_codebook": self.plover_codebook,
        }


def _code(cameo: str, label: str, category: str | None, mode: str | None = None) -> EventCode:
    return EventCode(cameo=cameo, cameo_label=label, plover_category=category, plover_mode=mode)


_STATEMENT = _code("010", "Make statement", None)

EVENT_CODES: dict[ActKind, EventCode] = {
    ActKind.CONSENT: _code("057", "Sign formal agreement", "SUPPORT"),
    ActKind.DOMESTIC_MANDATE: _code("1042", "Demand policy change", "DEMAND", "change"),
    ActKind.NOTICE: _code("166", "Expel or withdraw", "SANCTION", "expel"),
    ActKind.SUSPENSION: _code("035", "Express intent to yield", "CONCEDE"),
    ActKind.SUSPENSION_EXTENSION: _code("035", "Express intent to yield", "CONCEDE"),
    ActKind.RETRACTION: _code("080", "Yield", "CONCEDE"),
    ActKind.REQUEST_FOR_TALKS: _code("026", "Appeal to others to meet or negotiate", None),
    ActKind.ACKNOWLEDGMENT: _STATEMENT,
    ActKind.ACCEPTANCE: _code("057", "Sign formal agreement", "SUPPORT"),
    ActKind.REFUSAL: _code(
        "125", "Reject proposal to meet, discuss, or negotiate", "REJECT", "meet"
    ),
    ActKind.OBJECTION: _code("111", "Criticize or denounce", "ACCUSE"),
    ActKind.STATEMENT_OF_INTENT: _code(
        "0356", "Express intent to de-escalate military engagement", "AGREE"
    ),
    ActKind.COMPLAINT: _code("114", "Complain officially", "ACCUSE"),
    ActKind.WITHDRAWAL_PLAN: _code(
        "0356", "Express intent to de-escalate military engagement", "AGREE"
    ),
    ActKind.PROGRESS_REPORT: _code(
        "0874", "Retreat or surrender militarily", "RETREAT", "withdraw"
    ),
    ActKind.COMPLETION_REPORT: _code(
        "0874", "Retreat or surrender militarily", "RETREAT", "withdraw"
    ),
    ActKind.CORRECTION: _STATEMENT,
    ActKind.REPORTED_STATEMENT: _STATEMENT,
    ActKind.FULL_POWERS: _STATEMENT,
    ActKind.KEY_ROTATION: _STATEMENT,
    ActKind.KEY_REVOCATION: _STATEMENT,
    ActKind.DELEGATION_REVOCATION: _STATEMENT,
}

# A refusal that names the withdrawal itself rather than a meeting, and a reported threat.
REFUSE_TO_DEESCALATE = _code("1246", "Refuse to de-escalate military engagement", "REJECT", "yield")
THREATEN_SANCTIONS = _code(
    "1312", "Threaten to boycott, embargo, or sanction", "THREATEN", "restrict"
)
