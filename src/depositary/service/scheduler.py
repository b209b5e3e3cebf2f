"""Turn deadlines into evidence at the right moment, and catch up after downtime.

Nothing is scheduled ahead in a table: at each tick the scheduler derives the
status of every case as of the clock's now, and records what has come due and
is not yet evidenced: a deadline passed without a response, or an act deemed
received under its rule. A depositary that was down records all of it at the
first tick after it comes back (the evidence names the moment it was due).

Every process may tick: each piece of evidence is claimed (act, kind,
addressee) in the transaction that appends it, so two schedulers ticking at
once record it once (see ``appender``).
"""

from __future__ import annotations

import contextlib
import threading

from depositary.acts.receipt_rules import EvidenceKind
from depositary.errors import DepositaryError
from depositary.service.depositary import Depositary
from depositary.storage.claims import Job

ACTUAL_ROUTES = frozenset({"actual receipt", "recorded as deemed received"})


class Scheduler:
    """Derives due deadlines and deemed receipts; ``tick`` for replays, ``start`` for servers."""

    def __init__(self, depositary: Depositary, *, interval: float = 1.0) -> None:
        self.depositary = depositary
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _evidenced(self, act_id: str, kind: EvidenceKind, party: str) -> bool:
        return any(
            e.kind == kind.value and e.addressee == party
            for e in self.depositary.index.evidence(act_id)
        )

    def tick(self) -> list[int]:
        """Record everything that has come due; return the new evidence's log indexes."""
        dep = self.depositary
        now = dep.clock.now()
        recorded: list[int] = []
        for case_id, _ in dep.index.cases():
            status = dep.status(case_id, now)
            for act in status.acts.values():
                for d in act.deadlines:
                    kind = EvidenceKind.NO_RESPONSE_BY_DEADLINE
                    if d.overdue and not self._evidenced(act.act_id, kind, d.party):
                        idx = dep.record_evidence(
                            act.act_id, kind, addressee=d.party,
                            details={"deadline": d.name, "due": str(d.due.on), "rule": d.due.rule},
                            once=Job(act_id=act.act_id, kind=kind.value, addressee=d.party),
                        )  # fmt: skip
                        if idx is not None:
                            recorded.append(idx)
                for c in act.clocks:
                    r = c.receipt
                    if r is None or r.route in ACTUAL_ROUTES or r.at > now:
                        continue
                    kind = EvidenceKind.DEEMED_RECEIVED
                    if not self._evidenced(act.act_id, kind, c.addressee):
                        idx = dep.record_evidence(
                            act.act_id, kind, addressee=c.addressee,
                            details={"rule": r.route, "deemed_at": r.at.isoformat()},
                            once=Job(act_id=act.act_id, kind=kind.value, addressee=c.addressee),
                        )  # fmt: skip
                        if idx is not None:
                            recorded.append(idx)
        return recorded

    def start(self) -> Scheduler:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(DepositaryError):  # try again at the next tick
                self.tick()
            self._stop.wait(self.interval)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
