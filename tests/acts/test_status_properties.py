"""Properties of derived status: prefix consistency and retraction leaving no effect."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from depositary.acts import bodies as b
from depositary.acts.clocks import ClockState
from depositary.acts.kinds import ActKind
from depositary.acts.presence_views import LegalState
from depositary.acts.status import derive_status
from tests.acts.cases import CASE, iraq_january_2020, logged, philippines_vfa, vfa_notice
from tests.acts.factory import act, t

LOG = [*iraq_january_2020(), *philippines_vfa()]
LOG.sort(key=lambda r: r.received_at if hasattr(r, "received_at") else r.at)  # type: ignore[union-attr]
START = t("2019-12-01T00:00:00")


def _time(r: object) -> object:
    return r.received_at if hasattr(r, "received_at") else r.at  # type: ignore[attr-defined]


@settings(max_examples=60, deadline=None)
@given(hours=st.integers(0, 24 * 800))
def test_status_at_any_time_depends_only_on_the_prefix(hours: int) -> None:
    as_of = START + timedelta(hours=hours)
    prefix = [r for r in LOG if _time(r) <= as_of]  # type: ignore[operator]
    assert derive_status(CASE, LOG, as_of) == derive_status(CASE, prefix, as_of)


@settings(max_examples=60, deadline=None)
@given(days=st.integers(1, 170), later=st.integers(0, 900))
def test_retraction_before_effect_leaves_no_effect(days: int, later: int) -> None:
    notice_at = t("2020-02-11T06:00:00")
    notice = logged(
        act("n", ActKind.NOTICE, vfa_notice(), issuers=("ph",), to=("us",)), "2020-02-11T06:00:00"
    )
    retraction = act(
        "r", ActKind.RETRACTION, b.RetractionBody(notice="n"), issuers=("ph",), to=("us",)
    )
    from depositary.acts.receipt_rules import Evidence, EvidenceKind

    ack = Evidence(act_id="n", kind=EvidenceKind.ACKNOWLEDGED, at=notice_at, addressee="us")
    retracted_at = notice_at + timedelta(days=days)
    log = [notice, ack, logged(retraction, retracted_at.strftime("%Y-%m-%dT%H:%M:%S"))]
    as_of = retracted_at + timedelta(days=later)
    s = derive_status(CASE, log, as_of)
    (clock,) = s.acts["n"].clocks
    assert clock.state is ClockState.RETRACTED
    p = s.presences["us-in-ph"]
    assert p.host_state is LegalState.RESTORED
    assert LegalState.TERMINATED not in [c.state for c in p.host_view]
    # the same log without the retraction would have terminated by 180 days
    unretracted = derive_status(CASE, log[:2], t("2020-08-10T00:00:00")).presences["us-in-ph"]
    assert LegalState.TERMINATED in [c.state for c in unretracted.host_view]
