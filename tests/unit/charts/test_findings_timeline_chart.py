"""The findings chart: a stacked bar per month, a segment per severity, codes in the tooltips."""

import xml.etree.ElementTree as ET
from collections import Counter

from reetrace.charts.findings_timeline import findings_chart

SVG = "{http://www.w3.org/2000/svg}"
SEVERITIES = [("low", "low"), ("medium", "medium"), ("high", "high"), ("critical", "critical")]


def test_segments_stack_per_month_with_their_codes():
    counts = {
        "2025-03": {"high": Counter({"UNKNOWN_LOT": 2}), "critical": Counter({"UNAUTHORIZED_MINING": 1})},
        "2025-05": {"low": Counter({"LATE_REPORT": 4})},
    }
    months = [(f"2025-{m:02d}", f"M{m}") for m in range(1, 13)]
    root = ET.fromstring(
        findings_chart(months, counts, SEVERITIES, {"title": "按月问题"}, {"UNKNOWN_LOT": "来源不明批次"})
    )
    assert root.find(f"{SVG}title").text == "按月问题"
    segments = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert sorted(s.get("data-severity") for s in segments) == ["critical", "high", "low"]
    tips = [s.find(f"{SVG}title").text for s in segments]
    assert "M3 · high: 来源不明批次 × 2" in tips and "M5 · low: LATE_REPORT × 4" in tips
    high = next(s for s in segments if s.get("data-severity") == "high")
    critical = next(s for s in segments if s.get("data-severity") == "critical")
    assert float(critical.get("y")) + float(critical.get("height")) == float(high.get("y"))  # stacked on top
    assert 2 * float(critical.get("height")) == float(high.get("height"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "3" in texts and "4" in texts and "M12" in texts  # totals and every month


def test_no_findings_says_so():
    root = ET.fromstring(findings_chart([("2025-01", "Jan")], {}, SEVERITIES, {"none": "nothing found"}))
    assert any(t.text == "nothing found" for t in root.iter(f"{SVG}text"))
