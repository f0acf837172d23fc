"""The quota-use chart: one bar per quota, the quota marked, overruns in red, labels as given."""

import xml.etree.ElementTree as ET

from reetrace.charts.quota_use import OVER, USED, QuotaBar, quota_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_each_quota_is_a_bar_with_its_label_and_share():
    bars = [QuotaBar("包头 (开采)", 500.0, 450.0), QuotaBar("Ganzhou (separation)", 100.0, 120.0)]
    root = ET.fromstring(quota_chart(bars, {"title": "指标使用", "unit": "吨 REO"}))
    assert root.tag == f"{SVG}svg" and "chart-quota" in root.get("class")
    assert root.find(f"{SVG}title").text == "指标使用"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "包头 (开采)" in texts and "Ganzhou (separation)" in texts and "吨 REO" in texts
    assert "450 (90%)" in texts and "120 (120%)" in texts
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert [r.get("fill") for r in rects] == [USED, OVER]
    assert all(float(r.get("width")) > 0 for r in rects)
    assert float(rects[0].get("width")) < float(rects[1].get("width")) * 450 / 120 + 1  # proportional


def test_no_quotas_says_so_and_a_missing_quota_has_no_share():
    empty = ET.fromstring(quota_chart([], {"none": "no quotas here"}))
    assert any(t.text == "no quotas here" for t in empty.iter(f"{SVG}text"))
    root = ET.fromstring(quota_chart([QuotaBar("X", 0.0, 3.0)]))
    assert any(t.text == "3 (—)" for t in root.iter(f"{SVG}text"))


def test_a_long_english_name_is_drawn_whole():
    long = "Inner Mongolia Baotou Steel Rare Earth Hi-Tech Co., Ltd. (mining · rock deposit)"
    root = ET.fromstring(quota_chart([QuotaBar(long, 500.0, 450.0), QuotaBar("包头 (开采)", 10.0, 1.0)]))
    label = next(t for t in root.iter(f"{SVG}text") if t.text == long)
    # the label ends at x (anchored at its end): it needs room for at least 0.55 em a character
    assert float(label.get("x")) - 0.55 * 11 * len(long) >= 0
    bar = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar")
    assert float(bar.get("x")) > float(label.get("x"))
    width = float(root.get("width"))
    assert root.get("viewBox") == f"0 0 {width:.0f} {root.get('height')}"
    short = ET.fromstring(quota_chart([QuotaBar("X", 1.0, 1.0)]))  # the near miss: short labels keep a narrow column
    assert float(short.get("width")) < width
