"""The case timeline and the force-levels chart, as data and as SVG: pure, no I/O.

``build_timeline`` lays a case out as lanes (one per party) and marks: formal
acts (filled circles), acts the depositary refused (crossed rings), reported
statements (dashed squares), evidence (small triangles), reply deadlines
(flags, red when overdue) and dates of effect (bars), with the as-of line.
Only what the log held at ``as_of`` is drawn; deadlines and dates of effect
computed at ``as_of`` are drawn where they fall, even later. ``render_timeline``
turns that into SVG where every piece of text is escaped.
The force-levels chart is in ``depositary.web.forces``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup, escape

from depositary.acts import calendars
from depositary.acts.act import Act
from depositary.acts.kinds import ActKind
from depositary.acts.parties import Party
from depositary.acts.status import CaseStatus
from depositary.web.words import evidence_words, kind_words

WIDTH = 1000
LEFT = 170
RIGHT = 20
TOP = 44
LANE = 46
BOTTOM = 12

SHOWN_EVIDENCE = frozenset(
    {
        "delivered",
        "delivery_failed",
        "retrieved",
        "acknowledged",
        "refused",
        "deemed_received",
        "no_response_by_deadline",
    }
)
"""Evidence drawn on the timeline; submitted and circulated coincide with the act itself."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineAct:
    """An act as the log holds it: ``authorised`` None while undecided, False if refused."""

    act: Act
    received_at: datetime
    authorised: bool | None
    index: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEvidence:
    act_id: str
    kind: str
    addressee: str | None
    at: datetime
    index: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Lane:
    party_id: str
    name: str
    y: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Mark:
    """One thing drawn: ``category`` is act, refused, reported, evidence, deadline or effective."""

    category: str
    x: float
    y: float
    label: str
    css: str
    href: str | None = None
    beyond: bool = False  # falls after the right edge: drawn at the edge


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """An act sent from one lane to another, drawn as a thin vertical line."""

    x: float
    y1: float
    y2: float
    css: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    start: datetime
    end: datetime
    as_of: datetime
    as_of_x: float
    width: int
    height: int
    lanes: tuple[Lane, ...]
    marks: tuple[Mark, ...]
    links: tuple[Link, ...]
    ticks: tuple[tuple[float, str], ...]

    def by_category(self, category: str) -> list[Mark]:
        return [m for m in self.marks if m.category == category]


def _x(at: datetime, start: datetime, end: datetime) -> float:
    span = (end - start).total_seconds() or 1.0
    frac = (at - start).total_seconds() / span
    return round(LEFT + min(max(frac, 0.0), 1.0) * (WIDTH - LEFT - RIGHT), 1)


def _ticks(start: datetime, end: datetime) -> tuple[tuple[float, str], ...]:
    days = max(1, (end - start).days)
    step = next((s for s in (1, 2, 7, 14, 30, 61, 91, 182, 365) if days / s <= 16), 730)
    day = start.date() + timedelta(days=1)
    out = []
    while datetime(day.year, day.month, day.day, tzinfo=start.tzinfo) <= end:
        at = datetime(day.year, day.month, day.day, tzinfo=start.tzinfo)
        label = f"{day.day} {day.strftime('%b')}" + (f" {day.year}" if step >= 30 else "")
        out.append((_x(at, start, end), label))
        day += timedelta(days=step)
    return tuple(out)


def _category(t: TimelineAct) -> str:
    if t.act.kind is ActKind.REPORTED_STATEMENT:
        return "reported"
    return "act" if t.authorised else "refused"


