"""Deliver acts to the addressees' endpoints: a persistent queue, retries, evidence.

The queue rows are derived from the log (each ``circulated`` evidence enqueues
the addressee's endpoints), so they survive restarts. A worker claims a row
by compare-and-swap before sending, so two workers never both deliver it; the
receiver also gets an ``Idempotency-Key``. Success appends ``delivered``
evidence; running out of attempts appends ``delivery_failed``; each is claimed
once per endpoint in the transaction appending it, so workers in several
processes never record it twice.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import replace

import httpx2

from depositary.acts.receipt_rules import EvidenceKind
from depositary.clock import to_millis
from depositary.errors import DepositaryError
from depositary.records.delivery import IDEMPOTENCY_HEADER, delivery_body, sign_delivery
from depositary.service.depositary import Depositary
from depositary.storage.claims import Job
from depositary.storage.index import DeliveryRow

LEASE_MS = 30_000
TIMEOUT = 10.0


class DeliveryWorker:
    """Sends due deliveries; ``run_once`` for replays, ``start`` for a server."""

    def __init__(
        self,
        depositary: Depositary,
        *,
        attempts: int = 8,
        backoff: float = 1.0,
        poll: float = 0.5,
        client: httpx2.Client | None = None,
    ) -> None:
        self.depositary = depositary
        self.attempts = attempts
        self.backoff = backoff
        self.poll = poll
        self._client = client or httpx2.Client(timeout=TIMEOUT, follow_redirects=False)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Try every due delivery once; return how many were attempted."""
        index = self.depositary.index
        now = to_millis(self.depositary.clock.now())
        tried = 0
        for row in index.due_deliveries(now):
            claimed = replace(row, attempts=row.attempts + 1, next_at_ms=now + LEASE_MS)
            if not index.update_delivery(claimed, expect_attempts=row.attempts):
                continue  # another worker has it
            tried += 1
            self._attempt(claimed)
        return tried

    @staticmethod
    def _job(row: DeliveryRow, kind: EvidenceKind) -> Job:
        return Job(act_id=row.act_id, kind=kind.value, addressee=row.addressee, url=row.url)

    def _attempt(self, row: DeliveryRow) -> None:
        dep = self.depositary
        act = dep.act(row.act_id)
        body = delivery_body(
            act_id=row.act_id, addressee=row.addressee, index=act.row.idx,
            envelope=act.envelope, receipt=act.receipt,
        )  # fmt: skip
        headers = {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: f"{row.act_id}/{row.addressee}",
            **sign_delivery(body, dep.key),
        }
        error: str | None = None
        status = 0
        try:
            resp = self._client.post(row.url, content=body, headers=headers)
            status = resp.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx2.HTTPError as e:
            error = f"{e.__class__.__name__}: {e}"[:500]
        now = to_millis(dep.clock.now())
        if error is None:
            # evidence first (once per endpoint, whoever records it), then the row: a
            # crash in between re-sends (same Idempotency-Key) and records nothing twice
            dep.record_evidence(
                row.act_id, EvidenceKind.DELIVERED, addressee=row.addressee,
                details={"endpoint": row.url, "status": str(status)},
                once=self._job(row, EvidenceKind.DELIVERED),
            )  # fmt: skip
            done = replace(row, state="delivered", last_error=None)
            dep.index.update_delivery(done, expect_attempts=row.attempts)
            return
        if row.attempts >= self.attempts:
            dep.record_evidence(
                row.act_id, EvidenceKind.DELIVERY_FAILED, addressee=row.addressee,
                details={"endpoint": row.url, "error": error, "attempts": str(row.attempts)},
                once=self._job(row, EvidenceKind.DELIVERY_FAILED),
            )  # fmt: skip
            failed = replace(row, state="failed", last_error=error)
            dep.index.update_delivery(failed, expect_attempts=row.attempts)
            return
        wait = int(self.backoff * 1000 * 2 ** (row.attempts - 1))
        retry = replace(row, next_at_ms=now + wait, last_error=error)
        dep.index.update_delivery(retry, expect_attempts=row.attempts)

    def start(self) -> DeliveryWorker:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="delivery", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(DepositaryError):  # try again on the next poll
                self.run_once()
            self._stop.wait(self.poll)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._client.close()
