"""Findings over time: one stacked bar per month, a segment per severity, each segment's tooltip
listing the codes behind it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reetrace.charts.svg import Number, labels_with, nice_step, open_svg, plain_number, text, title

SEVERITY_COLOUR = {"critical": "#8e0000", "high": "#e74c3c", "medium": "#f39c12", "low": "#95a5a6"}
WIDTH = 900
LEFT = 60
RIGHT = 150
TOP = 50
PLOT_HEIGHT = 240
BOTTOM = 50

LABELS = {"title": "Findings by month and severity", "unit": "findings", "none": "no findings"}


def findings_chart(
    months: Sequence[tuple[str, str]],
    counts: Mapping[str, Mapping[str, Mapping[str, int]]],
    severities: Sequence[tuple[str, str]],
    labels: Mapping[str, str] | None = None,
    code_names: Mapping[str, str] | None = None,
    number: Number = plain_number,
) -> str:
    """`months`: (key "YYYY-MM", label); `counts`: month -> severity -> code -> findings;
    `severities`: (severity, label), the order they stack in (first at the bottom)."""
    words = labels_with(LABELS, labels)
    code_names = code_names or {}
    totals = [sum(sum(c.values()) for c in counts.get(m, {}).values()) for m, _ in months]
    largest = max(totals, default=0)
    step = max(1.0, nice_step(largest))
    axis_max = step * max(1, -(-largest // step))
    plot = WIDTH - LEFT - RIGHT
    height = TOP + PLOT_HEIGHT + BOTTOM
    bottom = TOP + PLOT_HEIGHT
    slot = plot / max(1, len(months))

    def y_of(value: float) -> float:
        return bottom - PLOT_HEIGHT * value / axis_max

    out = [
        open_svg("findings", WIDTH, height, words["title"]),
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
        text(WIDTH / 2, 24, words["title"], "middle", 15, "bold"),
    ]
    for i in range(int(round(axis_max / step)) + 1):
        y = y_of(i * step)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        out.append(text(LEFT - 6, y + 4, number(i * step), "end", 11, fill="#444"))
    out.append(
        text(
            16,
            TOP + PLOT_HEIGHT / 2,
            words["unit"],
            "middle",
            12,
            "bold",
            extra=f' transform="rotate(-90 16 {TOP + PLOT_HEIGHT / 2:.1f})"',
        )
    )
    if not largest:
        out.append(text(LEFT + plot / 2, TOP + PLOT_HEIGHT / 2, words["none"], "middle", 12, fill="#777"))
    for n, (month, label) in enumerate(months):
        x = LEFT + n * slot + slot * 0.15
        width = slot * 0.7
        base = 0.0
        for severity, severity_label in severities:
            codes = counts.get(month, {}).get(severity, {})
            value = sum(codes.values())
            if not value:
                continue
            top, low = y_of(base + value), y_of(base)
            detail = f"{label} · {severity_label}: " + ", ".join(
                f"{code_names.get(c, c)} × {k}" for c, k in sorted(codes.items())
            )
            out.append(
                f'<rect class="bar" data-severity="{severity}" x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" '
                f'height="{low - top:.1f}" fill="{SEVERITY_COLOUR.get(severity, "#777")}">'
                f"{title(detail)}</rect>"
            )
            base += value
        if base:
            out.append(text(x + width / 2, y_of(base) - 4, number(base), "middle", 10))
        out.append(text(x + width / 2, bottom + 16, label, "middle", 11, fill="#444"))
    out.append(f'<line x1="{LEFT}" y1="{bottom}" x2="{LEFT + plot}" y2="{bottom}" stroke="#333"/>')
    for n, (severity, severity_label) in enumerate(reversed(severities)):
        y = TOP + 10 + n * 20
        out.append(
            f'<rect x="{LEFT + plot + 20}" y="{y}" width="12" height="12" '
            f'fill="{SEVERITY_COLOUR.get(severity, "#777")}"/>'
        )
        out.append(text(LEFT + plot + 38, y + 11, severity_label, size=11))
    out.append("</svg>")
    return "\n".join(out)
