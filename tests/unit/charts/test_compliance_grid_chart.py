"""The compliance grid: a cell per enterprise and month, coloured and titled by its state."""

import xml.etree.ElementTree as ET

from reetrace.charts.compliance_grid import STATE_COLOUR, compliance_chart

SVG = "{http://www.w3.org/2000/svg}"
STATES = [("on_time", "按时"), ("late", "逾期"), ("missing", "缺报"), ("quiet", "无需报送"), ("pending", "未到期")]


def test_every_cell_is_drawn_in_the_colour_of_its_state():
    rows = [("甲公司", ["on_time", "late", "missing"]), ("B Ltd", ["quiet", "pending", "on_time"])]
    root = ET.fromstring(compliance_chart(["1月", "2月", "3月"], rows, STATES, {"title": "报送合规"}))
    cells = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "cell"]
    assert [c.get("data-state") for c in cells] == ["on_time", "late", "missing", "quiet", "pending", "on_time"]
    assert all(c.get("fill") == STATE_COLOUR[c.get("data-state")] for c in cells)
    assert cells[1].find(f"{SVG}title").text == "甲公司 · 2月: 逾期"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"甲公司", "B Ltd", "1月", "3月", "缺报", "报送合规"} <= set(texts)


def test_each_state_has_its_own_mark_so_colour_never_tells_it_alone():
    from contrast import contrast
    from reetrace.charts.compliance_grid import STATE_MARK

    rows = [("甲公司", ["on_time", "late", "missing", "quiet", "pending"])]
    root = ET.fromstring(compliance_chart(["1月", "2月", "3月", "4月", "5月"], rows, STATES))
    marks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "mark"]
    assert marks == ["✓", "!", "✕", "…"]  # a month not due is the one left blank
    assert len({STATE_MARK[s][0] for s, _ in STATES}) == len(STATES)
    for state, (mark, ink) in STATE_MARK.items():
        assert not mark or contrast(ink, STATE_COLOUR[state]) >= 4.5, state
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert all(mark in legend for mark in marks)  # the legend shows each mark beside its name


def test_a_long_english_name_is_drawn_whole():
    name = "Ganzhou Rare Earth Group Separation and Smelting Co., Ltd."
    root = ET.fromstring(compliance_chart(["Jan"], [(name, ["on_time"])], STATES))
    label = next(t for t in root.iter(f"{SVG}text") if t.text == name)
    assert float(label.get("x")) - 0.55 * 11 * len(name) >= 0
