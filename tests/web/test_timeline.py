"""The pure timeline and force-chart builders: lanes, kinds apart, as-of filtering, escaping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from depositary.acts import bodies as b
from depositary.acts.act import Act, Addressee, Text
from depositary.acts.dates import ComputedDate
from depositary.acts.kinds import ActKind
from depositary.acts.parties import Party, PartyKind
from depositary.acts.status import ActStatus, CaseStatus, Deadline
from depositary.web.forces import build_force_chart, render_force_chart
from depositary.web.timeline import (
    TimelineAct,
    TimelineEvidence,
    build_timeline,
    render_timeline,
)

T0 = datetime(2020, 1, 5, 12, tzinfo=UTC)
START, END = T0 - timedelta(days=1), T0 + timedelta(days=20)
PARTIES = [
    Party(party_id="iq", name="Republic of Iraq", kind=PartyKind.STATE),
    Party(party_id="us", name="United States", kind=PartyKind.STATE),
    Party(party_id="wire", name="<script>alert(1)</script> News", kind=PartyKind.REPORTER),
]
EN = (Text(lang="en", authentic=True, content="text"),)


def act(
    act_id: str,
    kind: ActKind,
    issuer: str,
    to: str,
    body: object,
    at: datetime,
    authorised: bool | None = True,
    index: int = 0,
) -> TimelineAct:
    a = Act(
        act_id=act_id,
        kind=kind,
        issuers=(issuer,),
        addressees=(Addressee(party=to, legal_basis=()),),
        made_at=at,
        texts=EN,
        body=body,
    )  # type: ignore[arg-type]
    return TimelineAct(act=a, received_at=at, authorised=authorised, index=index)


TALKS = act(
    "talks",
    ActKind.REQUEST_FOR_TALKS,
    "iq",
    "us",
    b.TalksBody(agenda=(), dates=(), place=None, respond_by=date(2020, 1, 10)),
    T0,
    index=1,
)
REFUSED = act(
    "letter",
    ActKind.WITHDRAWAL_PLAN,
    "us",
    "iq",
    b.ForcesBody(presence="p", levels=()),
    T0 + timedelta(days=1),
    False,
    2,
)
REPORTED = act(
    "threat",
    ActKind.REPORTED_STATEMENT,
    "wire",
    "iq",
    b.ReportedBody(
        speaker="someone",
        source="https://example.org",
        publisher="wire",
        published_on=date(2020, 1, 6),
        content_sha256="0" * 64,
        nature=b.StatementNature.THREAT,
    ),
    T0 + timedelta(days=2),
    index=3,
)
EVIDENCE = [
    TimelineEvidence(act_id="talks", kind="submitted", addressee=None, at=T0, index=4),
    TimelineEvidence(act_id="talks", kind="delivered", addressee="us", at=T0, index=5),
    TimelineEvidence(
        act_id="talks", kind="retrieved", addressee="us", at=T0 + timedelta(days=15), index=6
    ),
]


def status(as_of: datetime, overdue: bool = True) -> CaseStatus:
    deadline = Deadline(
        name="respond to request for talks",
        party="us",
        due=ComputedDate(on=date(2020, 1, 10), rule="respond by", inputs=()),
        met_by=None,
        overdue=overdue,
    )
    talks = ActStatus(
        act_id="talks",
        kind=ActKind.REQUEST_FOR_TALKS,
        made_at=T0,
        received_at=T0,
        inoperative=None,
        responses=(),
        deadlines=(deadline,),
        clocks=(),
        refused_by=(),
    )
    return CaseStatus(as_of=as_of, acts={"talks": talks}, presences={}, reported=("threat",))


def timeline(as_of: datetime):  # type: ignore[no-untyped-def]
    return build_timeline(
        parties=PARTIES,
        acts=[REPORTED, REFUSED, TALKS],
        evidence=EVIDENCE,
        status=status(as_of),
        start=START,
        end=END,
    )


def test_a_lane_per_party_in_order() -> None:
    t = timeline(T0 + timedelta(days=10))
    assert [lane.party_id for lane in t.lanes] == ["iq", "us", "wire"]
    assert t.lanes[0].y < t.lanes[1].y < t.lanes[2].y
    assert t.height > t.lanes[-1].y


def test_formal_acts_refusals_reports_evidence_and_deadlines_are_drawn_apart() -> None:
    t = timeline(T0 + timedelta(days=10))
    lane = {lane.party_id: lane.y for lane in t.lanes}
    (formal,) = t.by_category("act")
    (refused,) = t.by_category("refused")
    (reported,) = t.by_category("reported")
    assert formal.href == "/acts/talks"
    assert formal.y == lane["iq"]
    assert refused.href == "/acts/letter"
    assert "no authority" in refused.label
    assert reported.y == lane["wire"]
    assert "not a formal act" in reported.label
    (delivered,) = t.by_category("evidence")  # 'submitted' coincides with the act; not drawn
    assert "ev-delivered" in delivered.css
    assert abs(delivered.y - lane["us"]) < 20
    (deadline,) = t.by_category("deadline")
    assert "deadline-overdue" in deadline.css
    assert deadline.x > formal.x
    assert [(k.y1, k.y2) for k in t.links] == [(lane["iq"], lane["us"])]
    svg = str(render_timeline(t))
    assert svg.count("<circle") == 2  # the formal act, and the ring of the refused one
    assert svg.count('class="mark-reported') == 1
    assert svg.count("<rect x=") >= 1
    assert 'class="mark-deadline deadline-overdue"' in svg


def test_only_what_the_log_held_at_as_of_is_drawn() -> None:
    early = timeline(T0 + timedelta(hours=1))
    assert len(early.by_category("act")) == 1
    assert early.by_category("refused") == []
    assert early.by_category("reported") == []
    late = timeline(T0 + timedelta(days=16))
    assert len(late.by_category("evidence")) == 2  # the retrieval on day 15 now shows
    assert early.as_of_x < late.as_of_x
    assert early.ticks == late.ticks  # the axis does not move with the as-of line


def test_every_text_is_escaped_in_the_svg() -> None:
    svg = str(render_timeline(timeline(T0 + timedelta(days=10))))
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)" in svg
    assert "style=" not in svg


def test_marks_after_the_end_are_pinned_to_the_edge() -> None:
    t = build_timeline(
        parties=PARTIES,
        acts=[TALKS],
        evidence=[],
        status=status(END),
        start=START,
        end=T0 + timedelta(days=2),
    )
    (deadline,) = t.by_category("deadline")
    assert deadline.beyond
    assert deadline.x == t.width - 20


def forces(
    act_id: str,
    kind: ActKind,
    levels: list[tuple[str, date, int]],
    at: datetime,
    authorised: bool = True,
) -> TimelineAct:
    body = b.ForcesBody(
        presence="us-in-iq",
        levels=tuple(b.ForceLevel(site=s, on=d, personnel=n) for s, d, n in levels),
    )
    return act(act_id, kind, "us", "iq", body, at, authorised)


def test_force_chart_totals_plans_and_reports_by_date() -> None:
    feb, jun = date(2020, 2, 1), date(2020, 6, 1)
    plan = forces(
        "plan", ActKind.WITHDRAWAL_PLAN, [("a", feb, 100), ("b", feb, 50), ("a", jun, 10)], T0
    )
    report = forces(
        "report", ActKind.PROGRESS_REPORT, [("a", date(2020, 3, 1), 120)], T0 + timedelta(days=30)
    )
    forged = forces("forged", ActKind.PROGRESS_REPORT, [("a", feb, 1)], T0, authorised=False)
    chart = build_force_chart([plan, report, forged], T0 + timedelta(days=40))
    assert chart is not None
    assert [(s.act_id, s.kind, s.points) for s in chart.series] == [
        ("plan", "plan", ((feb, 150), (jun, 10))),
        ("report", "report", ((date(2020, 3, 1), 120),)),
    ]
    assert chart.peak == 150
    assert chart.first == feb
    assert chart.last == jun
    svg = str(render_force_chart(chart, {"us-in-iq": "US <in> Iraq"}))
    assert "series-plan" in svg
    assert "series-report" in svg
    assert svg.count("<polyline") == 2
    assert "US &lt;in&gt; Iraq" in svg
    before = build_force_chart([plan, report], T0 + timedelta(days=1))
    assert before is not None
    assert [s.act_id for s in before.series] == ["plan"]
    assert build_force_chart([TALKS, forged], END) is None
