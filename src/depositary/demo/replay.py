"""Replay a scenario against a depositary on a simulated clock.

The same runner serves the demo command and the tests: each step moves the
clock to its moment, signs with the step's keys, and goes through the service
exactly as a party's client would (signed act bytes, signed inbox requests).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from depositary.acts.calendars import start_of_day
from depositary.acts.envelope import sign_act
from depositary.clock import ManualClock
from depositary.demo.iraq2020 import CASE, END, PARTIES, Step, admission, demo_signer
from depositary.errors import AuthorityError
from depositary.records.requests import InboxRequest, sign_request
from depositary.service.delivery import DeliveryWorker
from depositary.service.depositary import Depositary
from depositary.service.indexer import from_millis
from depositary.service.scheduler import Scheduler


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    step: Step
    index: int | None  # the act's log index, when it was recorded
    refused: str | None = None  # why it was refused


def signed_inbox_request(party: str, holder: str, now: datetime) -> bytes:
    """A party's signed pull of its inbox, as its client makes it."""
    req = InboxRequest(party=party, at=now, nonce=secrets.token_hex(16))
    return sign_request(req, demo_signer(holder)).to_bytes()


def setup(depositary: Depositary, endpoints: dict[str, tuple[str, ...]]) -> None:
    """Admit the demo parties (with their endpoints) and register the case."""
    for party_id in PARTIES:
        depositary.admit(admission(party_id, endpoints.get(party_id, ())))
    depositary.register_case(CASE)


def replay(
    depositary: Depositary,
    clock: ManualClock,
    steps: Sequence[Step],
    *,
    delivery: DeliveryWorker | None = None,
    scheduler: Scheduler | None = None,
    report: Callable[[Outcome], object] = lambda _: None,
) -> list[Outcome]:
    """Run every step, delivering after each; stop at the scenario's end."""
    outcomes: list[Outcome] = []
    for step in steps:
        if step.at > clock.now():  # let retries and deadlines fall due on the way
            finish(depositary, clock, step.at, delivery=delivery, scheduler=scheduler)
        outcome: Outcome
        if step.act is not None:
            envelope = sign_act(step.act, [demo_signer(h) for h in step.signers])
            try:
                sub = depositary.submit(envelope.to_bytes(), case_id=CASE.case_id)
                outcome = Outcome(step=step, index=sub.act.index)
            except AuthorityError as e:
                outcome = Outcome(step=step, index=e.recorded_at, refused=f"{e.reason}: {e}")
        else:
            assert step.retrieve is not None
            holder = PARTIES[step.retrieve][1][0].holder
            depositary.inbox(signed_inbox_request(step.retrieve, holder, clock.now()))
            outcome = Outcome(step=step, index=None)
        outcomes.append(outcome)
        report(outcome)
        if delivery is not None:
            delivery.run_once()
        if scheduler is not None:
            scheduler.tick()
    finish(depositary, clock, END, delivery=delivery, scheduler=scheduler)
    return outcomes


def next_moment(depositary: Depositary, after: datetime, end: datetime) -> datetime:
    """The next moment after ``after`` (at most ``end``) when something can come due.

    That is a delivery retry, the end of a reply deadline (the day after the date
    named, in the addressee's time zone) or a deemed receipt; simulated time jumps
    there instead of crawling hour by hour.
    """
    moments = [end]
    next_ms = depositary.index.next_delivery_ms()
    if next_ms is not None:
        moments.append(from_millis(next_ms))
    for case_id, _ in depositary.index.cases():
        parties = depositary.indexer.case(depositary.case_record(case_id)).parties
        status = depositary.status(case_id, after)
        for act in status.acts.values():
            for d in act.deadlines:
                if d.met_by is None and not d.overdue and d.due.on is not None:
                    tz = parties[d.party].time_zone
                    moments.append(start_of_day(d.due.on + timedelta(days=1), tz))
            moments += [c.receipt.at for c in act.clocks if c.receipt is not None]
    return min(m for m in moments if m > after) if any(m > after for m in moments) else end


def finish(
    depositary: Depositary,
    clock: ManualClock,
    end: datetime,
    *,
    delivery: DeliveryWorker | None,
    scheduler: Scheduler | None,
) -> None:
    """Let simulated time run to ``end``: retries fall due, deadlines pass."""
    while clock.now() < end:
        clock.set(max(clock.now(), min(end, next_moment(depositary, clock.now(), end))))
        if delivery is not None:
            delivery.run_once()
        if scheduler is not None:
            scheduler.tick()