class _Spread:
    """Nudges marks that would sit on top of each other in one lane."""

    def __init__(self) -> None:
        self.seen: dict[tuple[float, int], int] = {}

    def y(self, lane_y: float, x: float) -> float:
        key = (lane_y, int(x // 8))
        n = self.seen.get(key, 0)
        self.seen[key] = n + 1
        return lane_y + (0 if n == 0 else (-1) ** n * 9 * ((n + 1) // 2))


def build_timeline(
    *,
    parties: Sequence[Party],
    acts: Iterable[TimelineAct],
    evidence: Iterable[TimelineEvidence],
    status: CaseStatus,
    start: datetime,
    end: datetime,
) -> Timeline:
    """Lay out a case as of ``status.as_of`` between ``start`` and ``end`` (aware datetimes)."""
    as_of = status.as_of
    lanes = tuple(
        Lane(party_id=p.party_id, name=p.name, y=TOP + LANE * i + LANE / 2)
        for i, p in enumerate(parties)
    )
    lane_y = {lane.party_id: lane.y for lane in lanes}
    tz = {p.party_id: p.time_zone for p in parties}
    spread = _Spread()
    marks: list[Mark] = []
    links: list[Link] = []

    def place(
        category: str, party: str, at: datetime, label: str, css: str, *, href: str | None = None
    ) -> None:
        if party not in lane_y:
            return
        x = _x(at, start, end)
        marks.append(
            Mark(
                category=category,
                x=x,
                y=spread.y(lane_y[party], x),
                label=label,
                css=css,
                href=href,
                beyond=at > end,
            )
        )

    for t in sorted(acts, key=lambda t: (t.received_at, t.index)):
        if t.received_at > as_of:
            continue
        act, cat = t.act, _category(t)
        issuer = act.issuers[0]
        when = t.received_at.strftime("%d %b %Y %H:%M UTC")
        label = f"{kind_words(act.kind.value)} by {', '.join(act.issuers)}, {when}"
        if cat == "refused":
            label += " (refused by the depositary: no authority)"
        elif cat == "reported":
            label += " (a reported statement, not a formal act)"
        place(
            cat,
            issuer,
            t.received_at,
            label,
            f"mark-{cat} kind-{act.kind.value}",
            href=f"/acts/{act.act_id}",
        )
        if cat == "act" and issuer in lane_y:
            x = _x(t.received_at, start, end)
            for a in act.addressees:
                if a.party in lane_y:
                    links.append(Link(x=x, y1=lane_y[issuer], y2=lane_y[a.party], css="sent"))
    for e in sorted(evidence, key=lambda e: (e.at, e.index)):
        if e.at > as_of or e.kind not in SHOWN_EVIDENCE or e.addressee is None:
            continue
        label = f"{evidence_words(e.kind)}: {e.addressee}, {e.at.strftime('%d %b %Y %H:%M UTC')}"
        place(
            "evidence",
            e.addressee,
            e.at,
            label,
            f"mark-evidence ev-{e.kind}",
            href=f"/acts/{e.act_id}",
        )
    for s in status.acts.values():
        for d in s.deadlines:
            if d.due.on is None:
                continue
            due_end = calendars.start_of_day(d.due.on + timedelta(days=1), tz.get(d.party, "UTC"))
            state = "met" if d.met_by else "overdue" if d.overdue else "open"
            label = f"{d.party}: {d.name}, by {d.due.on.isoformat()} ({state})"
            place(
                "deadline",
                d.party,
                due_end,
                label,
                f"mark-deadline deadline-{state}",
                href=f"/acts/{s.act_id}",
            )
        for c in s.clocks:
            if c.effective_at is None:
                continue
            when = c.effective_at.strftime("%d %b %Y")
            label = f"consent under {c.instrument} ends for {c.addressee} on {when}"
            future = " effective-future" if c.effective_at > as_of else ""
            place(
                "effective",
                c.addressee,
                c.effective_at,
                label,
                "mark-effective" + future,
                href=f"/acts/{s.act_id}",
            )
    return Timeline(
        start=start,
        end=end,
        as_of=as_of,
        as_of_x=_x(as_of, start, end),
        width=WIDTH,
        height=int(TOP + LANE * len(lanes) + BOTTOM),
        lanes=lanes,
        marks=tuple(marks),
        links=tuple(links),
        ticks=_ticks(start, end),
    )


def _shape(m: Mark) -> str:
    x, y = m.x, m.y
    if m.category == "act":
        return f'<circle cx="{x}" cy="{y}" r="7"/>'
    if m.category == "refused":
        return (
            f'<circle cx="{x}" cy="{y}" r="7"/>'
            f'<path d="M{x - 5} {y - 5}L{x + 5} {y + 5}M{x - 5} {y + 5}L{x + 5} {y - 5}"/>'
        )
    if m.category == "reported":
        return f'<rect x="{x - 7}" y="{y - 7}" width="14" height="14"/>'
    if m.category == "evidence":
        return f'<path d="M{x} {y - 6}L{x + 6} {y + 5}L{x - 6} {y + 5}Z"/>'
    if m.category == "deadline":
        return f'<path d="M{x} {y + 12}V{y - 12}L{x + 11} {y - 8}L{x} {y - 4}"/>'
    return f'<rect x="{x - 2}" y="{y - 14}" width="4" height="28"/>'


def render_timeline(t: Timeline) -> Markup:
    """The timeline as one ``<svg>`` element; classes carry the styling (no inline style)."""
    out = [
        f'<svg class="timeline" viewBox="0 0 {t.width} {t.height}" width="{t.width}" '
        f'height="{t.height}" role="img" aria-labelledby="timeline-title">',
        f'<title id="timeline-title">Timeline as of {escape(t.as_of.isoformat())}</title>',
    ]
    for i, lane in enumerate(t.lanes):
        top = lane.y - LANE / 2
        out.append(
            f'<rect class="lane lane-{i % 2}" x="0" y="{top}" width="{t.width}" height="{LANE}"/>'
        )
        out.append(
            f'<text class="lane-label" x="8" y="{lane.y + 4}">{escape(_short(lane.name))}</text>'
        )
    for x, label in t.ticks:
        out.append(
            f'<line class="tick" x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{t.height - BOTTOM}"/>'
        )
        out.append(f'<text class="tick-label" x="{x}" y="{TOP - 10}">{escape(label)}</text>')
    for link in t.links:
        out.append(
            f'<line class="{link.css}" x1="{link.x}" y1="{link.y1}" x2="{link.x}" y2="{link.y2}"/>'
        )
    for m in t.marks:
        css = m.css + (" beyond" if m.beyond else "")
        g = f'<g class="{escape(css)}"><title>{escape(m.label)}</title>{_shape(m)}</g>'
        out.append(f'<a href="{escape(m.href)}">{g}</a>' if m.href else g)
    x = t.as_of_x
    out.append(f'<line class="as-of" x1="{x}" y1="16" x2="{x}" y2="{t.height}"/>')
    anchor = "end" if x > t.width - 160 else "start"
    out.append(
        f'<text class="as-of-label" x="{x + (-4 if anchor == "end" else 4)}" '
        f'y="12" text-anchor="{anchor}">as of '
        f"{escape(t.as_of.strftime('%d %b %Y %H:%M'))}</text>"
    )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated text is escaped above


def _short(name: str) -> str:
    return name if len(name) <= 24 else name[:23] + "…"
