"""The log up to some time, indexed for one pass of status derivation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from depositary.acts import bodies as b
from depositary.acts.clocks import LoggedAct
from depositary.acts.kinds import ActKind
from depositary.acts.receipt_rules import DeliveryFacts, Evidence, EvidenceKind
from depositary.errors import ValidationError

LogRecord = LoggedAct | Evidence


def _time(record: LogRecord) -> datetime:
    return record.received_at if isinstance(record, LoggedAct) else record.at


class LogIndex:
    """Everything logged up to ``as_of``, indexed for one pass of derivation."""

    def __init__(self, records: Sequence[LogRecord], as_of: datetime) -> None:
        self.acts: dict[str, LoggedAct] = {}
        self.by_kind: dict[ActKind, list[LoggedAct]] = defaultdict(list)
        self.by_ref: dict[str, list[LoggedAct]] = defaultdict(list)
        self.facts: dict[tuple[str, str], DeliveryFacts] = defaultdict(DeliveryFacts)
        self.published: dict[str, datetime] = {}
        self.refused: dict[str, list[str]] = defaultdict(list)
        last: datetime | None = None
        for record in records:
            at = _time(record)
            if at > as_of:
                break
            if last is not None and at < last:
                raise ValidationError("log records must be in non-decreasing time order")
            last = at
            if isinstance(record, LoggedAct):
                self._add_act(record)
            else:
                self._add_evidence(record)
        self.void = self._repudiated()

    def _add_act(self, logged: LoggedAct) -> None:
        act = logged.act
        if act.act_id in self.acts:
            raise ValidationError(f"act id {act.act_id} logged twice")
        self.acts[act.act_id] = logged
        self.by_kind[act.kind].append(logged)
        ref = act.refers_to()
        if ref is not None:
            self.by_ref[ref].append(logged)
        if act.kind is ActKind.ACKNOWLEDGMENT and logged.authorised and ref is not None:
            for issuer in act.issuers:
                self.facts[(ref, issuer)].note(EvidenceKind.ACKNOWLEDGED, logged.received_at)

    def _add_evidence(self, ev: Evidence) -> None:
        if ev.kind is EvidenceKind.PUBLISHED:
            self.published.setdefault(ev.act_id, ev.at)
        elif ev.addressee is not None:
            self.facts[(ev.act_id, ev.addressee)].note(ev.kind, ev.at)
            if ev.kind is EvidenceKind.REFUSED:
                self.refused[ev.act_id].append(ev.addressee)

    def _repudiated(self) -> dict[str, str]:
        void: dict[str, str] = {}
        for c in self.by_kind[ActKind.CORRECTION]:
            body = c.act.body
            assert isinstance(body, b.CorrectionBody)
            target = self.acts.get(body.of_act)
            same_sender = target is not None and set(c.act.issuers) & set(target.act.issuers)
            if body.repudiation and c.authorised and same_sender:
                void[body.of_act] = c.act.act_id
        return void

    def inoperative(self, logged: LoggedAct) -> str | None:
        if not logged.authorised:
            return "unsigned or signed without authority"
        if not logged.act.operative:
            return f"{logged.act.kind.value} is not operative"
        if logged.act.act_id in self.void:
            return f"repudiated by {self.void[logged.act.act_id]}"
        return None

    def live_refs(self, ref: str, kind: ActKind, issuers: Sequence[str]) -> list[LoggedAct]:
        """Operative acts of ``kind`` referring to ``ref`` issued by one of ``issuers``."""
        return [
            a
            for a in self.by_ref.get(ref, ())
            if a.act.kind is kind
            and self.inoperative(a) is None
            and set(a.act.issuers) & set(issuers)
        ]
