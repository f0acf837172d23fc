"""Where a lot's rare earths came from: one bar per element (and one for all of them), split by
origin country, Chinese origin first, drawn narrow enough for a phone held upright (it scales
down with the page, never past it). The legend names each country once. Labels and shares
arrive already in the page's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reetrace.charts.svg import open_svg, text, text_width, title

WIDTH = 340
LEFT = 4
LABEL = 12
BAR = 18
ROW = 44  # a label line above its bar
TOP = 8
LEGEND_ROW = 20
SWATCH = 12
CHINA = "CN"
UNKNOWN = ""
COLOURS = {CHINA: "#b03a2e", UNKNOWN: "#8a949e"}
OTHERS = ("#1f5f99", "#2a7f62", "#7d5ba6", "#a86b00", "#2b7a8c", "#5d6d7e")


@dataclass(frozen=True, slots=True)
class OriginBar:
    label: str  # the element (or "all rare earths"), in the page's language
    parts: Sequence[tuple[str, float, str]]  # (country code, "" for unknown; mass; its share, written)


def colours(countries: Sequence[str]) -> dict[str, str]:
    """A colour per country: China and the unknown origin fixed, the rest in turn."""
    others = iter(OTHERS * (1 + len(countries) // len(OTHERS)))
    return {c: COLOURS.get(c) or next(others) for c in countries}


def _order(country: str) -> tuple[int, str]:
    return (0 if country == CHINA else 2 if country == UNKNOWN else 1, country)


def origin_chart(bars: Sequence[OriginBar], names: Mapping[str, str], heading: str) -> str:
    """The chart; `names` gives each country's name ("" for the unknown origin)."""
    countries = sorted({c for b in bars for c, kg, _ in b.parts if kg > 0}, key=_order)
    fill = colours(countries)
    legend_lines = _legend_lines([names.get(c, c) for c in countries])
    height = TOP + ROW * len(bars) + LEGEND_ROW * len(legend_lines) + 8
    out = [open_svg("origins", WIDTH, height, heading), f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>']
    plot = WIDTH - 2 * LEFT
    for n, bar in enumerate(bars):
        y = TOP + ROW * n
        out.append(text(LEFT, y + LABEL, bar.label, size=LABEL, weight="bold"))
        total = sum(kg for _, kg, _ in bar.parts if kg > 0)
        x = float(LEFT)
        for country, kg, share in sorted((p for p in bar.parts if p[1] > 0), key=lambda p: _order(p[0])):
            width = plot * kg / total if total else 0.0
            said = f"{names.get(country, country)} {share}"
            out.append(
                f'<rect x="{x:.1f}" y="{y + LABEL + 6}" width="{max(width, 0.5):.1f}" height="{BAR}" '
                f'fill="{fill[country]}" stroke="#fff" stroke-width="1">{title(said)}</rect>'
            )
            x += width
        if not total:
            out.append(
                f'<rect x="{LEFT}" y="{y + LABEL + 6}" width="{plot}" height="{BAR}" fill="none" stroke="#8a949e"/>'
            )
    y = TOP + ROW * len(bars) + 4
    for line in legend_lines:
        x = float(LEFT)
        for index in line:
            country = countries[index]
            name = names.get(country, country)
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{SWATCH}" height="{SWATCH}" fill="{fill[country]}"/>')
            out.append(text(x + SWATCH + 4, y + SWATCH - 1, name, size=11))
            x += SWATCH + 12 + text_width(name, 11)
        y += LEGEND_ROW
    out.append("</svg>")
    return "".join(out)


def _legend_lines(names: Sequence[str]) -> list[list[int]]:
    """The legend's entries (by index), broken into lines that fit the chart's width."""
    lines: list[list[int]] = []
    used = WIDTH + 1.0
    for index, name in enumerate(names):
        wide = SWATCH + 12 + text_width(name, 11)
        if used + wide > WIDTH - LEFT:
            lines.append([])
            used = float(LEFT)
        lines[-1].append(index)
        used += wide
    return lines
