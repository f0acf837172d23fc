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
