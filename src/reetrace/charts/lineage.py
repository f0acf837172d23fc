"""A lot's lineage as a layered graph: lots as boxes in columns by depth (backward: the origins
on the left and the traced lot on the right; forward: the other way), arrows from the lot drawn
from to the lot made, labelled with the kilograms drawn."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reetrace.charts.svg import Number, attr, labels_with, open_svg, plain_number, text, title

KIND_COLOUR = {
    "traced": "#2c3e50",
    "extract": "#27ae60",
    "import": "#2980b9",
    "transform": "#7f8c8d",
    "unknown": "#c0392b",
}
BOX_W = 200
BOX_H = 40
COL_GAP = 90
ROW_GAP = 14
TOP = 50
SIDE = 20

LABELS = {"title": "Lineage", "unit": "kg"}


EDGE_LABELS_UP_TO = 12  # more edges than this: the kilograms only in each edge's tooltip


def clipped(content: str, room: int) -> str:
    """`content` cut to fit `room` half-width characters (a CJK character takes two)."""
    used = 0
    for n, char in enumerate(content):
        used += 1 if char.isascii() else 2
        if used > room:
            return content[: max(0, n - 1)] + "…"
    return content


@dataclass(frozen=True, slots=True)
class LineageBox:
    lot: str
    depth: int
    kind: str
    caption: str  # second line: enterprise, form, mass — in the page's language
    href: str | None = None


def lineage_chart(
    boxes: Sequence[LineageBox],
    edges: Sequence[tuple[str, str, float]],
    backward: bool,
    labels: Mapping[str, str] | None = None,
    number: Number = plain_number,
) -> str:
    """`edges`: (lot drawn from, lot made, kg drawn)."""
    words = labels_with(LABELS, labels)
    depth = max((b.depth for b in boxes), default=0)
    columns: dict[int, list[LineageBox]] = defaultdict(list)
    for box in sorted(boxes, key=lambda b: (b.depth, b.lot)):
        columns[depth - box.depth if backward else box.depth].append(box)
    rows = max((len(c) for c in columns.values()), default=1)
    width = 2 * SIDE + (depth + 1) * BOX_W + depth * COL_GAP
    height = TOP + rows * (BOX_H + ROW_GAP) + 10
    place: dict[str, tuple[float, float]] = {}
    for column, stack in columns.items():
        offset = (rows - len(stack)) * (BOX_H + ROW_GAP) / 2
        for n, box in enumerate(stack):
            place[box.lot] = (SIDE + column * (BOX_W + COL_GAP), TOP + offset + n * (BOX_H + ROW_GAP))
    out = [
        open_svg("lineage", width, height, words["title"], "group"),
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        text(SIDE, 26, words["title"], size=15, weight="bold"),
    ]
    for source, target, kg in edges:
        if source not in place or target not in place:
            continue
        (sx, sy), (tx, ty) = place[source], place[target]
        x0, y0 = (sx + BOX_W, sy + BOX_H / 2) if sx < tx else (sx, sy + BOX_H / 2)
        x1, y1 = (tx, ty + BOX_H / 2) if sx < tx else (tx + BOX_W, ty + BOX_H / 2)
        middle = (x0 + x1) / 2
        detail = f"{source} → {target}: {number(kg)} {words['unit']}"
        out.append(
            f'<path class="edge" d="M{x0:.1f},{y0:.1f} C{middle:.1f},{y0:.1f} {middle:.1f},{y1:.1f} '
            f'{x1:.1f},{y1:.1f}" fill="none" stroke="#888" stroke-width="1.5" marker-end="url(#arrow)">'
            f"{title(detail)}</path>"
        )
        if len(edges) <= EDGE_LABELS_UP_TO:
            out.append(text(middle, (y0 + y1) / 2 - 3, f"{number(kg)} {words['unit']}", "middle", 10, fill="#555"))
    for box in boxes:
        x, y = place[box.lot]
        colour = KIND_COLOUR.get(box.kind, "#7f8c8d")
        shape = (
            f'<rect class="lot" data-lot={attr(box.lot)} x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" '
            f'height="{BOX_H}" rx="5" fill="#fff" stroke="{colour}" '
            f'stroke-width="{3 if box.kind == "traced" else 1.5}">'
            f"{title(f'{box.lot} · {box.caption}')}</rect>"
            + text(x + 8, y + 16, clipped(box.lot, 30), size=11, weight="bold", fill=colour)
            + text(x + 8, y + 32, clipped(box.caption, 34), size=10, fill="#555")
        )
        out.append(f"<a href={attr(box.href)}>{shape}</a>" if box.href else shape)
    out.append("</svg>")
    return "\n".join(out)
