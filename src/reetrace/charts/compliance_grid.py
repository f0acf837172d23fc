"""Reporting compliance: a grid of enterprises (rows) by months (columns), each cell coloured by
whether the month's report came on time, late, not at all, was not due, or is not yet due."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reetrace.charts.svg import labels_with, open_svg, text, title

STATE_COLOUR = {"on_time": "#27ae60", "late": "#f39c12", "missing": "#c0392b", "quiet": "#ecf0f1", "pending": "#d6eaf8"}
LEFT = 300
TOP = 70
CELL = 22
GAP = 2

LABELS = {"title": "Reporting compliance"}


def compliance_chart(
    months: Sequence[str],
    rows: Sequence[tuple[str, Sequence[str]]],
    states: Sequence[tuple[str, str]],
    labels: Mapping[str, str] | None = None,
) -> str:
    """`months`: column labels; `rows`: (enterprise label, state of each month); `states`:
    (state, label) for the legend and the tooltips."""
    words = labels_with(LABELS, labels)
    state_label = dict(states)
    width = LEFT + len(months) * (CELL + GAP) + 20
    height = TOP + len(rows) * (CELL + GAP) + 20
    out = [
        open_svg("compliance", width, height, words["title"]),
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        text(10, 22, words["title"], size=15, weight="bold"),
    ]
    x = 10.0
    for state, label in states:
        out.append(f'<rect x="{x:.0f}" y="32" width="12" height="12" fill="{STATE_COLOUR[state]}" stroke="#bbb"/>')
        out.append(text(x + 16, 42, label, size=11))
        x += 24 + 9 * len(label) + (4 * len(label) if not label.isascii() else 0)
    for n, month in enumerate(months):
        out.append(text(LEFT + n * (CELL + GAP) + CELL / 2, TOP - 6, month, "middle", 10, fill="#444"))
    for r, (enterprise, cells) in enumerate(rows):
        y = TOP + r * (CELL + GAP)
        out.append(text(LEFT - 8, y + CELL - 7, enterprise, "end", 11))
        for n, state in enumerate(cells):
            cx = LEFT + n * (CELL + GAP)
            out.append(
                f'<rect class="cell" data-state="{state}" x="{cx}" y="{y}" width="{CELL}" height="{CELL}" '
                f'fill="{STATE_COLOUR.get(state, "#fff")}">'
                f"{title(f'{enterprise} · {months[n]}: {state_label.get(state, state)}')}</rect>"
            )
    out.append("</svg>")
    return "\n".join(out)
