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
from datetime import datetime

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
)
from depositary.service.appender import Appender
from depositary.service.indexer import Indexer, from_millis, parse_entry
from depositary.service.prep_pool import PrepPool
from depositary.service.preparing import Policy, Prepared, Preparer
from depositary.storage.claims import Claim, Job, JobDoneError, NextLink, StaleLinkError
from depositary.storage.index import ActRow, EvidenceRow, ServiceIndex

LINK_ATTEMPTS = 50


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
class EvidenceView:
    """One step of an act's evidence: its index row, exact bytes and receipt."""

    row: EvidenceRow
    entry: bytes
    receipt: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class ActView:
    """An act as anyone may see it: exact bytes, place in the log, evidence chain, with
    every receipt at one checkpoint (the dossier of ``records.dossier``)."""

    row: ActRow
    envelope: bytes
    receipt: bytes
    evidence: tuple[EvidenceView, ...]


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
        pool: PrepPool | None = None,
    ) -> None:
        """``pool``: worker processes for ``submit_async``'s checks (default: this one)."""
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
        self.preparer = Preparer(indexer=self.indexer, index=index, key=key, policy=self.policy)
        self.pool: PrepPool | None = pool

    # -- appending -----------------------------------------------------------

    def _statement(self, body: Admission | CaseRecord | EvidenceRecord, at: datetime) -> bytes:
        data, statement = self.preparer.statement(body, at)
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
        p = self._prepared(self.preparer.prepare(data, case_id, self.clock.now()))
        return self._finish(p, self.appender.append(p.entries, [p.claim], receipt=True))

    async def submit_async(self, data: bytes, *, case_id: str) -> Submission:
        """``submit`` in the running event loop: the checks run here, and the wait for
        the batch's commit holds no thread.

        Raises:
            As ``submit``.
        """
        now = self.clock.now()
        if self.pool is not None:
            version = self.indexer.registry_version()
            p = self._prepared(await self.pool.prepare(data, case_id, now, version))
        else:
            p = self._prepared(self.preparer.prepare(data, case_id, now))
        done = await self.appender.append_async(p.entries, [p.claim], receipt=True)
        return self._finish(p, done)

    def _prepared(self, p: Prepared) -> Prepared:
        """Keep the parsed forms of ``p``'s entries, so indexing them parses nothing."""
        self.indexer.remember(p.entries[0], p.envelope, p.act)
        for data, statement in zip(p.entries[1:], p.statements, strict=True):
            self.indexer.remember(data, statement)
        return p

    def _finish(self, p: Prepared, done: list[Appended]) -> Submission:
        """What ``submit`` answers once ``p``'s entries are appended (``done``)."""
        self.indexer.catch_up_to(max(a.index for a in done) + 1)
        if p.denied is not None:
            raise AuthorityError(
                p.denied.reason,
                f"{p.denied.message} (the rejection is recorded at log index {done[1].index})",
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
        size = self.view.checkpoint().size
        return ActView(
            row=row,
            envelope=self.view.entry(row.idx),
            receipt=self.view.receipt(row.idx, size),
            evidence=tuple(
                EvidenceView(row=e, entry=self.view.entry(e.idx),
                             receipt=self.view.receipt(e.idx, size))
                for e in evidence
            ),
        )  # fmt: skip

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
