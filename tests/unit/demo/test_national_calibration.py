"""What a national year is calibrated on: the published quota totals of the year or the latest
earlier year, the rock / ion-adsorption split, and quotas that add up to the totals."""

from __future__ import annotations

import pytest

from reetrace.simulate import calibrate
from reetrace.simulate.cast import allocate, build_cast, headcount


def test_a_published_year_uses_its_own_totals():
    cal = calibrate(2024)
    assert (cal.source_year, cal.mining_t, cal.separation_t, cal.fallback) == (2024, 270_000, 254_000, False)
    assert cal.split_year == 2021  # the latest category figures at or before 2024
    assert cal.ion_share == pytest.approx(19_150 / 168_000)
    assert cal.rock_t + cal.ion_t == pytest.approx(270_000)
    assert "2024's published totals" in cal.describe() and "not published" not in cal.describe()


def test_an_unpublished_year_falls_back_to_the_latest_published_one():
    cal = calibrate(2025)
    assert (cal.year, cal.source_year, cal.fallback) == (2025, 2024, True)
    assert (cal.mining_t, cal.separation_t) == (270_000, 254_000)
    assert "2025's were not published" in cal.describe()
    assert calibrate(2031).source_year == 2024
    doc = cal.document()
    assert doc["fallback"] is True and doc["source_year"] == 2024
    assert doc["mining_rock_t"] > doc["mining_ion_adsorption_t"]


def test_the_split_comes_from_the_latest_category_figures_at_or_before_the_year():
    assert calibrate(2020).split_year == 2020  # its own figures
    assert calibrate(2020).rock_t == pytest.approx(120_850)
    assert calibrate(2019).split_year == 2018  # 2019 has totals but no categories
    assert calibrate(2019).ion_t == pytest.approx(132_000 * 19_150 / 120_000)


def test_a_year_with_a_total_missing_falls_back_and_one_before_any_publication_is_refused():
    doc = {
        "format": "reetrace/national-quotas@1",
        "years": [
            {"year": 2020, "mining": 100, "separation": 90, "mining_rock": 80, "mining_ion_adsorption": 20},
            {"year": 2021, "mining": 120, "separation": None, "mining_rock": None, "mining_ion_adsorption": None},
        ],
    }
    cal = calibrate(2021, doc)
    assert (cal.source_year, cal.mining_t, cal.ion_share) == (2020, 100, 0.2)
    with pytest.raises(ValueError, match="no national quota totals published for 2019"):
        calibrate(2019, doc)
    with pytest.raises(ValueError, match="2017 or earlier"):
        calibrate(2017)


def test_quotas_are_allocated_so_that_they_add_up_exactly():
    parts = allocate(239_223.214, [0.44, 0.36, 0.08, 0.04, 0.04, 0.04], 1.0)
    assert sum(parts) == 239_223 and all(p == int(p) for p in parts)
    small = allocate(61.554, [0.5, 0.3, 0.2], 0.001)
    assert sum(small) == pytest.approx(61.554, abs=1e-9) and small[0] > small[1] > small[2]


def test_fewer_enterprises_take_part_in_a_fraction_of_a_year():
    assert headcount(180, 1.0, 4) == 180
    assert headcount(180, 0.01, 4) == 18
    assert headcount(180, 0.0001, 4) == 4
    import random

    national = build_cast(random.Random(1), 1, 1.0, 2025)
    small = build_cast(random.Random(1), 1, 0.002, 2025)
    assert len(national.actors) > 600 > 40 > len(small.actors)
    roles = {a.role for a in small.actors}
    assert roles >= {"mine", "separation", "metal", "magnet", "exporter", "trader", "motor", "polishing"}
    mines = national.of("mine")
    assert {m.deposit for m in mines} == {"bayan_obo", "sichuan", "ion"} and len(mines) >= 20
    assert len(national.of("separation")) >= 20 and len(national.of("magnet")) >= 150
    for category in (True, False):  # each mine's share of its quota category
        assert sum(m.share for m in mines if (m.deposit == "ion") == category) == pytest.approx(1)
    usccs = [a.uscc for a in national.actors]
    assert len(set(usccs)) == len(usccs)
