"""The service on the machine's own clock (every other test replays simulated time)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from depositary.acts.envelope import sign_act
from depositary.clock import SystemClock
from depositary.config import Settings
from depositary.demo.iraq2020 import CASE_ID, ORIGIN, demo_signer, steps
from depositary.demo.replay import setup, signed_inbox_request
from depositary.service.instance import init_data_dir, open_instance


def test_submit_status_and_inbox_on_the_system_clock(tmp_path: Path) -> None:
    init_data_dir(tmp_path, ORIGIN)
    inst = open_instance(Settings(data_dir=tmp_path, origin=ORIGIN, batch_period=0.01))
    try:
        dep = inst.depositary
        setup(dep, {})
        clock = SystemClock()
        talks = next(s for s in steps() if s.act and s.act.kind.value == "request_for_talks")
        act = replace(talks.act, made_at=clock.now())  # type: ignore[type-var]
        envelope = sign_act(act, [demo_signer(h) for h in talks.signers])
        sub = dep.submit(envelope.to_bytes(), case_id=CASE_ID)
        assert sub.received_at.microsecond == 0
        status = dep.status(CASE_ID)
        assert act.act_id in status.acts
        views = dep.inbox(signed_inbox_request("us", "us-secretary-of-state", clock.now()))
        assert [v.row.act_id for v in views] == [act.act_id]
    finally:
        inst.close()
