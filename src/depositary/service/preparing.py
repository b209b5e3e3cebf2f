"""Everything a submission needs before it is appended: the checks and the first evidence.

A signed act is parsed (canonical bytes only), its parties must be admitted, its
claimed time must be near the time of receipt, and its signers' authority is
judged as of that time. The depositary then signs the first links of its
evidence chain: submitted and circulated to each addressee, or rejected with the
reason when a registered key lacked authority. Nothing here appends or reads a
clock: the time of receipt is given. A ``Preparer`` runs in the depositary's
process or in the worker processes of ``prep_pool``; both give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from depositary.acts.act import Act
from depositary.acts.authority import authorise
from depositary.acts.envelope import Envelope
from depositary.acts.receipt_rules import EvidenceKind
from depositary.clock import to_millis
from depositary.crypto.ed25519 import Signer
from depositary.errors import AuthorityError, ConflictError, NotFound, ValidationError
from depositary.merkle.hashing import leaf_hash
from depositary.records.statements import (
    Admission,
    CaseRecord,
    EvidenceRecord,
    Statement,
    sign_statement,
)
from depositary.service.indexer import Indexer
from depositary.storage.claims import NewChain
from depositary.storage.index import ServiceIndex


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The depositary's rules for accepting what it is sent."""

    max_claimed_age: timedelta = timedelta(days=3)
    max_claimed_ahead: timedelta = timedelta(minutes=5)
    request_window: timedelta = timedelta(minutes=5)


@dataclass(frozen=True, slots=True, kw_only=True)
class Denial:
    """Why a registered key's act was refused (the refusal is recorded)."""

    reason: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared:
    """A checked act with its first evidence and claim, ready to append.

    ``entries`` are the act's bytes then the evidence statements'; ``envelope``,
    ``act`` and ``statements`` are their parsed forms, kept for the index.
    """

    act_id: str
    case_id: str
    entries: list[bytes]
    envelope: Envelope
    act: Act
    statements: tuple[Statement, ...]
    claim: NewChain
    now: datetime
    denied: Denial | None


class Preparer:
    """Checks submissions and signs their first evidence with the depositary's key."""

    def __init__(
        self, *, indexer: Indexer, index: ServiceIndex, key: Signer, policy: Policy
    ) -> None:
        self.indexer = indexer
        self.index = index
        self.key = key
        self.policy = policy

    def statement(
        self, body: Admission | CaseRecord | EvidenceRecord, at: datetime
    ) -> tuple[bytes, Statement]:
        """Sign a statement of the depositary; return its bytes and parsed form."""
        statement = Statement(issued_at=at, body=body)
        return sign_statement(statement, self.key).to_bytes(), statement

    def prepare(self, data: bytes, case_id: str, now: datetime) -> Prepared:
        """Check a signed act received at ``now`` and build what to append with it.

        Raises:
            DecodeError, ValidationError: not a valid act, or a claimed time far from now.
            NotFound: no such case.
            ConflictError: an old act whose id is already recorded (a replay).
            SignatureError: a signature does not verify.
            AuthorityError: a signer lacks authority and no signing key is registered
                (with a registered key, the refusal is ``Prepared.denied``, to record).
        """
        envelope = Envelope.from_bytes(data)
        act = envelope.act()
        if self.indexer.case_record(case_id) is None:
            raise NotFound(f"no case {case_id!r}")
        roster = self.indexer.roster()
        for p in (*act.issuers, *(a.party for a in act.addressees)):
            if p not in roster.parties:
                raise ValidationError(f"act names {p!r}, a party not admitted to the depositary")
        leaf = leaf_hash(data)
        # a replayed act id is refused by the claim made when it is appended (appender.py);
        # an old replay is caught here first, so it is called what it is
        too_old = act.made_at < now - self.policy.max_claimed_age
        if too_old or act.made_at > now + self.policy.max_claimed_ahead:
            existing = self.index.act(act.act_id)
            if existing is not None:
                raise ConflictError(
                    f"act {act.act_id} is already recorded at log index {existing.idx}: "
                    "a replayed or reused act id is refused"
                )
            raise ValidationError(
                f"act claims to be made at {act.made_at.isoformat()}, "
                + (f"more than {self.policy.max_claimed_age} before the depositary received it"
                   if too_old else "in the future")
            )  # fmt: skip
        denied: Denial | None = None
        try:
            authorise(envelope, roster, now, act)
        except AuthorityError as e:
            if not any(s.public_key in roster.keys for s in envelope.signatures):
                raise
            denied = Denial(reason=e.reason, message=str(e))
            chain = [
                EvidenceRecord(
                    act_id=act.act_id, act_hash=leaf.hex(), prev=leaf.hex(),
                    kind=EvidenceKind.REJECTED, at=now, case_id=case_id,
                    details={"reason": e.reason, "message": str(e)[:2000]},
                )
            ]  # fmt: skip
        else:
            signers = sorted(roster.keys[s.public_key].holder for s in envelope.signatures)
            chain = [
                EvidenceRecord(
                    act_id=act.act_id, act_hash=leaf.hex(), prev=leaf.hex(),
                    kind=EvidenceKind.SUBMITTED, at=now, case_id=case_id,
                    details={"signers": ",".join(signers)},
                )
            ]  # fmt: skip
        entries = [data]
        statements: list[Statement] = []
        for n in range(1 + (0 if denied else len(act.addressees))):
            if n:
                chain.append(
                    EvidenceRecord(
                        act_id=act.act_id, act_hash=leaf.hex(), prev=leaf_hash(entries[-1]).hex(),
                        kind=EvidenceKind.CIRCULATED, at=now, addressee=act.addressees[n - 1].party,
                    )
                )  # fmt: skip
            signed, statement = self.statement(chain[n], now)
            entries.append(signed)
            statements.append(statement)
        # the act id is claimed in the transaction appending it: of two processes
        # submitting the same act at once, exactly one records it
        claim = NewChain(act_id=act.act_id, head=leaf_hash(entries[-1]), at_ms=to_millis(now))
        return Prepared(
            act_id=act.act_id, case_id=case_id, entries=entries, envelope=envelope, act=act,
            statements=tuple(statements), claim=claim, now=now, denied=denied,
        )  # fmt: skip
