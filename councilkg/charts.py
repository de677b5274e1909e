"""Geometry for the site's inline SVG drawings: bar charts, a timeline strip, the relationship graph.

Only numbers and labels are computed here; ``templates/_partials.html`` writes the SVG
elements, so every label passes through jinja2's escaping. Nothing is fetched from a
network: the drawings work from ``file://``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

LABEL_CHARS = 52  # longer labels are cut (the full text is in the element's <title>)


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Label:
    x: float
    y: float
    text: str
    css: str = ""
    anchor: str = "start"
    title: str = ""


@dataclass
class Chart:
    """A drawing: its size, a title for screen readers, and its shapes."""

    title: str
    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    lines: list["Line"] = field(default_factory=list)
    dots: list["Dot"] = field(default_factory=list)
    legend: list["LegendItem"] = field(default_factory=list)
    paths: list["Path"] = field(default_factory=list)


@dataclass
class Path:
    d: str  # numbers and path commands only
    css: str
    title: str = ""


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str
    title: str = ""


@dataclass
class Dot:
    cx: float
    cy: float
    r: float
    css: str
    title: str
    hrefs: list[str] = field(default_factory=list)  # zero or one link
    text: str = ""


@dataclass
class LegendItem:
    css: str
    text: str


def bar_chart(title: str, rows: list[tuple[str, float, str]], maximum: float, unit: str = "") -> Chart:
    """Horizontal bars, one per ``(label, value, css class)``; values scaled to ``maximum``."""
    label_w, bar_w, row_h = 370, 260, 22
    chart = Chart(title, label_w + bar_w + 70, 10 + row_h * len(rows) + 10)
    for i, (label, value, css) in enumerate(rows):
        y = 10 + i * row_h
        width = 0 if maximum <= 0 else bar_w * max(0.0, value) / maximum
        full = f"{label}: {_number(value)}{unit}"
        chart.labels.append(Label(label_w - 8, y + 15, _short(label), "axis", "end", full))
        chart.bars.append(Bar(label_w, y + 3, round(width, 1), row_h - 6, css, full))
        chart.labels.append(Label(label_w + width + 6, y + 15, f"{_number(value)}{unit}", "value"))
    return chart


def paired_bar_chart(title: str, rows: list[tuple[str, float, float]], unit: str, names: tuple[str, str]) -> Chart:
    """Two bars per label: the council's value and its comparator's, on one scale per row group."""
    label_w, bar_w, bar_h, gap = 370, 260, 11, 8
    maximum = max([max(a, b) for _, a, b in rows] + [1e-9])
    height = 10 + len(rows) * (2 * bar_h + gap) + 30
    chart = Chart(title, label_w + bar_w + 80, height)
    for i, (label, value, comparator) in enumerate(rows):
        y = 10 + i * (2 * bar_h + gap)
        chart.labels.append(Label(label_w - 8, y + bar_h + 4, _short(label), "axis", "end", label))
        for j, (v, css, who) in enumerate(((value, "bar-council", names[0]), (comparator, "bar-comparator", names[1]))):
            width = bar_w * max(0.0, v) / maximum
            text = f"{label} — {who}: {_number(v)}{unit}"
            chart.bars.append(Bar(label_w, y + j * bar_h, round(width, 1), bar_h - 1, css, text))
            chart.labels.append(Label(label_w + width + 4, y + j * bar_h + bar_h - 2, f"{_number(v)}{unit}", "value small"))
    chart.legend = [LegendItem("bar-council", names[0]), LegendItem("bar-comparator", names[1])]
    return chart


@dataclass
class TimelineEvent:
    date: str  # ISO, at any precision (2020, 2020-10, 2020-10-05)
    label: str
    kind: str
    href: str | None = None


def _year_fraction(date: str) -> float:
    parts = [int(p) for p in date.split("-")[:3] if p.isdigit()]
    year = parts[0]
    month = parts[1] if len(parts) > 1 else 7
    day = parts[2] if len(parts) > 2 else 15
    return year + (month - 1) / 12 + (day - 1) / 365


def timeline(title: str, events: list[TimelineEvent]) -> Chart:
    """A strip with one tick per year and a numbered dot per event (numbers match the table)."""
    dated = [e for e in events if e.date[:4].isdigit()]
    width, left, right, axis_y = 880, 30, 30, 70
    chart = Chart(title, width, 120)
    if not dated:
        return chart
    first = math.floor(min(_year_fraction(e.date) for e in dated))
    last = math.floor(max(_year_fraction(e.date) for e in dated)) + 1
    span = max(1, last - first)
    scale = (width - left - right) / span
    chart.lines.append(Line(left, axis_y, width - right, axis_y, "axis-line"))
    for year in range(first, last + 1):
        x = left + (year - first) * scale
        chart.lines.append(Line(x, axis_y - 5, x, axis_y + 5, "axis-line"))
        chart.labels.append(Label(x, axis_y + 20, str(year), "axis", "middle"))
    kinds: dict[str, str] = {}
    stacks: dict[int, int] = {}
    for number, event in enumerate(events, start=1):
        if event not in dated:
            continue
        x = left + (_year_fraction(event.date) - first) * scale
        column = int(x // 14)
        level = stacks.get(column, 0)
        stacks[column] = level + 1
        css = kinds.setdefault(event.kind, f"kind-{len(kinds) % 6}")
        chart.dots.append(Dot(round(x, 1), axis_y - 12 - 13 * level, 6, css,
                              f"{number}. {event.date}: {event.label} ({event.kind})",
                              [event.href] if event.href else [], str(number)))
    chart.height = 120
    top = min((d.cy for d in chart.dots), default=axis_y) - 10
    if top < 0:  # tall stacks: move everything down
        for d in chart.dots:
            d.cy -= top
        for line in chart.lines:
            line.y1 -= top
            line.y2 -= top
        for label in chart.labels:
            label.y -= top
        chart.height -= top
    chart.legend = [LegendItem(css, kind) for kind, css in kinds.items()]
    return chart


@dataclass
class Node:
    key: str
    label: str
    group: str  # "person", "council" or "risk"
    href: str | None = None


@dataclass
class Edge:
    source: str
    target: str
    relation: str  # css-friendly: "peer", "adviser", "risk", "service"


def relationship_graph(title: str, nodes: list[Node], edges: list[Edge]) -> Chart:
    """Three columns (people, councils, risks); lines for edges; council-to-council links as arcs."""
    columns = {"person": 190, "council": 520, "risk": 800}
    by_group: dict[str, list[Node]] = {g: [n for n in nodes if n.group == g] for g in columns}
    row_h = 26
    rows = max([len(v) for v in by_group.values()] + [1])
    height = 60 + rows * row_h + 40
    chart = Chart(title, 1080, height)
    position: dict[str, tuple[float, float]] = {}
    names = {n.key: n.label for n in nodes}
    for group, members in by_group.items():
        step = rows * row_h / max(1, len(members))  # each column spreads over the full height
        for i, node in enumerate(members):
            position[node.key] = (columns[group], round(50 + (i + 0.5) * step, 1))
        heading = {"person": "People", "council": "Councils", "risk": "Risk types"}[group]
        chart.labels.append(Label(columns[group], 30, heading, "heading", "middle"))
    for edge in edges:
        if edge.source not in position or edge.target not in position:
            continue
        (x1, y1), (x2, y2) = position[edge.source], position[edge.target]
        if x1 == x2:  # council to council: an arc bowing out to the right of the column
            bow = x1 + 40 + abs(y2 - y1) / 3
            chart.paths.append(Path(f"M {x1} {y1} Q {bow:.1f} {(y1 + y2) / 2:.1f} {x2} {y2}", f"edge edge-{edge.relation}",
                                    f"{names[edge.source]} — {edge.relation} — {names[edge.target]}"))
            continue
        chart.lines.append(Line(x1, y1, x2, y2, f"edge edge-{edge.relation}", f"{names[edge.source]} — {edge.relation} — {names[edge.target]}"))
    for node in nodes:
        if node.key not in position:
            continue
        x, y = position[node.key]
        anchor = {"person": "end", "council": "middle", "risk": "start"}[node.group]
        dx = {"person": -10, "council": 0, "risk": 10}[node.group]
        dy = -9 if node.group == "council" else 4
        chart.dots.append(Dot(x, y, 5, f"node node-{node.group}", node.label, [node.href] if node.href else []))
        chart.labels.append(Label(x + dx, y + dy, _short(node.label, 40), f"node-label label-{node.group}", anchor, node.label))
    chart.legend = [
        LegendItem("node-person", "person"), LegendItem("node-council", "council"), LegendItem("node-risk", "risk type"),
        LegendItem("edge-peer", "served on a peer team"), LegendItem("edge-adviser", "named adviser or appointee"),
        LegendItem("edge-risk", "risk evidenced"), LegendItem("edge-service", "shared service (named in document)"),
    ]
    return chart


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
