"""An act's dossier: the act's exact bytes and receipt, and every evidence entry with its own.

This is what ``GET /v1/acts/{act_id}`` answers, and all a reader needs to check,
offline and trusting only the log's verifier key and the depositary's statement
key, that the act is in the log as signed by the keys it names, and that the
depositary recorded each step after it (submitted, circulated, delivered,
retrieved, acknowledged, deemed received...) at the time it says, in one
unbroken chain. Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from depositary.acts.act import Act
from depositary.acts.canonical import parse_json
from depositary.acts.envelope import Envelope
from depositary.acts.receipt_rules import EvidenceKind
from depositary.crypto.ed25519 import verify
from depositary.encoding import b64
from depositary.encoding.note import Verifier
from depositary.encoding.tlog_proof import TlogProof, verify_tlog_proof
from depositary.errors import DecodeError, ProofError, SignatureError
from depositary.merkle.hashing import leaf_hash
from depositary.records.statements import EvidenceRecord, open_statement

MAX_EVIDENCE = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Logged:
    """One log entry with its tlog-proof receipt."""

    entry: bytes
    receipt: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Dossier:
    act: Logged
    evidence: tuple[Logged, ...]

    @classmethod
    def from_json(cls, data: bytes) -> Dossier:
        """Read the JSON of ``GET /v1/acts/{act_id}`` (other fields are ignored: they
        are the server's word, and nothing here relies on them).

        Raises:
            DecodeError: not such a document.
        """
        doc = parse_json(data, "dossier")
        if not isinstance(doc, dict):
            raise DecodeError("dossier: not a JSON object")
        items = doc.get("evidence", [])
        if not isinstance(items, list) or len(items) > MAX_EVIDENCE:
            raise DecodeError(f"dossier.evidence: not a list of at most {MAX_EVIDENCE} entries")
        return cls(
            act=Logged(entry=_field(doc, "envelope", base64=True), receipt=_field(doc, "receipt")),
            evidence=tuple(
                Logged(entry=_field(e, "entry", base64=True), receipt=_field(e, "receipt"))
                for e in items
            ),
        )


def _field(doc: Any, name: str, *, base64: bool = False) -> bytes:
    value = doc.get(name) if isinstance(doc, dict) else None
    if not isinstance(value, str):
        raise DecodeError(f"dossier: {name} is missing or not a string")
    return _b64(value, name) if base64 else value.encode("utf-8")


_b64 = b64.decode


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One verified evidence entry."""

    index: int
    kind: EvidenceKind
    at: datetime
    addressee: str | None
    details: dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedDossier:
    act: Act
    index: int
    signers: tuple[bytes, ...]
    steps: tuple[Step, ...]


def verify_dossier(
    dossier: Dossier, *, log_verifier: Verifier, depositary_key: bytes
) -> VerifiedDossier:
    """Check a dossier; return what it proves.

    The act's entry and every evidence entry must be in the log under checkpoints
    signed by ``log_verifier``; the act's every signature must verify; every
    evidence entry must be signed by ``depositary_key``, name this act and its
    leaf hash, and follow the entry before it (the act, then each step in turn),
    later in the log.

    Raises:
        DecodeError, ValidationError: something is malformed.
        SignatureError: a signature fails, or an entry is not the depositary's.
        ProofError: an entry is not in the log, or the chain is broken.
    """
    verify_tlog_proof(dossier.act.receipt, entry=dossier.act.entry, log_verifier=log_verifier)
    index = TlogProof.from_bytes(dossier.act.receipt).index
    envelope = Envelope.from_bytes(dossier.act.entry)
    act = envelope.act()
    for s in envelope.signatures:
        try:
            verify(s.public_key, envelope.message(), s.signature)
        except SignatureError as e:
            raise SignatureError(f"the act's signature by {b64.encode(s.public_key)}: {e}") from e
    act_hash = leaf_hash(dossier.act.entry).hex()
    prev, last = act_hash, index
    steps: list[Step] = []
    for item in dossier.evidence:
        at = TlogProof.from_bytes(item.receipt).index
        where = f"evidence at log index {at}"
        try:
            verify_tlog_proof(item.receipt, entry=item.entry, log_verifier=log_verifier)
            body = open_statement(item.entry, depositary_key).body
        except (SignatureError, ProofError) as e:
            raise type(e)(f"{where}: {e}") from e
        if not isinstance(body, EvidenceRecord):
            raise SignatureError(f"{where} is a depositary statement, but not evidence")
        if body.act_id != act.act_id or body.act_hash != act_hash:
            raise ProofError(f"{where} is evidence on another act ({body.act_id})")
        if body.prev != prev or at <= last:
            raise ProofError(f"{where} does not follow the entry before it: the chain is broken")
        prev, last = leaf_hash(item.entry).hex(), at
        steps.append(
            Step(index=at, kind=body.kind, at=body.at, addressee=body.addressee,
                 details=dict(body.details))
        )  # fmt: skip
    return VerifiedDossier(
        act=act,
        index=index,
        signers=tuple(s.public_key for s in envelope.signatures),
        steps=tuple(steps),
    )
