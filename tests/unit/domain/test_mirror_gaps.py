"""Mirror statistics: partner-recorded imports against declared exports, the Fisman–Wei gap,
and codes that move together."""

import math
from datetime import date

import pytest

from reetrace.domain.customs import Declaration, DeclarationItem
from reetrace.domain.mirror import MirrorStatistic, mirror_document, mirror_gaps


def _declared(hs_code: str, kg: float, destination: str = "DE", day: date = date(2026, 3, 1), n: int = 0):
    return Declaration(
        f"CD-{hs_code}-{destination}-{day}-{n}-{kg}",
        day,
        "91110000MA0000001X",
        destination,
        None,
        (DeclarationItem(hs_code, kg),),
    )


def _stat(hs6: str, kg: float, partner: str = "DE", year: int = 2026, value: float | None = None):
    return MirrorStatistic(year, partner, hs6, kg, value)


def _key(g):
    return (g.hs6, g.partner, g.year)


def test_declared_kg_are_summed_by_hs6_destination_and_year():
    gaps = mirror_gaps(
        [_stat("850511", 5000.0)],
        [
            _declared("8505111000", 1000.0),
            _declared("8505119000", 500.0, n=1),
            _declared("8505111000", 700.0, "US"),
            _declared("8505111000", 900.0, day=date(2025, 12, 31)),
        ],
    )
    row = next(g for g in gaps if _key(g) == ("850511", "DE", 2026))
    assert (row.partner_kg, row.declared_kg, row.declarations) == (5000.0, 1500.0, 2)
    assert row.gap_kg == 3500.0
    assert row.log_gap == pytest.approx(math.log(1 + 5000.0) - math.log(1 + 1500.0))
    # the US and 2025 did not report: nothing to compare with
    assert {_key(g) for g in gaps} == {("850511", "DE", 2026)}


def test_the_items_of_one_declaration_count_under_each_items_code():
    items = (
        DeclarationItem("8505111000", 1000.0, ("MAG-1",)),
        DeclarationItem("2846901500", 20.0, ("DYO-1",)),
        DeclarationItem("8505111000", 300.0, ("MAG-2",)),
        DeclarationItem("8505190000", 50.0),
    )
    declaration = Declaration("CD-1", date(2026, 3, 1), "91110000MA0000001X", "DE", None, items)
    gaps = mirror_gaps([_stat("850511", 1500.0), _stat("284690", 20.0)], [declaration, _declared("8505111000", 100.0)])
    by_key = {g.hs6: (g.declared_kg, g.declarations) for g in gaps}
    assert by_key == {"850511": (1400.0, 2), "284690": (20.0, 1), "850519": (50.0, 1)}


def test_largest_gap_first_whatever_its_sign():
    stats = [_stat("280530", 100.0), _stat("284690", 9000.0), _stat("850511", 2000.0, "JP")]
    declared = [_declared("2805301200", 2600.0), _declared("2846901500", 8000.0), _declared("8505111000", 1900.0, "JP")]
    gaps = mirror_gaps(stats, declared)
    assert [(_key(g), g.gap_kg) for g in gaps] == [
        (("280530", "DE", 2026), -2500.0),
        (("284690", "DE", 2026), 1000.0),
        (("850511", "JP", 2026), 100.0),
    ]
    assert [abs(g.gap_kg) for g in gaps] == sorted((abs(g.gap_kg) for g in gaps), reverse=True)


def test_a_code_declared_but_not_recorded_by_a_reporting_partner_counts_as_zero_recorded():
    gaps = mirror_gaps([_stat("850511", 3000.0)], [_declared("8505190000", 2800.0)])
    row = next(g for g in gaps if g.hs6 == "850519")
    assert (row.partner_kg, row.declared_kg, row.gap_kg) == (0.0, 2800.0, -2800.0)


def test_gaps_of_opposite_sign_in_one_heading_move_together():
    stats = [
        _stat("850511", 3000.0),
        _stat("850519", 100.0),
        _stat("284690", 900.0),
        _stat("850511", 1000.0, "JP"),
        _stat("850519", 100.0, "JP"),
    ]
    declared = [
        _declared("8505111000", 200.0),
        _declared("8505190000", 2900.0),
        _declared("2846901500", 100.0),
        _declared("8505111000", 1000.0, "JP"),
        _declared("8505190000", 1000.0, "JP"),
    ]
    by_key = {_key(g): g for g in mirror_gaps(stats, declared)}
    assert by_key[("850511", "DE", 2026)].neighbouring == ["850519"]
    assert by_key[("850519", "DE", 2026)].neighbouring == ["850511"]
    assert by_key[("284690", "DE", 2026)].neighbouring == []  # another heading
    assert by_key[("850511", "JP", 2026)].neighbouring == []  # in JP only one of them is off
    assert by_key[("850519", "JP", 2026)].neighbouring == []


def test_year_filter_and_document():
    stats = [_stat("850511", 10.0, year=2025), _stat("850511", 20.0)]
    doc = mirror_document(mirror_gaps(stats, [], year=2026), 2026)
    assert doc["format"] == "reetrace/mirror-report@1" and [r["year"] for r in doc["rows"]] == [2026]
    assert set(doc["rows"][0]) >= {
        "hs6",
        "partner",
        "year",
        "partner_kg",
        "declared_kg",
        "gap_kg",
        "log_gap",
        "neighbouring",
    }
