"""The depositary's use cases: admit, register, submit, prove, deliver, answer.

A party signs an act on its own machine and submits the exact bytes. The
depositary checks the signatures and the signers' authority as of the moment
it received the act, appends the act together with the first links of its
evidence chain (submitted, circulated to each addressee) as one batch, and
answers with a receipt only once all of it is durable under a signed
checkpoint. Everything else (status, deadlines, inboxes) is derived from the
log through the index.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from depositary.acts.authority import authorise
from depositary.acts.clocks import LoggedAct
from depositary.acts.envelope import Envelope
from depositary.acts.events import event_records
from depositary.acts.receipt_rules import Evidence, EvidenceKind
from depositary.acts.status import CaseStatus, derive_status
from depositary.clock import Clock, to_millis
from depositary.crypto.ed25519 import Signer
from depositary.errors import (
    AuthorityError,
    ConflictError,
    NotFound,
    ValidationError,
)
from depositary.log.reader import LogView
from depositary.log.sequencer import Appended
from depositary.merkle.hashing import leaf_hash
from depositary.records.requests import open_request
from depositary.records.statements import (
    Admission,
    CaseRecord,
    EvidenceRecord,
    Statement,
    sign_statement,
)
from depositary.service.appender import Appender
from depositary.service.indexer import Indexer, from_millis, parse_entry
from depositary.storage.claims import Claim, Job, JobDoneError, NewChain, NextLink, StaleLinkError
from depositary.storage.index import ActRow, EvidenceRow, ServiceIndex

LINK_ATTEMPTS = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The depositary's rules for accepting what it is sent."""

    max_claimed_age: timedelta = timedelta(days=3)
    max_claimed_ahead: timedelta = timedelta(minutes=5)
    request_window: timedelta = timedelta(minutes=5)


@dataclass(frozen=True, slots=True, kw_only=True)
class Recorded:
    """Something appended: its log index, checkpoint and tlog-proof receipt."""

    index: int
    checkpoint: bytes
    receipt: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """An accepted act: where it is, and the evidence appended with it."""

    act_id: str
    case_id: str
    act: Recorded
    evidence: tuple[int, ...]
    received_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class _Prepared:
    """A checked act with its first evidence and claim, ready to append."""

    act_id: str
    case_id: str
    entries: list[bytes]
    claim: NewChain
    now: datetime
    denied: AuthorityError | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ActView:
    """An act as anyone may see it: exact bytes, place in the log, evidence chain."""

    row: ActRow
    envelope: bytes
    receipt: bytes
    evidence: tuple[tuple[EvidenceRow, bytes], ...]


