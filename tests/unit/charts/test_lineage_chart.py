"""The lineage graph: a box per lot in columns by depth, an arrow per draw labelled in kg."""

import xml.etree.ElementTree as ET

from reetrace.charts.lineage import LineageBox, lineage_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_backward_puts_the_origins_left_and_labels_each_draw():
    boxes = [
        LineageBox("MAG-1", 0, "traced", "磁体 · 1,000 kg"),
        LineageBox("OX-1", 1, "transform", "氧化物", "/lots/OX-1"),
        LineageBox("ORE-1", 2, "extract", "原矿"),
        LineageBox("ORE-2", 2, "unknown", "来源不明"),
    ]
    edges = [("OX-1", "MAG-1", 800.0), ("ORE-1", "OX-1", 5000.0), ("ORE-2", "OX-1", 1200.5)]
    root = ET.fromstring(lineage_chart(boxes, edges, backward=True, labels={"title": "来源"}))
    lots = {r.get("data-lot"): float(r.get("x")) for r in root.iter(f"{SVG}rect") if r.get("class") == "lot"}
    assert set(lots) == {"MAG-1", "OX-1", "ORE-1", "ORE-2"}
    assert lots["ORE-1"] == lots["ORE-2"] < lots["OX-1"] < lots["MAG-1"]
    assert len([p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]) == 3
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"800 kg", "5,000 kg", "1,200 kg", "来源", "ORE-2"} <= set(texts)
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == ["/lots/OX-1"]


def test_forward_puts_the_traced_lot_left():
    boxes = [LineageBox("OX-1", 0, "traced", ""), LineageBox("MET-1", 1, "transform", "")]
    root = ET.fromstring(lineage_chart(boxes, [("OX-1", "MET-1", 10.0)], backward=False))
    lots = {r.get("data-lot"): float(r.get("x")) for r in root.iter(f"{SVG}rect") if r.get("class") == "lot"}
    assert lots["OX-1"] < lots["MET-1"]


def test_long_captions_are_clipped_by_their_width_and_crowded_graphs_keep_kg_in_tooltips():
    from reetrace.charts.lineage import clipped

    assert clipped("ABCDEF", 10) == "ABCDEF" and clipped("包头蒙晟稀土金属有限公司", 10) == "包头蒙晟…"
    boxes = [LineageBox("L0", 0, "traced", "")] + [LineageBox(f"L{n}", 1, "transform", "") for n in range(1, 15)]
    root = ET.fromstring(lineage_chart(boxes, [("L0", f"L{n}", 1.0) for n in range(1, 15)], backward=False))
    assert not [t for t in root.iter(f"{SVG}text") if (t.text or "").endswith(" kg")]
    assert all(p.find(f"{SVG}title").text.endswith("1 kg") for p in root.iter(f"{SVG}path") if p.get("class") == "edge")
