"""A Sankey diagram: nodes in columns, each as tall as what passes through it, joined by bands
as wide as each flow. Used for the national flow of REO through the chain.

A band between neighbouring columns is one curve. A band that skips columns (a mine's stock and
losses, in the last column) never crosses the nodes between: it drops below them, runs along a
lane under the lowest of them, and rises to its target, so that nothing seems to pass through a
stage it never reached. With no flow at all, the chart says so in words."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reetrace.charts.svg import Number, labels_with, open_svg, plain_number, text, title

PALETTE = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
    "#1f78b4",
    "#b2df8a",
    "#fb9a99",
)
WIDTH = 960
HEIGHT = 460
TOP = 56
BOTTOM = 20
SIDE = 150  # room for labels left of the first column and right of the last
NODE = 16
GAP = 18

LABELS = {"title": "Flow", "unit": "t", "none": "No flow."}


@dataclass(frozen=True, slots=True)
class SankeyNode:
    key: str
    label: str
    column: int


def sankey_chart(
    nodes: Sequence[SankeyNode],
    links: Mapping[tuple[str, str], float],
    labels: Mapping[str, str] | None = None,
    number: Number = plain_number,
) -> str:
    """`links`: (from, to) -> value, in the unit the labels name."""
    words = labels_with(LABELS, labels)
    nodes = [n for n in nodes if any(n.key in link for link, v in links.items() if v > 0)]
    into: dict[str, float] = defaultdict(float)
    out_of: dict[str, float] = defaultdict(float)
    for (frm, to), value in links.items():
        out_of[frm] += value
        into[to] += value
    size = {n.key: max(into[n.key], out_of[n.key]) for n in nodes}
    columns: dict[int, list[SankeyNode]] = defaultdict(list)
    for node in nodes:
        columns[node.column].append(node)
    column_of = {n.key: n.column for n in nodes}
    # what passes under each column on a lane (bands that skip it)
    under: dict[int, float] = defaultdict(float)
    for (frm, to), value in links.items():
        if value > 0 and frm in column_of and to in column_of:
            for c in range(column_of[frm] + 1, column_of[to]):
                under[c] += value
    room = HEIGHT - TOP - BOTTOM
    scale = min(
        (
            ((room - GAP * (len(c) - (0 if under[k] else 1))) / (sum(size[n.key] for n in c) + under[k]))
            for k, c in columns.items()
            if sum(size[n.key] for n in c) > 0
        ),
        default=1.0,
    )
    last = max(columns, default=0)
    step = (WIDTH - 2 * SIDE - NODE) / max(1, last)
    x_of = {n.key: x_of_column(n.column, step) for n in nodes}
    y_of: dict[str, float] = {}
    for column in columns.values():
        y: float = TOP
        for node in column:
            y_of[node.key] = y
            y += size[node.key] * scale + GAP
    colour = {n.key: PALETTE[i % len(PALETTE)] for i, n in enumerate(nodes)}
    if not nodes:
        return "\n".join(
            [
                open_svg("sankey", WIDTH, TOP + 60, words["title"]),
                f'<rect width="{WIDTH}" height="{TOP + 60}" fill="#fff"/>',
                text(WIDTH / 2, 26, words["title"], "middle", 15, "bold"),
                text(WIDTH / 2, TOP + 24, words["none"], "middle", 13, fill="#444", extra=' class="none"'),
                "</svg>",
            ]
        )
    bottom_of = {k: max(y_of[n.key] + size[n.key] * scale for n in c) for k, c in columns.items()}
    lane = {c: bottom_of.get(c, TOP) + GAP for c in range(last + 1)}  # the next free y under column c
    out = [
        open_svg("sankey", WIDTH, HEIGHT, words["title"]),
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        text(WIDTH / 2, 26, words["title"], "middle", 15, "bold"),
    ]
    label_of = {n.key: n.label for n in nodes}
    # bands: leave each source in the order of their targets, enter each target in the order of their sources
    leaving = {k: y_of[k] for k in y_of}
    entering = {k: y_of[k] for k in y_of}
    ordered = sorted(
        ((f, t_, v) for (f, t_), v in links.items() if v > 0 and f in y_of and t_ in y_of),
        key=lambda link: (y_of[link[0]], y_of[link[1]]),
    )
    bands = []
    for frm, to, value in ordered:
        width = value * scale
        y0 = leaving[frm] + width / 2
        leaving[frm] += width
        bands.append((frm, to, value, width, y0))
    for frm, to, value, width, y0 in sorted(bands, key=lambda b: (y_of[b[1]], y_of[b[0]])):
        y1 = entering[to] + width / 2
        entering[to] += width
        x0, x1 = x_of[frm] + NODE, x_of[to]
        skipped = range(column_of[frm] + 1, column_of[to])
        if skipped:
            y_lane = max(lane[c] for c in skipped) + width / 2
            for c in skipped:
                lane[c] = y_lane + width / 2
            a, b = x_of_column(skipped.start, step) - GAP, x_of_column(skipped.stop - 1, step) + NODE + GAP
            ma, mb = (x0 + a) / 2, (b + x1) / 2
            d = (
                f"M{x0:.1f},{y0:.1f} C{ma:.1f},{y0:.1f} {ma:.1f},{y_lane:.1f} {a:.1f},{y_lane:.1f} "
                f"L{b:.1f},{y_lane:.1f} C{mb:.1f},{y_lane:.1f} {mb:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
            )
        else:
            middle = (x0 + x1) / 2
            d = f"M{x0:.1f},{y0:.1f} C{middle:.1f},{y0:.1f} {middle:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
        detail = f"{label_of[frm]} → {label_of[to]}: {number(value)} {words['unit']}"
        out.append(
            f'<path class="flow" data-from="{frm}" data-to="{to}" d="{d}" fill="none" stroke="{colour[frm]}" '
            f'stroke-opacity="0.45" stroke-width="{max(1.0, width):.1f}">{title(detail)}</path>'
        )
    for node in nodes:
        x, y, h = x_of[node.key], y_of[node.key], max(1.0, size[node.key] * scale)
        detail = f"{node.label}: {number(size[node.key])} {words['unit']}"
        out.append(
            f'<rect class="node" data-node="{node.key}" x="{x:.1f}" y="{y:.1f}" width="{NODE}" '
            f'height="{h:.1f}" fill="{colour[node.key]}">{title(detail)}</rect>'
        )
        right = node.column < last
        tx = x + NODE + 6 if right else x - 6
        out.append(text(tx, y + h / 2 - 2, node.label, "start" if right else "end", 12, "bold"))
        out.append(
            text(
                tx,
                y + h / 2 + 12,
                f"{number(size[node.key])} {words['unit']}",
                "start" if right else "end",
                11,
                fill="#555",
            )
        )
    height = max(HEIGHT, max(lane.values(), default=0.0) + BOTTOM)
    if height > HEIGHT:  # lanes ran lower than planned: the chart grows to hold them
        out[0] = open_svg("sankey", WIDTH, height, words["title"])
        out[1] = f'<rect width="{WIDTH}" height="{height:.0f}" fill="#fff"/>'
    out.append("</svg>")
    return "\n".join(out)


def x_of_column(column: int, step: float) -> float:
    return SIDE + column * step
