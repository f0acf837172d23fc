"""The mirror-statistics chart: a horizontal bar chart of the largest gaps, with for each
HS6 × partner × year a bar of what the partner recorded and one of what was declared here,
labelled with the gap. One SVG document, fonts and colours inline."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from reetrace.domain.mirror import MirrorGap

PARTNER_COLOUR = "#c0392b"
DECLARED_COLOUR = "#2c7fb8"
WIDTH = 960
LEFT = 190  # row labels
RIGHT = 230  # gap labels
TOP = 92
ROW = 40
BAR = 14
BOTTOM = 72


def _nice_step(largest: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks."""
    if largest <= 0:
        return 1.0
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}"


def _text(
    x: float,
    y: float,
    content: str,
    anchor: str = "start",
    size: int = 12,
    weight: str = "normal",
    fill: str = "#222",
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'fill="{fill}"{extra}>{escape(content)}</text>'
    )


def mirror_chart(gaps: list[MirrorGap], year: int | None = None, top: int = 15) -> str:
    """The SVG document for the `top` rows of `gaps` (already largest gap first)."""
    rows = gaps[:top]
    largest = max((max(r.partner_kg, r.declared_kg) for r in rows), default=0.0)
    tonnes = largest >= 10_000
    unit, scale = ("t", 1000.0) if tonnes else ("kg", 1.0)
    step = _nice_step(largest / scale)
    axis_max = step * max(1, math.ceil(largest / scale / step))
    plot = WIDTH - LEFT - RIGHT
    height = TOP + ROW * max(1, len(rows)) + BOTTOM

    def x_of(value: float) -> float:
        return LEFT + plot * (value / scale) / axis_max

    title = "Mirror statistics: imports from China recorded by partners vs exports declared in China"
    scope = f"{year}" if year is not None else "all years"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" role="img">',
        f"<title>{escape(title)} ({escape(scope)})</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        _text(WIDTH / 2, 28, title, "middle", 16, "bold"),
        _text(
            WIDTH / 2,
            48,
            f"{scope}; largest gaps first, top {len(rows)} of {len(gaps)} "
            "(HS6 × partner × year; gap = partner-recorded − declared)",
            "middle",
            12,
            fill="#555",
        ),
    ]
    # legend
    out += [
        f'<rect x="{LEFT}" y="60" width="14" height="10" fill="{PARTNER_COLOUR}"/>',
        _text(LEFT + 20, 69, "recorded by the partner (imports from China)", size=11),
        f'<rect x="{LEFT + 290}" y="60" width="14" height="10" fill="{DECLARED_COLOUR}"/>',
        _text(LEFT + 310, 69, "declared to customs here (exports to the partner)", size=11),
    ]
    bottom = TOP + ROW * max(1, len(rows))
    # axis, grid and ticks
    ticks = int(round(axis_max / step))
    for i in range(ticks + 1):
        value = i * step
        x = LEFT + plot * value / axis_max
        out.append(f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{bottom}" stroke="#e3e3e3"/>')
        out.append(_text(x, bottom + 16, _number(value), "middle", 11, fill="#444"))
    out.append(f'<line x1="{LEFT}" y1="{bottom}" x2="{LEFT + plot}" y2="{bottom}" stroke="#333"/>')
    out.append(f'<line x1="{LEFT}" y1="{TOP - 6}" x2="{LEFT}" y2="{bottom}" stroke="#333"/>')
    out.append(_text(LEFT + plot / 2, bottom + 40, f"net mass ({unit})", "middle", 12, "bold"))
    out.append(
        _text(
            18,
            TOP + (bottom - TOP) / 2,
            "HS6 · partner · year",
            "middle",
            12,
            "bold",
            extra=f' transform="rotate(-90 18 {TOP + (bottom - TOP) / 2:.1f})"',
        )
    )
    if not rows:
        out.append(_text(LEFT + plot / 2, TOP + ROW / 2, "no mirror statistics loaded", "middle", 12, fill="#777"))
    for n, row in enumerate(rows):
        y = TOP + n * ROW
        label = f"{row.hs6} · {row.partner} · {row.year}"
        out.append(_text(LEFT - 10, y + BAR + 4, label, "end", 12, extra=f" data-hs6={quoteattr(row.hs6)}"))
        for offset, value, colour, who in (
            (0, row.partner_kg, PARTNER_COLOUR, "recorded by partner"),
            (BAR + 2, row.declared_kg, DECLARED_COLOUR, "declared"),
        ):
            width = max(0.0, x_of(value) - LEFT)
            out.append(
                f'<rect x="{LEFT}" y="{y + offset}" width="{width:.1f}" height="{BAR}" fill="{colour}">'
                f"<title>{escape(f'{label}: {who} {value:,.0f} kg')}</title></rect>"
            )
        sign = "+" if row.gap_kg > 0 else ""
        gap = f"gap {sign}{_number(row.gap_kg / scale)} {unit} (log {row.log_gap:+.2f})"
        if row.neighbouring:
            gap += " · opposite in " + ", ".join(row.neighbouring)
        out.append(
            _text(
                LEFT + plot + 8, y + BAR + 4, gap, size=11, fill=PARTNER_COLOUR if row.gap_kg > 0 else DECLARED_COLOUR
            )
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
