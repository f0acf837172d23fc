"""The mirror-statistics chart: a well-formed, self-contained SVG of the largest gaps."""

import xml.etree.ElementTree as ET
from datetime import date

from reetrace.charts.mirror import mirror_chart
from reetrace.domain.customs import Declaration, DeclarationItem
from reetrace.domain.mirror import MirrorStatistic, mirror_gaps

SVG = "{http://www.w3.org/2000/svg}"


def _declared(hs_code: str, kg: float, destination: str):
    return Declaration(
        f"CD-{hs_code}-{destination}",
        date(2026, 3, 1),
        "91110000MA0000001X",
        destination,
        None,
        (DeclarationItem(hs_code, kg),),
    )


def _stat(hs6: str, kg: float, partner: str = "DE", year: int = 2026):
    return MirrorStatistic(year, partner, hs6, kg)


def test_the_chart_is_well_formed_svg_with_the_top_rows():
    stats = [_stat(f"2846{n:02d}", 1000.0 * (n + 1), "DE") for n in range(20)]
    stats.append(_stat("850511", 50_000.0, "AB"))
    gaps = mirror_gaps(stats, [_declared("8505111000", 1000.0, "AB")])
    svg = mirror_chart(gaps, 2026, top=5)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert any(t.startswith("Mirror statistics") for t in texts)
    assert any("net mass (t)" == t for t in texts) and any("HS6 · partner · year" == t for t in texts)
    labels = [t for t in texts if " · " in t and t[:6].isdigit()]
    assert labels == [f"{g.hs6} · {g.partner} · {g.year}" for g in gaps[:5]]
    assert len(list(root.iter(f"{SVG}rect"))) >= 10  # two bars per row
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched


def test_the_chart_escapes_text_and_copes_with_no_rows():
    empty = ET.fromstring(mirror_chart([], None))
    assert any("no mirror statistics" in (t.text or "") for t in empty.iter(f"{SVG}text"))
    gaps = mirror_gaps([_stat("850511", 10.0, "DE")], [])
    gaps[0].neighbouring = ["<850519>"]
    assert "&lt;850519&gt;" in mirror_chart(gaps, 2026)
    ET.fromstring(mirror_chart(gaps, 2026))
