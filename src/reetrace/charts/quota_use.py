"""Quota use: one horizontal bar per enterprise and quota, the REO used against the quota, with
the quota marked and the share written beside it; an overrun is drawn in red."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reetrace.charts.svg import Number, labels_with, nice_step, open_svg, plain_number, text, text_width, title

USED = "#2c7fb8"
OVER = "#c0392b"
QUOTA = "#333"
PLOT = 480
MIN_LEFT = 160  # the labels' column grows to hold the longest label whole
RIGHT = 120
LABEL_SIZE = 11
TOP = 60
ROW = 26
BAR = 14
BOTTOM = 50

LABELS = {"title": "Quota use", "unit": "t REO", "used": "used", "quota": "quota", "none": "no quotas"}


@dataclass(frozen=True, slots=True)
class QuotaBar:
    label: str  # enterprise and quota, in the page's language
    quota_tonnes: float
    used_tonnes: float

    @property
    def share(self) -> float | None:
        return self.used_tonnes / self.quota_tonnes if self.quota_tonnes else None


def quota_chart(
    bars: Sequence[QuotaBar], labels: Mapping[str, str] | None = None, number: Number = plain_number
) -> str:
    words = labels_with(LABELS, labels)
    largest = max((max(b.quota_tonnes, b.used_tonnes) for b in bars), default=0.0)
    step = nice_step(largest)
    axis_max = step * max(1, -(-largest // step))
    plot = PLOT
    left = max(MIN_LEFT, 16 + max((text_width(b.label, LABEL_SIZE) for b in bars), default=0.0))
    width = left + plot + RIGHT
    height = TOP + ROW * max(1, len(bars)) + BOTTOM
    bottom = TOP + ROW * max(1, len(bars))

    def x_of(value: float) -> float:
        return left + plot * value / axis_max

    out = [
        open_svg("quota", width, height, words["title"]),
        f'<rect width="{width:.0f}" height="{height}" fill="#fff"/>',
        text(width / 2, 24, words["title"], "middle", 15, "bold"),
        f'<rect x="{left:.1f}" y="36" width="12" height="10" fill="{USED}"/>',
        text(left + 18, 45, words["used"], size=11),
        f'<line x1="{left + 120:.1f}" y1="34" x2="{left + 120:.1f}" y2="48" stroke="{QUOTA}" stroke-width="2"/>',
        text(left + 128, 45, words["quota"], size=11),
    ]
    ticks = int(round(axis_max / step))
    for i in range(ticks + 1):
        x = x_of(i * step)
        out.append(f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{bottom}" stroke="#e5e5e5"/>')
        out.append(text(x, bottom + 16, number(i * step), "middle", 11, fill="#444"))
    out.append(text(left + plot / 2, bottom + 38, words["unit"], "middle", 12, "bold"))
    if not bars:
        out.append(text(left + plot / 2, TOP + ROW / 2, words["none"], "middle", 12, fill="#666"))
    for n, bar in enumerate(bars):
        y = TOP + n * ROW + (ROW - BAR) / 2
        over = bar.share is not None and bar.share > 1
        out.append(text(left - 8, y + BAR - 3, bar.label, "end", LABEL_SIZE))
        used = max(0.5, x_of(bar.used_tonnes) - left)
        detail = (
            f"{bar.label}: {words['used']} {number(bar.used_tonnes)} / {words['quota']} "
            f"{number(bar.quota_tonnes)} {words['unit']}"
        )
        out.append(
            f'<rect class="bar" x="{left:.1f}" y="{y:.1f}" width="{used:.1f}" height="{BAR}" '
            f'fill="{OVER if over else USED}">{title(detail)}</rect>'
        )
        if bar.quota_tonnes:
            qx = x_of(bar.quota_tonnes)
            out.append(
                f'<line x1="{qx:.1f}" y1="{y - 3:.1f}" x2="{qx:.1f}" y2="{y + BAR + 3:.1f}" '
                f'stroke="{QUOTA}" stroke-width="2"/>'
            )
        share = "—" if bar.share is None else f"{bar.share * 100:.0f}%"
        out.append(
            text(
                left + plot + 8,
                y + BAR - 3,
                f"{number(bar.used_tonnes)} ({share})",
                size=11,
                fill=OVER if over else "#222",
            )
        )
    out.append("</svg>")
    return "\n".join(out)
