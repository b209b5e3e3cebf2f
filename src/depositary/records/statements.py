"""The depositary's own statements in the log: admissions, cases and evidence.

Every statement is signed by the depositary's key under
``b"depositary/statement/v1\\n"`` and carries its kind, the time it was made
and a strict body. Evidence is chained per act: each names the act's leaf hash
and the leaf hash of the previous evidence on that act (the act's own for the
first), so a missing or reordered step is visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from depositary.acts import schema
from depositary.acts.canonical import parse_json
from depositary.acts.instruments import Instrument, Presence
from depositary.acts.parties import Organ, Party, PartyKey
from depositary.acts.receipt_rules import Evidence, EvidenceKind
from depositary.crypto.ed25519 import Signer
from depositary.errors import DecodeError, ValidationError
from depositary.records.signed import Signed, sign

STATEMENT_PREFIX = b"depositary/statement/v1\n"
SIGNED_STATEMENT = "depositary/signed-statement"
STATEMENT_TYPE = "depositary/statement"
MAX_ENDPOINTS = 4
MAX_DETAILS = 16


class StatementKind(StrEnum):
    ADMISSION = "admission"
    CASE = "case"
    EVIDENCE = "evidence"


def _hash_hex(value: object, where: str) -> str:
    if not isinstance(value, str) or not schema.SHA256_PATTERN.match(value):
        raise DecodeError(f"{where}: expected 64 lower-case hex digits")
    return value


def _endpoint(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise DecodeError(f"{where}: an endpoint is an http(s) URL")
    if len(value) > 2000 or any(c.isspace() for c in value):
        raise DecodeError(f"{where}: not a usable URL")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Admission:
    """A party admitted to the depositary, with its organs, keys and delivery endpoints."""

    party: Party
    organs: tuple[Organ, ...]
    keys: tuple[PartyKey, ...]
    endpoints: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        pid = self.party.party_id
        if any(o.party_id != pid for o in self.organs) or any(k.party_id != pid for k in self.keys):
            raise ValidationError(f"admission: every organ and key must belong to {pid}")
        organ_ids = {o.organ_id for o in self.organs}
        if any(k.organ_id not in organ_ids for k in self.keys):
            raise ValidationError("admission: a key names an organ not admitted with it")
        if len(self.endpoints) > MAX_ENDPOINTS:
            raise ValidationError(f"admission: at most {MAX_ENDPOINTS} endpoints")
        for i, e in enumerate(self.endpoints):
            _endpoint(e, f"admission.endpoints[{i}]")

    def to_dict(self) -> dict[str, Any]:
        return {
            "party": self.party.to_dict(),
            "organs": [o.to_dict() for o in self.organs],
            "keys": [k.to_dict() for k in self.keys],
            "endpoints": list(self.endpoints),
        }

    @classmethod
    def from_dict(cls, data: object) -> Admission:
        w = "admission"
        d = schema.fields(data, w, required=("party", "organs", "keys", "endpoints"))
        return cls(
            party=Party.from_dict(d["party"]),
            organs=tuple(Organ.from_dict(o) for o in schema.array(d, "organs", w, max_len=50)),
            keys=tuple(PartyKey.from_dict(k) for k in schema.array(d, "keys", w, max_len=200)),
            endpoints=tuple(
                _endpoint(e, f"{w}.endpoints[{i}]")
                for i, e in enumerate(schema.array(d, "endpoints", w, max_len=MAX_ENDPOINTS))
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseRecord:
    """A case the depositary keeps: its parties, instruments and foreign presences."""

    case_id: str
    title: str
    parties: tuple[str, ...]
    instruments: tuple[Instrument, ...]
    presences: tuple[Presence, ...]

    def __post_init__(self) -> None:
        schema.check_ident(self.case_id, "case.case_id")
        known = set(self.parties)
        ids = {i.instrument_id for i in self.instruments}
        for p in self.presences:
            if p.sending not in known or p.host not in known:
                raise ValidationError(f"case: presence {p.presence_id} names a party not in it")
            if not set(p.instruments) <= ids:
                raise ValidationError(f"case: presence {p.presence_id} names an unknown instrument")

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "title": self.title,
            "parties": list(self.parties),
            "instruments": [i.to_dict() for i in self.instruments],
            "presences": [p.to_dict() for p in self.presences],
        }

    @classmethod
    def from_dict(cls, data: object) -> CaseRecord:
        w = "case"
        d = schema.fields(
            data, w, required=("case_id", "title", "parties", "instruments", "presences")
        )
        return cls(
            case_id=schema.ident(d, "case_id", w),
            title=schema.text(d, "title", w, max_len=300),
            parties=schema.ident_list(d, "parties", w),
            instruments=tuple(
                Instrument.from_dict(i) for i in schema.array(d, "instruments", w, max_len=100)
            ),
            presences=tuple(
                Presence.from_dict(p) for p in schema.array(d, "presences", w, max_len=100)
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceRecord:
    """One step in an act's evidence chain, as the depositary attests it."""

    act_id: str
    act_hash: str
    prev: str
    kind: EvidenceKind
    at: datetime
    addressee: str | None = None
    case_id: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.evidence()  # the domain's own rules on which kinds name an addressee
        if len(self.details) > MAX_DETAILS:
            raise ValidationError(f"evidence: at most {MAX_DETAILS} details")
        for k, v in self.details.items():
            schema.check_ident(k, "evidence.details")
            if not isinstance(v, str) or len(v) > 2000:
                raise ValidationError(f"evidence.details.{k}: a string of at most 2000")

    def evidence(self) -> Evidence:
        """The fact as the status derivation takes it."""
        return Evidence(act_id=self.act_id, kind=self.kind, at=self.at, addressee=self.addressee)

    def to_dict(self) -> dict[str, Any]:
        return {
            "act_id": self.act_id,
            "act_hash": self.act_hash,
            "prev": self.prev,
            "kind": self.kind.value,
            "at": schema.format_instant(self.at),
            "addressee": self.addressee,
            "case_id": self.case_id,
            "details": dict(sorted(self.details.items())),
        }

    @classmethod
    def from_dict(cls, data: object) -> EvidenceRecord:
        w = "evidence"
        names = ("act_id", "act_hash", "prev", "kind", "at", "addressee", "case_id", "details")
        d = schema.fields(data, w, required=names)
        details = d["details"]
        if not isinstance(details, dict):
            raise DecodeError(f"{w}.details: expected an object")
        return cls(
            act_id=schema.ident(d, "act_id", w),
            act_hash=_hash_hex(d["act_hash"], f"{w}.act_hash"),
            prev=_hash_hex(d["prev"], f"{w}.prev"),
            kind=schema.choice(d, "kind", w, EvidenceKind),
            at=schema.instant(d, "at", w),
            addressee=None if d["addressee"] is None else schema.ident(d, "addressee", w),
            case_id=None if d["case_id"] is None else schema.ident(d, "case_id", w),
            details=dict(details),
        )


