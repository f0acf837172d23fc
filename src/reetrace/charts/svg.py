"""Primitives shared by the page charts: text, escaping, round tick steps, and the opening of an
inline SVG document with its accessible title. Labels arrive already in the page's language."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from xml.sax.saxutils import escape, quoteattr

FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', Helvetica, Arial, sans-serif"
Number = Callable[[float], str]


def plain_number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.1f}"


def nice_step(largest: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks."""
    if largest <= 0:
        return 1.0
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def text(
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


def text_width(content: str, size: int = 12) -> float:
    """A generous estimate of the width a label takes, for laying out room for it: a CJK or other
    wide character takes a full em, a capital or digit 0.7 em, anything else 0.6 em (wider than
    the fonts draw, so that a label never runs out of its box)."""
    width = 0.0
    for char in content:
        if ord(char) >= 0x2E80:
            width += 1.0
        elif char.isupper() or char.isdigit():
            width += 0.7
        else:
            width += 0.6
    return width * size


def title(content: str) -> str:
    return f"<title>{escape(content)}</title>"


def attr(value: str) -> str:
    return quoteattr(value)


def open_svg(chart: str, width: float, height: float, heading: str, role: str = "img") -> str:
    """The opening tag (with a class naming the chart, for pages and tests) and its title. A
    chart holding links is a "group", not an "img": an image has no controls inside it."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{chart}" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" font-family={quoteattr(FONT)} '
        f'role="{role}" aria-label={quoteattr(heading)}>{title(heading)}'
    )


def labels_with(defaults: Mapping[str, str], given: Mapping[str, str] | None) -> dict[str, str]:
    return {**defaults, **(given or {})}
