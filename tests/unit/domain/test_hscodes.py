"""Which customs codes fit a lot: heading family per form, then element and mixture subheadings."""

import pytest

from reetrace.domain import hscodes

DY_NDFEB = {"Nd": 0.28, "Pr": 0.01, "Dy": 0.01}
DY_OXIDE = {"Dy": 0.8713}
ND_METAL = {"Nd": 0.995}
PRND_OXIDE = {"Pr": 0.21, "Nd": 0.64}
LIGHT_MIX = {"La": 0.3, "Ce": 0.4, "Nd": 0.1}


@pytest.mark.parametrize(
    ("form", "composition", "declared", "level"),
    [
        ("magnet", DY_NDFEB, "8505111000", None),
        ("magnet", DY_NDFEB, "8505119000", "subheading"),  # the known misdeclaration: "other permanent magnets"
        ("magnet", {"Sm": 0.25}, "8505111000", None),  # SmCo is a rare earth magnet too
        ("magnet", DY_NDFEB, "2805301200", "heading"),  # a magnet under a metal heading
        ("oxide", DY_OXIDE, "2846901500", None),
        ("oxide", DY_OXIDE, "2805301200", "heading"),  # an oxide under a metal heading
        ("oxide", DY_OXIDE, "2846901300", "subheading"),  # Dy oxide declared as Nd oxide
        ("oxide", {"Ce": 0.81}, "2846101000", None),  # cerium oxide is 2846.10
        ("oxide", PRND_OXIDE, "2846901999", None),  # a light mixture
        ("oxide", PRND_OXIDE, "2846901993", "subheading"),
        ("oxide", {"Nd": 0.5, "Dy": 0.3}, "2846901993", None),  # a mixture with Dy: the Announcement 18 code
        ("oxide", {"Nd": 0.5, "Dy": 0.3}, "2846901999", "subheading"),
        ("metal", ND_METAL, "2805301100", None),
        ("metal", {"Dy": 0.999}, "2805301200", None),
        ("metal", {"Gd": 0.999}, "2805301910", None),
        ("metal", {"Ho": 0.999}, "2805301990", None),
        ("metal", ND_METAL, "2805301200", "subheading"),  # Nd metal declared as Dy metal
        ("metal", ND_METAL, "2846901300", "heading"),  # a metal under an oxide heading
        ("metal", {"Pr": 0.25, "Nd": 0.75}, "2805302900", None),  # interalloyed metals
        ("metal", {"Pr": 0.25, "Nd": 0.75}, "2805301100", "subheading"),
        ("compound", LIGHT_MIX, "2846904800", None),
        ("compound", LIGHT_MIX, "2846901999", "subheading"),  # a compound declared as an oxide
        ("compound", {"Ce": 0.6}, "2846103000", None),
        ("concentrate", LIGHT_MIX, "2530902000", None),
        ("concentrate", LIGHT_MIX, "8505111000", "heading"),
    ],
)
def test_declared_codes_against_the_lot(form, composition, declared, level):
    found = hscodes.judge(declared, form, composition)
    assert (found.level if found else None) == level
    if found:
        assert not hscodes.fits(declared, found.expected.codes)


def test_the_expectation_names_the_element_and_the_codes():
    e = hscodes.expected_codes("oxide", DY_OXIDE)
    assert (e.codes, e.family, e.dominant) == (("2846901500",), ("2846",), "Dy")
    assert "Dy oxide" in e.reason
    assert hscodes.expected_codes("magnet", DY_NDFEB).codes == ("8505111000",)


@pytest.mark.parametrize("form, composition", [("scrap", DY_NDFEB), ("magnet", None), ("widget", DY_NDFEB)])
def test_no_rule_no_contradiction(form, composition):
    assert hscodes.expected_codes(form, composition) is None
    assert hscodes.judge("0000000000", form, composition) is None


def test_a_lot_is_of_one_element_from_ninety_percent_of_its_rare_earths():
    assert hscodes.expected_codes("oxide", {"Dy": 0.78, "Tb": 0.08}).dominant == "Dy"
    assert hscodes.expected_codes("oxide", {"Dy": 0.78, "Tb": 0.08}).codes == ("2846901500",)  # 90.7 %
    assert hscodes.expected_codes("oxide", {"Dy": 0.70, "Tb": 0.10}).codes == ("2846901993",)  # 87.5 %


@pytest.mark.parametrize(
    ("declared", "recorded", "agrees"),
    [
        ("2846901999", "2846901900", True),  # the recorded code is the padded eight-digit line
        ("8505111000", "8505111000", True),
        ("8505119000", "8505111000", False),
        ("8505111000", "8505", True),
        ("2846901500", "2846901993", False),
    ],
)
def test_a_declared_code_against_the_code_a_lot_was_recorded_under(declared, recorded, agrees):
    assert hscodes.agrees(declared, recorded) is agrees