Body = Admission | CaseRecord | EvidenceRecord
_BODIES: dict[StatementKind, type[Admission] | type[CaseRecord] | type[EvidenceRecord]] = {
    StatementKind.ADMISSION: Admission,
    StatementKind.CASE: CaseRecord,
    StatementKind.EVIDENCE: EvidenceRecord,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """What the depositary states, when."""

    issued_at: datetime
    body: Body

    @property
    def kind(self) -> StatementKind:
        for kind, cls in _BODIES.items():
            if isinstance(self.body, cls):
                return kind
        raise AssertionError(self.body)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": STATEMENT_TYPE,
            "version": 1,
            "kind": self.kind.value,
            "issued_at": schema.format_instant(self.issued_at),
            "body": self.body.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object) -> Statement:
        w = "statement"
        d = schema.fields(data, w, required=("type", "version", "kind", "issued_at", "body"))
        if d["type"] != STATEMENT_TYPE or schema.integer(d, "version", w) != 1:
            raise DecodeError(f"{w}: not a version 1 {STATEMENT_TYPE}")
        kind = schema.choice(d, "kind", w, StatementKind)
        return cls(
            issued_at=schema.instant(d, "issued_at", w), body=_BODIES[kind].from_dict(d["body"])
        )


def sign_statement(statement: Statement, signer: Signer) -> Signed:
    """Sign ``statement`` with the depositary's key."""
    return sign(SIGNED_STATEMENT, STATEMENT_PREFIX, statement.to_dict(), signer)


def open_statement(data: bytes, public_key: bytes) -> Statement:
    """Parse and verify a signed statement made with the depositary key ``public_key``.

    Raises:
        DecodeError, ValidationError: malformed.
        SignatureError: not signed by that key.
    """
    signed = Signed.from_bytes(data, expected_type=SIGNED_STATEMENT)
    signed.verify(STATEMENT_PREFIX, public_key)
    return Statement.from_dict(parse_json(signed.payload, "statement"))