class Depositary:
    """The service layer; HTTP, the CLI and the demo all go through it."""

    def __init__(
        self,
        *,
        appender: Appender,
        view: LogView,
        index: ServiceIndex,
        key: Signer,
        clock: Clock,
        policy: Policy | None = None,
    ) -> None:
        self.appender = appender
        self.view = view
        self.index = index
        self.key = key
        self.clock = clock
        self.policy = policy or Policy()
        self.indexer = Indexer(
            view=view, index=index, depositary_key=key.public_key,
            now_ms=lambda: to_millis(clock.now()),
        )  # fmt: skip
        self.indexer.catch_up()

    # -- appending -----------------------------------------------------------

    def _statement(self, body: Admission | CaseRecord | EvidenceRecord, at: datetime) -> bytes:
        statement = Statement(issued_at=at, body=body)
        data = sign_statement(statement, self.key).to_bytes()
        self.indexer.remember(data, statement)
        return data

    def _append(self, entries: Sequence[bytes], claims: Sequence[Claim] = ()) -> list[Appended]:
        """Append atomically with ``claims`` (see ``appender``); the index is brought up
        once per batch by the appender's thread, so this rarely has anything left to do."""
        done = self.appender.append(entries, claims)
        self.indexer.catch_up_to(max(a.index for a in done) + 1)
        return done

    def _recorded(self, a: Appended) -> Recorded:
        receipt = a.receipt or self.view.receipt(a.index, a.checkpoint.size)
        return Recorded(index=a.index, checkpoint=a.checkpoint.note, receipt=receipt)

    def admit(self, admission: Admission) -> Recorded:
        """Admit a party (or update its keys and endpoints); the operator's act."""
        data = self._statement(admission, self.clock.now())
        return self._recorded(self._append([data])[0])

    def register_case(self, record: CaseRecord) -> Recorded:
        """Register a case: its parties, instruments and presences."""
        roster = self.indexer.roster()
        unknown = [p for p in record.parties if p not in roster.parties]
        if unknown:
            raise ValidationError(f"case names parties not admitted: {', '.join(unknown)}")
        data = self._statement(record, self.clock.now())
        return self._recorded(self._append([data])[0])

    def case_record(self, case_id: str) -> CaseRecord:
        record = self.indexer.case_record(case_id)
        if record is None:
            raise NotFound(f"no case {case_id!r}")
        return record

    def submit(self, data: bytes, *, case_id: str) -> Submission:
        """Check, record and circulate a signed act.

        Raises:
            DecodeError, ValidationError: not a valid act, or a claimed time far from now.
            NotFound: no such case.
            ConflictError: the act id is already recorded (a replay).
            SignatureError: a signature does not verify (nothing is recorded).
            AuthorityError: a signer lacks authority; recorded when the key is registered.
        """
        p = self._prepare(data, case_id)
        return self._finish(p, self.appender.append(p.entries, [p.claim], receipt=True))

    async def submit_async(self, data: bytes, *, case_id: str) -> Submission:
        """``submit`` in the running event loop: the checks run here, and the wait for
        the batch's commit holds no thread.

        Raises:
            As ``submit``.
        """
        p = self._prepare(data, case_id)
        done = await self.appender.append_async(p.entries, [p.claim], receipt=True)
        return self._finish(p, done)

    def _prepare(self, data: bytes, case_id: str) -> _Prepared:
        """Everything ``submit`` does before appending: checks, evidence, the claim."""
        envelope = Envelope.from_bytes(data)
        act = envelope.act()
        self.case_record(case_id)  # NotFound
        self.indexer.remember(data, envelope, act)
        roster = self.indexer.roster()
        for p in (*act.issuers, *(a.party for a in act.addressees)):
            if p not in roster.parties:
                raise ValidationError(f"act names {p!r}, a party not admitted to the depositary")
        leaf = leaf_hash(data)
        now = self.clock.now()
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
        denied: AuthorityError | None = None
        try:
            authorise(envelope, roster, now, act)
        except AuthorityError as e:
            if not any(s.public_key in roster.keys for s in envelope.signatures):
                raise
            denied = e
            ev = EvidenceRecord(
                act_id=act.act_id, act_hash=leaf.hex(), prev=leaf.hex(),
                kind=EvidenceKind.REJECTED, at=now, case_id=case_id,
                details={"reason": e.reason, "message": str(e)[:2000]},
            )  # fmt: skip
            entries = [data, self._statement(ev, now)]
        else:
            chain = [
                EvidenceRecord(
                    act_id=act.act_id, act_hash=leaf.hex(), prev=leaf.hex(),
                    kind=EvidenceKind.SUBMITTED, at=now, case_id=case_id,
                    details={"signers": ",".join(sorted(
                        roster.keys[s.public_key].holder for s in envelope.signatures))},
                )
            ]  # fmt: skip
            entries = [data, self._statement(chain[0], now)]
            for a in act.addressees:
                prev = leaf_hash(entries[-1]).hex()
                ev = EvidenceRecord(
                    act_id=act.act_id, act_hash=leaf.hex(), prev=prev,
                    kind=EvidenceKind.CIRCULATED, at=now, addressee=a.party,
                )  # fmt: skip
                entries.append(self._statement(ev, now))
        # the act id is claimed in the transaction appending it: of two processes
        # submitting the same act at once, exactly one records it
        claim = NewChain(act_id=act.act_id, head=leaf_hash(entries[-1]), at_ms=to_millis(now))
        return _Prepared(
            act_id=act.act_id, case_id=case_id, entries=entries, claim=claim, now=now,
            denied=denied,
        )  # fmt: skip

    def _finish(self, p: _Prepared, done: list[Appended]) -> Submission:
        """What ``submit`` answers once ``p``'s entries are appended (``done``)."""
        self.indexer.catch_up_to(max(a.index for a in done) + 1)
        if p.denied is not None:
            raise AuthorityError(
                p.denied.reason,
                f"{p.denied} (the rejection is recorded at log index {done[1].index})",
                recorded_at=done[1].index,
            )
        return Submission(
            act_id=p.act_id,
            case_id=p.case_id,
            act=self._recorded(done[0]),
            evidence=tuple(a.index for a in done[1:]),
            received_at=p.now,
        )

    def record_evidence(
        self,
        act_id: str,
        kind: EvidenceKind,
        *,
        addressee: str | None = None,
        details: Mapping[str, str] | None = None,
        once: Job | None = None,
    ) -> int | None:
        """Append the next link of an act's evidence chain; return its log index.

        The link is claimed by compare-and-swap of the chain's head in the
        transaction appending it, so chains never fork, whichever processes
        append to them; a lost race re-reads the head and tries again. With
        ``once``, the evidence is recorded at most once: None when it already is.

        Raises:
            NotFound: no such act.
            ConflictError: the chain kept moving (very busy act).
        """
        for _ in range(LINK_ATTEMPTS):
            row = self.index.act(act_id)
            if row is None:
                self.indexer.catch_up()  # recorded by another process, not yet indexed here
                row = self.index.act(act_id)
                if row is None:
                    raise NotFound(f"no act {act_id!r}")
            head, head_ms = self.index.chain_head(act_id) or (
                row.last_evidence,
                row.received_at_ms or 0,
            )
            now = max(self.clock.now(), from_millis(head_ms))  # a chain's times never go back
            ev = EvidenceRecord(
                act_id=act_id, act_hash=row.leaf_hash.hex(), prev=head.hex(),
                kind=kind, at=now, addressee=addressee, details=dict(details or {}),
            )  # fmt: skip
            data = self._statement(ev, now)
            claims: list[Claim] = [
                NextLink(act_id=act_id, prev=head, head=leaf_hash(data), at_ms=to_millis(now))
            ]
            if once is not None:
                claims.append(once)
            try:
                return self._append([data], claims)[0].index
            except JobDoneError:
                return None
            except StaleLinkError:
                self.indexer.catch_up()
        raise ConflictError(f"the evidence chain of {act_id} kept moving; try again")

    # -- reading ---------------------------------------------------------------

    def act(self, act_id: str) -> ActView:
        row = self.index.act(act_id)
        if row is None:
            raise NotFound(f"no act {act_id!r}")
        return self._view(row)

    def act_at(self, index: int) -> ActView:
        row = self.index.act_at(index)
        if row is None:
            raise NotFound(f"log index {index} holds no act")
        return self._view(row)

    def _view(self, row: ActRow) -> ActView:
        evidence = self.index.evidence(row.act_id)
        return ActView(
            row=row,
            envelope=self.view.entry(row.idx),
            receipt=self.view.receipt(row.idx),
            evidence=tuple((e, self.view.entry(e.idx)) for e in evidence),
        )

    def attachment_reference(self, sha256: str) -> tuple[str, str] | None:
        """(act id, media type) of the first authorised act listing attachment ``sha256``."""
        for row in self.index.acts(limit=1_000_000):
            if row.authorised:
                act = Envelope.from_bytes(self.view.entry(row.idx)).act()
                for a in act.attachments:
                    if a.sha256 == sha256:
                        return act.act_id, a.media_type
        return None

    def inbox(self, request: bytes) -> list[ActView]:
        """Answer a party's signed pull of its inbox, recording each first retrieval.

        Raises:
            DecodeError, SignatureError: a malformed or forged request.
            AuthorityError: the key does not speak for the party.
            ValidationError: the request's time is too far from now.
            ConflictError: the request was seen before (a replay).
        """
        req, key = open_request(request)
        now = self.clock.now()
        held = self.indexer.roster().keys.get(key)
        if held is None or held.party_id != req.party:
            raise AuthorityError(
                "unknown_key", f"the request is not signed by a key of {req.party}"
            )
        revoked = self.indexer.roster().key_revoked_at.get(key)
        if revoked is not None and revoked <= now:
            raise AuthorityError("key_revoked", "the request is signed by a revoked key")
        if abs(req.at - now) > self.policy.request_window:
            raise ValidationError(
                f"the request was made at {req.at.isoformat()}, too far from the depositary's "
                f"time {now.isoformat()}"
            )
        window_ms = int(self.policy.request_window.total_seconds() * 1000)
        self.index.use_nonce(req.nonce, req.party, to_millis(now), to_millis(now) - 2 * window_ms)
        rows = [r for r in self.index.acts(party=req.party, role="addressee") if r.authorised]
        for r in rows:
            seen = any(
                e.kind == EvidenceKind.RETRIEVED.value and e.addressee == req.party
                for e in self.index.evidence(r.act_id)
            )
            if not seen:
                retrieved = EvidenceKind.RETRIEVED
                once = Job(act_id=r.act_id, kind=retrieved.value, addressee=req.party)
                self.record_evidence(r.act_id, retrieved, addressee=req.party, once=once)
        return [self.act(r.act_id) for r in rows]

    def records(self, case_id: str) -> list[LoggedAct | Evidence]:
        """The case's acts and evidence as the status derivation takes them."""
        out: list[tuple[datetime, int, LoggedAct | Evidence]] = []
        for idx in self.index.case_entries(case_id):
            entry = parse_entry(self.view.entry(idx), self.key.public_key)
            if isinstance(entry, Envelope):
                row = self.index.act_at(idx)
                if row is None or row.received_at_ms is None:
                    continue
                at = from_millis(row.received_at_ms)
                logged = LoggedAct(act=entry.act(), received_at=at, authorised=bool(row.authorised))
                out.append((at, idx, logged))
                if row.authorised:
                    ev = Evidence(act_id=row.act_id, kind=EvidenceKind.PUBLISHED, at=at)
                    out.append((at, idx, ev))
            elif isinstance(entry.body, EvidenceRecord):
                ev = entry.body.evidence()
                out.append((ev.at, idx, ev))
        out.sort(key=lambda t: (t[0], t[1]))
        return [r for _, _, r in out]

    def status(self, case_id: str, as_of: datetime | None = None) -> CaseStatus:
        """The case's status as of any time (default: now), derived from the log."""
        record = self.case_record(case_id)
        return derive_status(
            self.indexer.case(record), self.records(case_id), as_of or self.clock.now()
        )

    def events(self, case_id: str) -> list[dict[str, object]]:
        """The case as event data: one PLOVER-style event per act, with CAMEO codes."""
        return [
            event
            for row in self.index.acts(case_id=case_id)
            if row.authorised
            for event in event_records(
                Envelope.from_bytes(self.view.entry(row.idx)).act(),
                log_index=row.idx,
                recorded_at=from_millis(row.received_at_ms or 0),
            )
        ]
