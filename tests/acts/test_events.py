"""Acts projected to event data: one record per addressee, codes and codebooks named."""

from __future__ import annotations

from depositary.acts.events import event_records
from depositary.acts.kinds import CAMEO_CODEBOOK, PLOVER_CODEBOOK
from depositary.demo.iraq2020 import at, steps


def _act(act_id: str):  # type: ignore[no-untyped-def]
    return next(s.act for s in steps() if s.act and s.act.act_id == act_id)


def test_a_notice_to_three_forces_is_three_events() -> None:
    records = event_records(_act("iq-notice-2020-01-12"), log_index=26,
                            recorded_at=at("2020-01-12T09:00"))  # fmt: skip
    assert [r["recipient"] for r in records] == ["us", "coalition", "ir"]
    assert {(r["cameo"], r["event_type"], r["mode"]) for r in records} == {
        ("166", "SANCTION", "expel")
    }
    assert all(r["actor"] == ["iq"] and r["log_index"] == 26 for r in records)
    assert records[0]["event_date"] == "2020-01-12"
    assert records[0]["codebooks"] == {"cameo": CAMEO_CODEBOOK, "plover": PLOVER_CODEBOOK}
    assert records[0]["reported"] is False


def test_a_mandate_has_no_recipient_and_a_reported_threat_is_marked() -> None:
    mandate = event_records(_act("iq-cor-resolution-2020-01-05"), log_index=7,
                            recorded_at=at("2020-01-05T12:00"))  # fmt: skip
    assert [r["recipient"] for r in mandate] == [None]
    assert mandate[0]["event_id"] == "iq-cor-resolution-2020-01-05:-"
    threat = event_records(_act("wire-sanctions-threat-2020-01-05"), log_index=12,
                           recorded_at=at("2020-01-06T01:00"))  # fmt: skip
    assert threat[0]["reported"] is True
