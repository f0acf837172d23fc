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


def points_of(d: str, per_curve: int = 40) -> list[tuple[float, float]]:
    """Points along an SVG path made of M, C and L commands (absolute)."""
    tokens = d.replace(",", " ").replace("M", " M ").replace("C", " C ").replace("L", " L ").split()
    points, at, i = [], (0.0, 0.0), 0
    while i < len(tokens):
        op = tokens[i]
        if op == "M":
            at = (float(tokens[i + 1]), float(tokens[i + 2]))
            points.append(at)
            i += 3
        elif op == "L":
            end = (float(tokens[i + 1]), float(tokens[i + 2]))
            points += [(at[0] + (end[0] - at[0]) * k / per_curve, at[1]) for k in range(per_curve + 1)]
            at, i = end, i + 3
        else:
            c1, c2, end = ((float(tokens[i + j]), float(tokens[i + j + 1])) for j in (1, 3, 5))
            for k in range(per_curve + 1):
                u = k / per_curve
                points.append(
                    tuple(
                        (1 - u) ** 3 * p0 + 3 * (1 - u) ** 2 * u * p1 + 3 * (1 - u) * u**2 * p2 + u**3 * p3
                        for p0, p1, p2, p3 in zip(at, c1, c2, end, strict=True)
                    )
                )
            at, i = end, i + 7
    return points


def test_a_band_that_skips_a_column_goes_around_the_nodes_between():
    nodes = [
        SankeyNode("mine", "Mines", 0),
        SankeyNode("separation", "Separation", 1),
        SankeyNode("metal_alloy", "Metal", 2),
        SankeyNode("stock", "Stock", 3),
        SankeyNode("export", "Export", 3),
    ]
    links = {
        ("mine", "separation"): 70.0,
        ("mine", "stock"): 30.0,  # skips separation and metal
        ("separation", "metal_alloy"): 50.0,
        ("separation", "stock"): 20.0,  # skips metal
        ("metal_alloy", "export"): 50.0,
    }
    root = ET.fromstring(sankey_chart(nodes, links))
    rects = {r.get("data-node"): r for r in root.iter(f"{SVG}rect") if r.get("class") == "node"}
    boxes = {
        k: (float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height")))
        for k, r in rects.items()
    }
    height = float(root.get("height"))
    crossed = []
    for band in (p for p in root.iter(f"{SVG}path") if p.get("class") == "flow"):
        frm, to, half = band.get("data-from"), band.get("data-to"), float(band.get("stroke-width")) / 2
        for key, (x, y, w, h) in boxes.items():
            if key in (frm, to):
                continue
            if any(x <= px <= x + w and y - half < py < y + h + half for px, py in points_of(band.get("d"))):
                crossed.append((frm, to, key))
        assert all(py + half <= height for _, py in points_of(band.get("d"))), (frm, to)
    assert not crossed
    # the near miss: a band between neighbouring columns is one plain curve
    plain = next(p for p in root.iter(f"{SVG}path") if p.get("data-to") == "separation")
    assert "L" not in plain.get("d")


def test_an_empty_year_says_there_is_no_flow():
    root = ET.fromstring(sankey_chart([SankeyNode("mine", "Mines", 0)], {}, {"none": "No flow in 2031."}))
    assert any(t.text == "No flow in 2031." for t in root.iter(f"{SVG}text"))
    assert not [p for p in root.iter(f"{SVG}path") if p.get("class") == "flow"]
