"""The January 2020 case, replayed through the service layer on a simulated clock."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from depositary.acts.envelope import sign_act
from depositary.acts.presence_views import LegalState
from depositary.clock import ManualClock
from depositary.demo.iraq2020 import CASE_ID, END, at, demo_signer, steps
from depositary.demo.replay import replay, setup, signed_inbox_request
from depositary.encoding.tlog_proof import verify_tlog_proof
from depositary.errors import (
    AuthorityError,
    ConflictError,
    DecodeError,
    SignatureError,
    ValidationError,
)
from depositary.records.delivery import KEY_HEADER, SIGNATURE_HEADER, open_delivery
from depositary.service.instance import Instance
from tests.service.conftest import Receiver, make_instance

UNREACHABLE = "http://127.0.0.1:9/coalition-inbox"  # discard port: nothing listens


def run_case(instance: Instance, clock: ManualClock, receivers: dict[str, Receiver]):  # type: ignore[no-untyped-def]
    dep = instance.depositary
    setup(dep, {"us": (receivers["us"].url,), "ir": (receivers["ir"].url,),
                "iq": (receivers["iq"].url,), "coalition": (UNREACHABLE,)})  # fmt: skip
    return replay(dep, clock, steps(), delivery=instance.delivery, scheduler=instance.scheduler)


def kinds(instance: Instance, act_id: str) -> list[tuple[str, str | None]]:
    return [(e.kind, e.addressee) for e in instance.depositary.index.evidence(act_id)]


def test_the_case_replays_with_evidence_for_every_step(instance, clock, receivers) -> None:  # type: ignore[no-untyped-def]
    outcomes = run_case(instance, clock, receivers)
    refused = [o for o in outcomes if o.refused]
    assert [o.step.act.act_id for o in refused if o.step.act] == ["us-cjtf-letter-2020-01-06"]
    assert refused[0].refused.startswith("no_delegation")  # type: ignore[union-attr]
    assert refused[0].index is not None  # the refusal itself is on the record
    dep = instance.depositary
    assert kinds(instance, "us-cjtf-letter-2020-01-06") == [("rejected", None)]

    notice = kinds(instance, "iq-notice-2020-01-12")
    assert notice[:4] == [("submitted", None), ("circulated", "us"), ("circulated", "coalition"),
                          ("circulated", "ir")]  # fmt: skip
    assert ("delivered", "us") in notice
    assert ("delivered", "ir") in notice
    assert ("delivery_failed", "coalition") in notice
    assert ("retrieved", "us") in notice
    ack = dep.status(CASE_ID, END).acts["iq-notice-2020-01-12"]
    assert "ir-ack-2020-01-13" in ack.responses  # Iran's acknowledgment answers the notice
    assert ("no_response_by_deadline", "coalition") in kinds(
        instance, "iq-coalition-talks-2020-01-12"
    )
    # the US answered its request for talks: no deadline evidence there
    assert all(k != "no_response_by_deadline" for k, _ in kinds(instance, "iq-pm-talks-2020-01-09"))

    status = dep.status(CASE_ID, END)
    clocks = {(c.addressee, c.instrument) for c in status.acts["iq-notice-2020-01-12"].clocks}
    assert clocks == {
        ("us", "iq-request-2014"),
        ("coalition", "iq-coalition-request-2014"),
        ("ir", "iq-ir-advisers"),
    }  # each force on its own legal basis only
    assert status.acts["iq-cor-resolution-2020-01-05"].inoperative is not None
    assert "wire-sanctions-threat-2020-01-05" in status.reported
    us = status.presences["us-in-iq"]
    assert us.host_state is not LegalState.CONSENTED
    # before the notice, the resolution only contested the consent
    before = dep.status(CASE_ID, at("2020-01-11T00:00")).presences["us-in-iq"]
    assert before.host_state is LegalState.CONTESTED


def test_deliveries_are_signed_by_the_depositary_and_carry_a_valid_receipt(
    instance, clock, receivers
) -> None:  # type: ignore[no-untyped-def]
    run_case(instance, clock, receivers)
    got = receivers["us"].received
    assert got, "the US endpoint received nothing"
    for headers, body in got:
        data = open_delivery(body, headers[SIGNATURE_HEADER], instance.depositary.key.public_key)
        assert base64.b64decode(headers[KEY_HEADER]) == instance.depositary.key.public_key
        envelope = base64.b64decode(str(data["envelope"]))
        verify_tlog_proof(str(data["receipt"]).encode(), entry=envelope,
                          log_verifier=instance.log_verifier)  # fmt: skip
    ids = [b["act_id"] for b in receivers["us"].bodies()]
    assert len(ids) == len(set(ids)), "an act was delivered twice"
    with pytest.raises(SignatureError):
        headers, body = got[0]
        open_delivery(body + b" ", headers[SIGNATURE_HEADER], instance.depositary.key.public_key)


def test_replays_forgeries_and_strangers_are_refused_and_change_nothing(
    instance, clock, receivers
) -> None:  # type: ignore[no-untyped-def]
    run_case(instance, clock, receivers)
    dep = instance.depositary
    size = instance.store.checkpoint().size  # type: ignore[union-attr]
    notice = next(s for s in steps() if s.act and s.act.act_id == "iq-notice-2020-01-12")
    data = sign_act(notice.act, [demo_signer("iq-prime-minister")]).to_bytes()  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="already recorded"):
        dep.submit(data, case_id=CASE_ID)
    stranger = sign_act(notice.act.__class__(**{**{f: getattr(notice.act, f) for f in  # type: ignore[union-attr]
        notice.act.__dataclass_fields__}, "act_id": "iq-notice-forged", "made_at": clock.now()}),  # type: ignore[union-attr]
        [demo_signer("nobody")]).to_bytes()  # fmt: skip
    with pytest.raises(AuthorityError, match="unknown"):
        dep.submit(stranger, case_id=CASE_ID)
    with pytest.raises(DecodeError):
        dep.submit(stranger[:-3] + b"}}}", case_id=CASE_ID)
    tampered = stranger.replace(b'"signature":"', b'"signature":"A', 1)
    with pytest.raises(DecodeError):
        dep.submit(tampered, case_id=CASE_ID)
    req = signed_inbox_request("us", "us-secretary-of-state", clock.now())
    dep.inbox(req)
    size_after_inbox = instance.store.checkpoint().size  # type: ignore[union-attr]
    with pytest.raises(ConflictError):
        dep.inbox(req)  # the same signed request again
    with pytest.raises(AuthorityError):
        dep.inbox(signed_inbox_request("us", "iq-prime-minister", clock.now()))
    with pytest.raises(ValidationError, match="too far"):
        dep.inbox(signed_inbox_request("us", "us-secretary-of-state", at("2020-01-01T00:00")))
    assert instance.store.checkpoint().size == size_after_inbox >= size  # type: ignore[union-attr]


def test_restart_in_the_middle_keeps_every_promise(tmp_path: Path, receivers) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock(at("2020-01-01T00:00"))
    first = make_instance(tmp_path / "dep", clock)
    dep = first.depositary
    setup(dep, {"us": (receivers["us"].url,), "coalition": (UNREACHABLE,)})
    all_steps = steps()
    replay(dep, clock, all_steps[:7], delivery=None, scheduler=None)
    first.close()  # deliveries were queued but never sent
    again = make_instance(tmp_path / "dep", clock)
    try:
        assert again.delivery.run_once() >= 1
        assert any(b["act_id"] == "iq-notice-2020-01-12" for b in receivers["us"].bodies())
        assert ("delivered", "us") in kinds(again, "iq-notice-2020-01-12")
        clock.set(END)
        recorded = again.scheduler.tick()  # catches up on the deadlines it slept through
        assert recorded
        assert ("no_response_by_deadline", "coalition") not in kinds(
            again, "iq-pm-talks-2020-01-09"
        )
    finally:
        again.close()
