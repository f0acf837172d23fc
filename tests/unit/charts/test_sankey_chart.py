"""The Sankey diagram: a node per stage as tall as what passes through it, a band per flow."""

import xml.etree.ElementTree as ET

from reetrace.charts.sankey import SankeyNode, sankey_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_nodes_and_bands_follow_the_flows():
    nodes = [
        SankeyNode("mine", "矿山", 0),
        SankeyNode("separation", "冶炼分离", 1),
        SankeyNode("export", "出口", 2),
        SankeyNode("stock", "库存与损耗", 2),
        SankeyNode("magnet", "磁材", 1),
    ]
    links = {("mine", "separation"): 100.0, ("separation", "export"): 60.0, ("separation", "stock"): 40.0}
    root = ET.fromstring(sankey_chart(nodes, links, {"title": "全国流向", "unit": "吨"}))
    drawn = {r.get("data-node"): r for r in root.iter(f"{SVG}rect") if r.get("class") == "node"}
    assert set(drawn) == {"mine", "separation", "export", "stock"}  # magnet carries nothing
    height = {k: float(r.get("height")) for k, r in drawn.items()}
    assert abs(height["mine"] - height["separation"]) < 0.01
    assert abs(height["export"] / height["stock"] - 1.5) < 0.01
    bands = [p for p in root.iter(f"{SVG}path") if p.get("class") == "flow"]
    assert len(bands) == 3
    widths = sorted(float(p.get("stroke-width")) for p in bands)
    assert abs(widths[2] - height["mine"]) < 0.01 and abs(widths[0] / widths[1] - 40 / 60) < 0.01
    tips = {p.find(f"{SVG}title").text for p in bands}
    assert "冶炼分离 → 出口: 60 吨" in tips
    assert "全国流向" == root.find(f"{SVG}title").text


def test_an_empty_flow_is_still_a_document():
    root = ET.fromstring(sankey_chart([SankeyNode("mine", "Mines", 0)], {}))
    assert not [r for r in root.iter(f"{SVG}rect") if r.get("class") == "node"]
