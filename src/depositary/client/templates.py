"""Templates of acts to fill in: one per kind, valid for the schema but for the placeholders.

Every value a party must choose is a string starting with ``<FILL``; signing
refuses a file that still holds one and names where it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from depositary.acts import schema
from depositary.acts.act import ACT_TYPE, ACT_VERSION
from depositary.acts.kinds import SPECS, ActKind
from depositary.errors import ValidationError

PLACEHOLDER = "<FILL"

ACT_ID = "<FILL: a new id for this act, e.g. iq-notice-2020-01-12>"
ISSUER = "<FILL: your party id>"
CO_ISSUER = "<FILL: the other issuing party id>"
ADDRESSEE = "<FILL: the addressee's party id>"
INSTRUMENT = "<FILL: instrument id (the legal basis)>"
PRESENCE = "<FILL: presence id>"
OF_ACT = "<FILL: id of the act this answers>"
NOTICE = "<FILL: id of the notice>"
DATE = "<FILL: a date, YYYY-MM-DD>"
KEY = "<FILL: base64 Ed25519 public key>"

_KEY_RECORD = {
    "public_key": KEY, "party_id": ISSUER, "organ_id": "<FILL: organ id>",
    "holder": "<FILL: holder id>", "use": "personal", "root": False,
    "valid_from": "<FILL: from, YYYY-MM-DDTHH:MM:SSZ>", "valid_until": None,
}  # fmt: skip

BODIES: dict[ActKind, dict[str, Any]] = {
    ActKind.CONSENT: {"instruments": [INSTRUMENT], "presences": [PRESENCE]},
    ActKind.DOMESTIC_MANDATE: {
        "chamber": "<FILL: the chamber>", "seats": 329, "quorum_rule": "absolute_majority",
        "quorum": 165, "present": None, "votes_for": 170, "votes_against": 0, "abstentions": 0,
        "concerning": ["<FILL: party whose presence it concerns>"],
    },
    ActKind.NOTICE: {
        "notice_type": "withdrawal_of_consent",
        "targets": [{"instrument": INSTRUMENT, "named_date": None}],
        "grounds": "<FILL: the grounds, or null>",
    },
    ActKind.SUSPENSION: {"notice": NOTICE, "starts_on": DATE, "months": 6, "days": 0},
    ActKind.SUSPENSION_EXTENSION: {
        "suspension": "<FILL: id of the suspension>", "months": 6, "days": 0,
    },
    ActKind.RETRACTION: {"notice": NOTICE},
    ActKind.REQUEST_FOR_TALKS: {
        "agenda": [{"number": 1, "title": "<FILL: agenda item>"}], "dates": [],
        "place": "<FILL: place, or null>", "respond_by": DATE,
    },
    ActKind.ACKNOWLEDGMENT: {"of_act": OF_ACT},
    ActKind.ACCEPTANCE: {
        "of_act": OF_ACT, "presences": [], "withdraw_by": None, "condition": None,
    },
    ActKind.REFUSAL: {"of_act": OF_ACT, "agenda_items": [], "reason": None},
    ActKind.OBJECTION: {"of_act": OF_ACT, "ground": "validity", "claimed_date": None},
    ActKind.STATEMENT_OF_INTENT: {"presences": [PRESENCE]},
    ActKind.COMPLAINT: {"to_party": ADDRESSEE, "about": []},
    ActKind.WITHDRAWAL_PLAN: {
        "presence": PRESENCE,
        "levels": [{"site": "<FILL: site>", "on": DATE, "personnel": 0}],
    },
    ActKind.PROGRESS_REPORT: {
        "presence": PRESENCE,
        "levels": [{"site": "<FILL: site>", "on": DATE, "personnel": 0}],
    },
    ActKind.COMPLETION_REPORT: {"presence": PRESENCE, "completed_on": DATE, "sites": []},
    ActKind.CORRECTION: {"of_act": OF_ACT, "repudiation": False},
    ActKind.REPORTED_STATEMENT: {
        "speaker": "<FILL: who spoke>", "source": "<FILL: URL of the report>",
        "publisher": "<FILL: publisher>", "published_on": DATE,
        "content_sha256": "<FILL: SHA-256 (hex) of the reported text>", "nature": "comment",
    },
    ActKind.FULL_POWERS: {
        "delegation": {
            "delegation_id": "<FILL: delegation id>", "party_id": ISSUER,
            "delegate_key": KEY, "act_kinds": ["notice"], "addressees": [ADDRESSEE],
            "valid_from": "<FILL: from, YYYY-MM-DDTHH:MM:SSZ>",
            "valid_until": "<FILL: until, YYYY-MM-DDTHH:MM:SSZ>",
        }
    },
    ActKind.KEY_ROTATION: {"old_key": KEY, "new_key": _KEY_RECORD},
    ActKind.KEY_REVOCATION: {"key": KEY},
    ActKind.DELEGATION_REVOCATION: {"delegation": "<FILL: delegation id>"},
}  # fmt: skip


def act_template(kind: str, now: datetime) -> dict[str, Any]:
    """A template act of ``kind``, made now, to be filled in and signed.

    Raises:
        ValidationError: no such kind.
    """
    try:
        k = ActKind(kind)
    except ValueError as e:
        known = ", ".join(x.value for x in ActKind)
        raise ValidationError(f"unknown act kind {kind!r}; one of: {known}") from e
    spec = SPECS[k]
    domestic = k in {ActKind.DOMESTIC_MANDATE, ActKind.STATEMENT_OF_INTENT}
    addressees = [] if domestic else [{"party": ADDRESSEE, "legal_basis": [INSTRUMENT]}]
    return {
        "type": ACT_TYPE,
        "version": ACT_VERSION,
        "act_id": ACT_ID,
        "kind": k.value,
        "issuers": [ISSUER, CO_ISSUER] if spec.joint else [ISSUER],
        "addressees": addressees,
        "made_at": schema.format_instant(now),
        "texts": [
            {"lang": "en", "authentic": True, "content": "<FILL: the text of the act>"},
        ],
        "attachments": [],
        "body": BODIES[k],
    }


def placeholders(data: object, path: str = "act") -> list[str]:
    """Where ``data`` still holds a ``<FILL`` placeholder (JSON paths)."""
    if isinstance(data, str):
        return [path] if data.startswith(PLACEHOLDER) else []
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in placeholders(v, f"{path}.{k}")]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in placeholders(v, f"{path}[{i}]")]
    return []
