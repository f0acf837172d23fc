"""The badges' text stands out from their fill (WCAG 2.1 AA: at least 4.5:1), read from the
stylesheet itself; the near miss is the rule's own check on a fill that fails it."""

import re
from pathlib import Path

import reetrace.web
from contrast import contrast

CSS = (Path(reetrace.web.__file__).parent / "static" / "reetrace.css").read_text(encoding="utf-8")


def fills(kind: str) -> dict[str, str]:
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", CSS))
    found = {}
    for name, value in re.findall(rf"\.{kind}\.(\w+)\s*\{{\s*background:\s*([^;]+);", CSS):
        value = value.strip()
        found[name] = variables[value[6:-1]] if value.startswith("var(--") else value
    return found


def test_every_badge_has_text_at_4_5_to_1_or_more():
    badges = {**{f"severity {k}": v for k, v in fills("severity").items()}, **fills("verdict")}
    assert {"severity critical", "severity high", "severity medium", "severity low"} <= set(badges)
    assert {"blocked", "attention", "clear"} <= set(badges)
    assert {
        name: round(contrast("#fff", fill), 2) for name, fill in badges.items() if contrast("#fff", fill) < 4.5
    } == {}


def test_the_check_tells_a_faint_badge():
    assert contrast("#fff", "#f39c12") < 4.5 < contrast("#fff", "#9a5b00")
    assert round(contrast("#000", "#fff"), 1) == 21.0
