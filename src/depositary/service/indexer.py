"""Keep the service index in step with the log, and rebuild the roster from it.

The log is the truth; the index is derived. ``catch_up`` applies every entry
from where the index stopped to the log's latest checkpoint, in one index
transaction per chunk, so a crash between the log and the index only means
the next catch-up re-applies (idempotently) what was missed. Any process may
catch up: each chunk re-reads ``indexed_size`` inside its transaction (under
the writer lock) and applies only what is still missing. The roster is cached
per process, keyed by the log index of the last entry that changed it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from depositary.acts.act import Act
from depositary.acts.authority import apply_to_roster, authorise
from depositary.acts.envelope import Envelope
from depositary.acts.instruments import Case
from depositary.acts.kinds import ActKind
from depositary.acts.parties import Roster
from depositary.acts.receipt_rules import EvidenceKind
from depositary.clock import to_millis
from depositary.errors import DepositaryError
from depositary.log.reader import LogView
from depositary.merkle.hashing import leaf_hash
from depositary.records.statements import (
    SIGNED_STATEMENT,
    Admission,
    CaseRecord,
    EvidenceRecord,
    Statement,
    open_statement,
)
from depositary.storage.index import ActRow, DeliveryRow, EvidenceRow, IndexBatch, ServiceIndex

CHUNK = 4096
PARSED_CACHE = 65_536
VERSION_TTL = 0.1  # seconds: how stale another process's registry change may be seen
ROSTER_KINDS = frozenset(
    {ActKind.FULL_POWERS, ActKind.KEY_ROTATION, ActKind.KEY_REVOCATION,
     ActKind.DELEGATION_REVOCATION}
)  # fmt: skip

ROSTER_VALUES = frozenset(k.value for k in ROSTER_KINDS)

Entry = Envelope | Statement


def parse_entry(data: bytes, depositary_key: bytes) -> Entry:
    """Classify and parse one log entry: a party's act, or a depositary statement.

    Raises:
        DecodeError, ValidationError, SignatureError: not an entry this depositary wrote.
    """
    if b'"type":"' + SIGNED_STATEMENT.encode() + b'"' in data:
        return open_statement(data, depositary_key)
    return Envelope.from_bytes(data)


def search_text(act: Act) -> str:
    parts = [act.act_id, act.kind.value, *act.issuers, *(a.party for a in act.addressees)]
    parts += [t.content for t in act.texts]
    return "\n".join(parts).lower()


def from_millis(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


class Indexer:
    """Applies log entries to the index; holds the roster derived from them."""

    def __init__(
        self,
        *,
        view: LogView,
        index: ServiceIndex,
        depositary_key: bytes,
        now_ms: Callable[[], int],
    ) -> None:
        self.view = view
        self.index = index
        self.depositary_key = depositary_key
        self._now_ms = now_ms
        self._lock = threading.Lock()  # one catch-up at a time
        self._cache_lock = threading.Lock()  # the in-memory caches, never held across I/O
        self._roster: Roster | None = None
        self._roster_at = -1
        self._admissions: dict[str, Admission] | None = None
        self._admissions_at = -1
        self._cases: dict[str, CaseRecord] = {}
        self._cases_at = -1
        self._parsed: OrderedDict[bytes, Entry] = OrderedDict()
        self._acts: dict[bytes, Act] = {}
        self.indexed = 0  # the size this process last saw indexed (it only grows)
        self._version = -1
        self._version_read_at = -1e9

    def registry_version(self) -> int:
        """The log index of the last entry that changed parties, keys or cases.

        Read from the shared index at most every ``VERSION_TTL`` seconds: this process's
        own changes are seen at once (its catch-up forgets the cached value), another
        process's within that bound.
        """
        now = time.monotonic()
        if now - self._version_read_at >= VERSION_TTL:
            self._version, self._version_read_at = self.index.roster_at(), now
        return self._version

    def refresh_to(self, version: int) -> None:
        """Re-read the registry version at the next use if ``version`` (as another
        process of this depositary saw it) is newer than this one's."""
        if version > self._version:
            self._version_read_at = -1e9

    def remember(self, data: bytes, entry: Entry, act: Act | None = None) -> None:
        """Keep the parsed form of an entry this process just made or verified, so
        indexing it needs no second parse or signature check."""
        leaf = leaf_hash(data)
        with self._cache_lock:
            self._parsed[leaf] = entry
            if act is not None:
                self._acts[leaf] = act
            while len(self._parsed) > PARSED_CACHE:
                gone, _ = self._parsed.popitem(last=False)
                self._acts.pop(gone, None)

    def catch_up_to(self, size: int) -> None:
        """Make sure the first ``size`` entries are indexed (cheap when they are)."""
        if self.indexed < size:
            self.catch_up()

    def index_appended(
        self, conn: sa.Connection, first: int, entries: Sequence[bytes]
    ) -> tuple[int, bool] | None:
        """Index ``entries``, just appended at ``first`` onwards, in the transaction
        appending them (``conn``), when the index is complete up to ``first``;
        otherwise leave them to ``catch_up``. Returns what ``indexed_committed``
        takes once that transaction commits."""
        if self.index.indexed_size(conn) != first:
            return None
        batch = IndexBatch()
        for i, data in enumerate(entries, start=first):
            self._apply(conn, batch, i, data)
        self.index.write_batch(conn, batch)
        self.index.set_indexed_size(conn, first + len(entries))
        return first + len(entries), batch.registry_changed

    def indexed_committed(self, staged: object) -> None:
        """The transaction ``index_appended`` ran in committed."""
        assert isinstance(staged, tuple)
        size, registry_changed = staged
        self.indexed = max(self.indexed, size)
        if registry_changed:
            self._version_read_at = -1e9

    def catch_up(self) -> int:
        """Apply every logged entry not yet indexed; return the indexed size."""
        with self._lock:
            done = self.index.indexed_size()
            head = self.view.store.checkpoint()
            size = 0 if head is None else head.size
            while done < size:
                end = min(size, done + CHUNK)
                entries = self.view.entries(done, end)
                with self.index.batch() as conn:
                    # another process may have indexed some of it meanwhile: never apply
                    # an entry twice out of order, never move indexed_size back
                    now = self.index.indexed_size(conn)
                    batch = IndexBatch()
                    for i, data in enumerate(entries[max(0, now - done) :], start=max(now, done)):
                        self._apply(conn, batch, i, data)
                    self.index.write_batch(conn, batch)
                    if batch.registry_changed:
                        self._version_read_at = -1e9  # re-read once this commits
                    if end > now:
                        self.index.set_indexed_size(conn, end)
                done = max(end, now)
                if batch.registry_changed:
                    self._version_read_at = -1e9
            self.indexed = max(self.indexed, done)
            return done

    def _apply(self, conn: sa.Connection, batch: IndexBatch, idx: int, data: bytes) -> None:
        leaf = leaf_hash(data)
        with self._cache_lock:
            entry = self._parsed.pop(leaf, None)
        if entry is None:
            try:
                entry = parse_entry(data, self.depositary_key)
            except DepositaryError:
                return  # not ours (a test entry, or another application's): nothing to index
        if isinstance(entry, Envelope):
            act = self._act_of(leaf, entry)
            parties = [(p, "issuer") for p in act.issuers]
            parties += [(a.party, "addressee") for a in act.addressees]
            row = ActRow(
                act_id=act.act_id, idx=idx, leaf_hash=leaf, case_id=None, kind=act.kind.value,
                made_at_ms=to_millis(act.made_at), received_at_ms=None, authorised=None,
                last_evidence=leaf,
            )  # fmt: skip
            batch.acts.append((row, parties, search_text(act)))
            batch.kinds[act.act_id] = act.kind.value
            if act.kind in ROSTER_KINDS:
                self.index.set_roster_at(conn, idx)
                batch.registry_changed = True
            return
        body = entry.body
        if isinstance(body, Admission):
            self.index.put_party(conn, body.party.party_id, idx, json.dumps(body.to_dict()))
            self.index.set_roster_at(conn, idx)
            batch.registry_changed = True
        elif isinstance(body, CaseRecord):
            self.index.put_case(conn, body.case_id, idx, json.dumps(body.to_dict()))
            self.index.set_roster_at(conn, idx)  # the registry's version: parties and cases
            batch.registry_changed = True
        elif isinstance(body, EvidenceRecord):
            self._apply_evidence(conn, batch, idx, leaf, body)

    def _act_of(self, leaf: bytes, envelope: Envelope) -> Act:
        with self._cache_lock:
            act = self._acts.pop(leaf, None)
        return act if act is not None else envelope.act()

    def _apply_evidence(
        self, conn: sa.Connection, batch: IndexBatch, idx: int, leaf: bytes, ev: EvidenceRecord
    ) -> None:
        decided = None
        if ev.kind is EvidenceKind.SUBMITTED:
            decided = True
        elif ev.kind is EvidenceKind.REJECTED:
            decided = False
        row = EvidenceRow(
            idx=idx, act_id=ev.act_id, kind=ev.kind.value, addressee=ev.addressee,
            at_ms=to_millis(ev.at),
        )  # fmt: skip
        batch.evidence.append((row, leaf, ev.case_id, decided))
        if decided:
            kind = batch.kinds.get(ev.act_id) or self.index.act_kind(conn, ev.act_id)
            if kind in ROSTER_VALUES:
                self.index.set_roster_at(conn, idx)
                batch.registry_changed = True
        if ev.kind is EvidenceKind.CIRCULATED and ev.addressee is not None:
            admission = self._admission_in(conn, ev.addressee)
            urls = admission.endpoints if admission is not None else ()
            batch.deliveries += [
                DeliveryRow(act_id=ev.act_id, addressee=ev.addressee, url=u, state="pending",
                            attempts=0, next_at_ms=self._now_ms(), last_error=None)
                for u in urls
            ]  # fmt: skip

    def _admission_in(self, conn: sa.Connection, party_id: str) -> Admission | None:
        """A party's admission as this write transaction sees it (it may be in this batch)."""
        cached = self._admissions
        if cached is not None and party_id in cached:
            return cached[party_id]
        text = self.index.party(conn, party_id)
        return None if text is None else Admission.from_dict(json.loads(text))

    # -- derived views ---------------------------------------------------------

    def admissions(self) -> dict[str, Admission]:
        """The latest admission of every party (cached until the registry changes)."""
        version = self.registry_version()
        cached = self._admissions
        if cached is not None and self._admissions_at == version:
            return cached
        fresh = {
            pid: Admission.from_dict(json.loads(text)) for pid, _, text in self.index.parties()
        }
        self._admissions, self._admissions_at = fresh, version
        return fresh

    def case_record(self, case_id: str) -> CaseRecord | None:
        """A registered case (cached until the registry changes)."""
        version = self.registry_version()
        if self._cases_at != version:
            self._cases, self._cases_at = {}, version
        got = self._cases.get(case_id)
        if got is None:
            text = self.index.case(case_id)
            if text is None:
                return None
            got = self._cases[case_id] = CaseRecord.from_dict(json.loads(text))
        return got

    def roster(self) -> Roster:
        """Parties and keys as admitted, then changed by authorised key and powers acts."""
        version = self.registry_version()  # any process may have changed it
        with self._cache_lock:
            if self._roster is not None and self._roster_at == version:
                return self._roster
        admissions = self.admissions()
        roster = Roster.build(
            parties=tuple(a.party for a in admissions.values()),
            organs=tuple(o for a in admissions.values() for o in a.organs),
            keys=tuple(k for a in admissions.values() for k in a.keys),
        )
        for row in self.index.acts(limit=1_000_000):
            if row.kind not in {k.value for k in ROSTER_KINDS} or not row.authorised:
                continue
            envelope = Envelope.from_bytes(self.view.entry(row.idx))
            assert row.received_at_ms is not None
            at = from_millis(row.received_at_ms)
            try:
                roster = apply_to_roster(roster, authorise(envelope, roster, at))
            except DepositaryError:
                continue  # it was accepted against an earlier roster; the log shows why
        with self._cache_lock:
            self._roster, self._roster_at = roster, version
        return roster

    def case(self, record: CaseRecord) -> Case:
        """The fixed facts of a case, for status derivation."""
        roster = self.roster()
        return Case(
            parties=dict(roster.parties),
            instruments={i.instrument_id: i for i in record.instruments},
            presences={p.presence_id: p for p in record.presences},
        )
