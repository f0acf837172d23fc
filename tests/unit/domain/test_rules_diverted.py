"""ELEMENT_DIVERTED: a transform whose outputs hold far less of a controlled element than its
inputs (docs/contract.md §12). Figures worked by hand: 100 kg of Dy oxide holds 87.13 kg of Dy."""

import pytest
from builders import DY_OXIDE, SEP, at, codes, import_, new, of, one, run, transform

from reetrace.domain.findings import Thresholds

DY_IN = 100.0 * DY_OXIDE["Dy"]  # 87.13 kg


def _metal(out_dy_kg: float, oxide_kg: float = 100.0, thresholds: Thresholds | None = None):
    """Dy oxide made into Dy metal holding `out_dy_kg` of Dy."""
    return run(
        [
            import_(SEP, "i1", at(0), new("OX-1", oxide_kg, DY_OXIDE, "oxide")),
            transform(SEP, "t1", at(1), "metal", [("OX-1", oxide_kg)], new("DY-M", out_dy_kg, {"Dy": 1.0}, "metal")),
        ],
        thresholds=thresholds,
    )


def test_an_ordinary_process_loss_is_not_a_diversion():
    findings = _metal(0.95 * DY_IN)  # 5 % lost, as metal making loses
    assert "ELEMENT_DIVERTED" not in codes(findings)


def test_eleven_percent_of_the_dysprosium_gone_is_a_diversion():
    findings = _metal(0.89 * DY_IN)
    f = one(findings, "ELEMENT_DIVERTED")
    assert (f.severity, f.enterprise, f.event, f.lot) == ("high", SEP, f"{SEP}:t1", "DY-M")
    assert f.evidence["element"] == "Dy"
    assert (f.evidence["kg_in"], f.evidence["kg_out"]) == (87.13, round(0.89 * 87.13, 3))
    assert f.evidence["ratio"] == pytest.approx(0.89)
    assert "LOW_YIELD" in codes(findings)  # both: the yield of 0.89 is below the metal floor too


def test_less_than_a_kilogram_in_is_not_judged():
    findings = _metal(0.0, oxide_kg=1.0)  # 0.87 kg of Dy in, none out
    assert "ELEMENT_DIVERTED" not in codes(findings)


def test_the_ratio_and_the_minimum_are_configuration():
    assert "ELEMENT_DIVERTED" not in codes(_metal(0.89 * DY_IN, thresholds=Thresholds(diverted_ratio=0.85)))
    assert "ELEMENT_DIVERTED" in codes(_metal(0.0, oxide_kg=1.0, thresholds=Thresholds(diverted_min_kg=0.5)))


def test_a_diversion_hides_in_a_good_reo_yield_and_each_element_is_judged():
    # 10 t of Ce-rich oxide with a little Tb and Dy: all the Ce comes out, 30 % of the Tb and all the Dy.
    comp = {"Ce": 0.78, "Tb": 0.01, "Dy": 0.005}
    findings = run(
        [
            import_(SEP, "i1", at(0), new("MIX-1", 10_000.0, comp, "mixed_compound")),
            transform(
                SEP,
                "t1",
                at(1),
                "other",
                [("MIX-1", 10_000.0)],
                new("CE-OX", 9_800.0, {"Ce": 7_800.0 / 9_800.0, "Tb": 30.0 / 9_800.0}, "oxide"),
                new("DY-OX", 60.0, {"Dy": 50.0 / 60.0}, "oxide"),
            ),
        ]
    )
    found = of(findings, "ELEMENT_DIVERTED")
    assert [(f.evidence["element"], f.evidence["kg_in"], f.evidence["kg_out"]) for f in found] == [("Tb", 100.0, 30.0)]
    assert found[0].lot is None  # two outputs: the finding is about the transform


def test_an_input_of_unknown_content_cannot_hide_a_loss_of_the_known_ones():
    findings = run(
        [
            import_(SEP, "i1", at(0), new("OX-1", 100.0, DY_OXIDE, "oxide")),
            transform(
                SEP,
                "t1",
                at(1),
                "metal",
                [("OX-1", 100.0), ("NOBODY-MADE-IT", 50.0)],
                new("DY-M", 0.5 * DY_IN, {"Dy": 1.0}, "metal"),
            ),
        ]
    )
    f = one(findings, "ELEMENT_DIVERTED")
    assert f.evidence["kg_in"] == 87.13  # the known input; the unknown one can only add to the loss
