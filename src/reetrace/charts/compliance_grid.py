"""Reporting compliance: a grid of enterprises (rows) by months (columns), each cell coloured by
whether the month's report came on time, late, not at all, was not due, or is not yet due. Colour
never tells it alone: each state has its own mark in the cell and in the legend (none for a month
not due), and each cell's tooltip names it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reetrace.charts.svg import labels_with, open_svg, text, text_width, title

STATE_COLOUR = {"on_time": "#1e7b3c", "late": "#f5b041", "missing": "#a93226", "quiet": "#ecf0f1", "pending": "#d6eaf8"}
# each state's mark and the ink it is drawn in (contrast at least 4.5:1 on its fill)
STATE_MARK = {
    "on_time": ("✓", "#fff"),
    "late": ("!", "#1f2933"),
    "missing": ("✕", "#fff"),
    "quiet": ("", "#1f2933"),
    "pending": ("…", "#1f2933"),
}
MIN_LEFT = 160
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
    left = max(MIN_LEFT, 16 + max((text_width(name, 11) for name, _ in rows), default=0.0))
    width = left + len(months) * (CELL + GAP) + 20
    height = TOP + len(rows) * (CELL + GAP) + 20
    out = [
        open_svg("compliance", width, height, words["title"]),
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        text(10, 22, words["title"], size=15, weight="bold"),
    ]
    x = 10.0
    for state, label in states:
        mark, ink = STATE_MARK.get(state, ("", "#1f2933"))
        out.append(f'<rect x="{x:.0f}" y="30" width="16" height="16" fill="{STATE_COLOUR[state]}" stroke="#bbb"/>')
        out.append(text(x + 8, 42.5, mark, "middle", 12, "bold", fill=ink))
        out.append(text(x + 20, 42, label, size=11))
        x += 36 + text_width(label, 11)
    for n, month in enumerate(months):
        out.append(text(left + n * (CELL + GAP) + CELL / 2, TOP - 6, month, "middle", 10, fill="#444"))
    for r, (enterprise, cells) in enumerate(rows):
        y = TOP + r * (CELL + GAP)
        out.append(text(left - 8, y + CELL - 7, enterprise, "end", 11))
        for n, state in enumerate(cells):
            cx = left + n * (CELL + GAP)
            tip = title(f"{enterprise} · {months[n]}: {state_label.get(state, state)}")
            out.append(
                f'<rect class="cell" data-state="{state}" x="{cx:.1f}" y="{y}" width="{CELL}" height="{CELL}" '
                f'fill="{STATE_COLOUR.get(state, "#fff")}">{tip}</rect>'
            )
            mark, ink = STATE_MARK.get(state, ("", "#1f2933"))
            if mark:
                out.append(
                    text(
                        cx + CELL / 2, y + CELL - 6, mark, "middle", 13, "bold", ink, ' class="mark" aria-hidden="true"'
                    )
                )
    out.append("</svg>")
    return "\n".join(out)
