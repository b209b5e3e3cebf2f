"""The force-levels chart, as data and as SVG: pure, no I/O.

``build_force_chart`` totals the personnel of each withdrawal plan and
progress report by date, one series per act; ``render_force_chart`` draws
plans dashed and reports solid, so what was promised and what was reported
can be compared at a glance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup, escape

from depositary.acts.bodies import ForcesBody
from depositary.acts.kinds import ActKind
from depositary.web.timeline import TimelineAct

CHART_W, CHART_H, PAD = 1000, 260, 50


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    """Total personnel by date from one plan or report."""

    act_id: str
    presence: str
    kind: str  # "plan" or "report"
    points: tuple[tuple[date, int], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ForceChart:
    series: tuple[Series, ...]
    first: date
    last: date
    peak: int


def build_force_chart(acts: Iterable[TimelineAct], as_of: datetime) -> ForceChart | None:
    """Force levels from authorised plans and reports logged by ``as_of``; None if none."""
    series = []
    for t in sorted(acts, key=lambda t: (t.received_at, t.index)):
        body = t.act.body
        plan = t.act.kind is ActKind.WITHDRAWAL_PLAN
        if not t.authorised or t.received_at > as_of or not isinstance(body, ForcesBody):
            continue
        if not plan and t.act.kind is not ActKind.PROGRESS_REPORT:
            continue
        totals: dict[date, int] = {}
        for level in body.levels:
            totals[level.on] = totals.get(level.on, 0) + level.personnel
        if totals:
            series.append(
                Series(
                    act_id=t.act.act_id,
                    presence=body.presence,
                    kind="plan" if plan else "report",
                    points=tuple(sorted(totals.items())),
                )
            )
    if not series:
        return None
    days = [d for s in series for d, _ in s.points]
    peak = max(n for s in series for _, n in s.points)
    return ForceChart(series=tuple(series), first=min(days), last=max(days), peak=max(peak, 1))


def render_force_chart(chart: ForceChart, labels: Mapping[str, str] | None = None) -> Markup:
    """The chart as ``<svg>``: plans dashed, reports solid with dots."""
    span = max(1, (chart.last - chart.first).days)
    labels = labels or {}

    def px(d: date) -> float:
        return round(PAD + (d - chart.first).days / span * (CHART_W - 2 * PAD), 1)

    def py(n: int) -> float:
        return round(CHART_H - PAD + -n / chart.peak * (CHART_H - 2 * PAD), 1)

    out = [
        f'<svg class="forces" viewBox="0 0 {CHART_W} {CHART_H}" width="{CHART_W}" '
        f'height="{CHART_H}" role="img" aria-labelledby="forces-title">',
        '<title id="forces-title">Force levels: plans against reports</title>',
        f'<line class="axis" x1="{PAD}" y1="{CHART_H - PAD}" x2="{CHART_W - PAD}" '
        f'y2="{CHART_H - PAD}"/>',
        f'<text class="tick-label" x="{PAD}" y="{CHART_H - PAD + 18}">'
        f"{escape(chart.first.isoformat())}</text>",
        f'<text class="tick-label" x="{CHART_W - PAD}" y="{CHART_H - PAD + 18}">'
        f"{escape(chart.last.isoformat())}</text>",
        f'<text class="tick-label" x="{PAD - 6}" y="{PAD}" text-anchor="end">{chart.peak}</text>',
    ]
    for i, s in enumerate(chart.series):
        pts = " ".join(f"{px(d)},{py(n)}" for d, n in s.points)
        name = labels.get(s.presence, s.presence)
        title = escape(f"{'Plan' if s.kind == 'plan' else 'Report'} {s.act_id} ({name})")
        out.append(
            f'<g class="series series-{s.kind} series-{i % 4}"><title>{title}</title>'
            f'<polyline points="{pts}"/>'
        )
        out.extend(
            f'<circle cx="{px(d)}" cy="{py(n)}" r="3.5"><title>{escape(d.isoformat())}: '
            f"{n}</title></circle>"
            for d, n in s.points
        )
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated text is escaped above
