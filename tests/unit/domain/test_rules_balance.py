"""MASS_BALANCE_VIOLATION and LOW_YIELD: what a transform's outputs hold against its inputs."""

import pytest
from builders import (
    DY_OXIDE,
    MINE,
    SEP,
    at,
    codes,
    extract,
    import_,
    new,
    of,
    one,
    receive,
    run,
    ship,
    transform,
)

from reetrace.domain.elements import REO_FACTOR

UNIT_REO_ND = {"Nd": REO_FACTOR["Nd"]}  # one kilogram is exactly one kilogram REO


def _with_input(*steps, lots=(("IN-1", 1000.0, {"Dy": 1.0}, "metal"),)):
    creations = [
        import_(SEP, f"i{n}", at(0), new(lot, mass, comp, form)) for n, (lot, mass, comp, form) in enumerate(lots)
    ]
    return run([*creations, *steps])


def test_outputs_holding_more_of_an_element_than_the_inputs():
    findings = _with_input(
        transform(SEP, "t1", at(1), "other", [("IN-1", 10.0)], new("OUT-1", 12.4, {"Dy": 1.0}, "metal")),
    )
    f = one(findings, "MASS_BALANCE_VIOLATION")
    assert (f.severity, f.enterprise, f.event, f.lot) == ("critical", SEP, f"{SEP}:t1", "OUT-1")
    assert f.evidence["element"] == "Dy"
    assert (f.evidence["kg_in"], f.evidence["kg_out"], f.evidence["excess_kg"]) == (10.0, 12.4, 2.4)
    assert f.evidence["elements"] == {"Dy": {"kg_in": 10.0, "kg_out": 12.4, "excess_kg": 2.4}}
    assert "12.400 kg of Dy" in f.detail and "10.000 kg" in f.detail


@pytest.mark.parametrize(("out_kg", "violates"), [(1001.009, False), (1001.011, True)])
def test_tolerance_is_a_tenth_of_a_percent_plus_ten_grams(out_kg, violates):
    # 1000 kg of Dy in: outputs may hold up to 1000 × 1.001 + 0.01 = 1001.01 kg.
    findings = _with_input(
        transform(SEP, "t1", at(1), "other", [("IN-1", 1000.0)], new("OUT-1", out_kg, {"Dy": 1.0}, "metal")),
    )
    assert ("MASS_BALANCE_VIOLATION" in codes(findings)) is violates


def test_every_violating_element_is_listed_and_the_worst_leads():
    findings = _with_input(
        transform(
            SEP,
            "t1",
            at(1),
            "other",
            [("IN-1", 100.0)],
            new("OUT-1", 100.0, {"Dy": 0.5, "Tb": 0.1}, "alloy"),
            new("OUT-2", 100.0, {"Dy": 0.4, "Nd": 0.2}, "alloy"),
        ),
        lots=(("IN-1", 1000.0, {"Dy": 0.5, "Nd": 0.3}, "alloy"),),
    )
    f = one(findings, "MASS_BALANCE_VIOLATION")
    assert f.lot is None  # two outputs: the finding is about the transform
    # Dy: 50 in, 90 out; Tb: 0 in, 10 out; Nd: 30 in, 20 out (fine).
    assert set(f.evidence["elements"]) == {"Dy", "Tb"}
    assert f.evidence["element"] == "Dy"
    assert f.evidence["elements"]["Tb"] == {"kg_in": 0.0, "kg_out": 10.0, "excess_kg": 10.0}
    assert f.evidence["excess_kg"] == 40.0


def test_input_element_mass_is_the_draw_times_the_lot_composition():
    findings = _with_input(
        transform(SEP, "t1", at(1), "other", [("IN-1", 100.0)], new("OUT-1", 100.0, DY_OXIDE, "oxide")),
        lots=(("IN-1", 1000.0, DY_OXIDE, "oxide"),),
    )
    assert of(findings, "MASS_BALANCE_VIOLATION") == []


def test_an_input_of_unknown_origin_may_explain_up_to_its_drawn_mass():
    explained = _with_input(
        transform(
            SEP, "t1", at(1), "other", [("IN-1", 10.0), ("GHOST", 5.0)], new("OUT-1", 15.0, {"Dy": 1.0}, "metal")
        ),
    )
    assert codes(explained) == ["UNKNOWN_LOT"]
    unexplained = _with_input(
        transform(
            SEP, "t1", at(1), "other", [("IN-1", 10.0), ("GHOST", 5.0)], new("OUT-1", 16.0, {"Dy": 1.0}, "metal")
        ),
    )
    f = one(unexplained, "MASS_BALANCE_VIOLATION")
    assert (f.evidence["kg_in"], f.evidence["unknown_input_kg"], f.evidence["excess_kg"]) == (10.0, 5.0, 1.0)


def test_low_yield_of_separation():
    events = [
        extract(MINE, "e1", at(0), new("C-1", 1000.0, UNIT_REO_ND)),
        ship(MINE, "s1", at(0, 10), ["C-1"], SEP),
        receive(SEP, "r1", at(0, 11), ["C-1"], MINE),
        transform(SEP, "t1", at(1), "separation", [("C-1", 1000.0)], new("OX-1", 850.0, UNIT_REO_ND, "oxide")),
    ]
    findings = run(events)
    f = one(findings, "LOW_YIELD")
    assert (f.severity, f.enterprise, f.event, f.lot) == ("medium", SEP, f"{SEP}:t1", "OX-1")
    assert f.evidence == {
        "process": "separation",
        "yield": 0.85,
        "floor": 0.9,
        "reo_in_kg": 1000.0,
        "reo_out_kg": 850.0,
    }


@pytest.mark.parametrize(
    ("process", "out_kg", "low"),
    [
        ("separation", 900.0, False),
        ("separation", 899.0, True),
        ("metal", 950.0, False),
        ("metal", 949.0, True),
        ("repack", 999.0, False),
        ("repack", 998.9, True),
        ("beneficiation", 100.0, False),
        ("recycling", 100.0, False),
        ("other", 1.0, False),
    ],
)
def test_yield_exactly_at_the_floor_passes(process, out_kg, low):
    findings = _with_input(
        transform(SEP, "t1", at(1), process, [("IN-1", 1000.0)], new("OUT-1", out_kg, UNIT_REO_ND, "oxide")),
        lots=(("IN-1", 1000.0, UNIT_REO_ND, "oxide"),),
    )
    assert ("LOW_YIELD" in codes(findings)) is low


def test_yield_is_not_judged_with_an_input_of_unknown_content_or_no_rare_earth_in():
    unknown = _with_input(
        transform(
            SEP, "t1", at(1), "separation", [("IN-1", 1000.0), ("GHOST", 10.0)], new("OUT-1", 1.0, UNIT_REO_ND, "oxide")
        ),
        lots=(("IN-1", 1000.0, UNIT_REO_ND, "oxide"),),
    )
    assert "LOW_YIELD" not in codes(unknown)
    barren = _with_input(
        transform(SEP, "t1", at(1), "separation", [("IN-1", 1000.0)], new("OUT-1", 1.0, {}, "oxide")),
        lots=(("IN-1", 1000.0, {}, "ore"),),
    )
    assert codes(barren) == []
