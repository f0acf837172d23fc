"""COMPOSITION_IMPLAUSIBLE: an extracted lot whose composition does not fit its deposit.

The compositions are written as shares of REO (what the rule compares) and turned into elemental
fractions with the REO factors, so each case's distance or heavy share is worked by hand: moving
a share s from one element to another moves the L1 distance by 2s."""

from __future__ import annotations

from dataclasses import replace

from builders import MINE, SEP, at, extract, new, of, one, registry, run

from reetrace.domain.elements import REO_FACTOR
from reetrace.domain.findings import Thresholds
from reetrace.domain.registry import Registry, Site

# Typical REO distributions (docs/evasion.md)
BAYAN_OBO = {"La": 0.26, "Ce": 0.50, "Pr": 0.05, "Nd": 0.16, "Sm": 0.012, "Eu": 0.002, "Gd": 0.006, "Y": 0.004,
             "Dy": 0.002, "Tb": 0.001, "Ho": 0.001, "Er": 0.001, "Yb": 0.001}  # fmt: skip
LONGNAN = {"Y": 0.629, "Dy": 0.07, "Gd": 0.07, "Er": 0.045, "Yb": 0.04, "Ho": 0.015, "Tb": 0.012, "Tm": 0.008,
           "Lu": 0.005, "Nd": 0.035, "Sm": 0.03, "La": 0.02, "Pr": 0.007, "Ce": 0.013, "Eu": 0.001}  # fmt: skip
XUNWU = {"La": 0.36, "Nd": 0.28, "Pr": 0.07, "Ce": 0.03, "Sm": 0.05, "Eu": 0.005, "Gd": 0.05, "Tb": 0.007,
         "Dy": 0.025, "Ho": 0.005, "Er": 0.012, "Tm": 0.002, "Yb": 0.008, "Lu": 0.001, "Y": 0.095}  # fmt: skip


def ore(shares: dict[str, float], reo: float = 0.05) -> dict[str, float]:
    """The elemental fractions of an ore holding `reo` kg REO per kg with these REO shares."""
    return {e: s * REO_FACTOR[e] * reo for e, s in shares.items()}


def moved(shares: dict[str, float], source: str, to: str, share: float) -> dict[str, float]:
    out = dict(shares)
    out[source] -= share
    out[to] = out.get(to, 0.0) + share
    return out


def with_site(deposit: str | None = None, profile: dict[str, float] | None = None, uscc: str = MINE) -> Registry:
    reg = registry()
    reg.sites[(uscc, "M1")] = Site(uscc, "M1", "mine", "Mine 1", None, deposit, profile, None)
    return reg


def mined(shares: dict[str, float], deposit: str = "rock", site: str | None = f"{MINE}/M1", lot: str = "C1"):
    return replace(extract(MINE, "e1", at(0), new(lot, 1000.0, ore(shares), "ore"), deposit=deposit), site=site)


def composition(findings):
    return of(findings, "COMPOSITION_IMPLAUSIBLE")


def test_a_rock_mine_of_bayan_obo_composition_fits():
    assert composition(run([mined(BAYAN_OBO, site=None)])) == []
    assert composition(run([mined(BAYAN_OBO)], with_site("rock"))) == []


def test_heavy_clay_sold_as_rock_is_implausible():
    found = one(run([mined(LONGNAN, site=None)]), "COMPOSITION_IMPLAUSIBLE")
    heavy = 0.629 + 0.07 + 0.07 + 0.045 + 0.04 + 0.015 + 0.012 + 0.008 + 0.005
    assert found.lot == "C1" and found.event == f"{MINE}:e1" and found.message == "COMPOSITION_IMPLAUSIBLE.rock"
    assert found.evidence["category"] == "rock" and found.evidence["site"] is None
    assert abs(found.evidence["heavy_share"] - heavy) < 1e-6
    assert found.severity == "high"


def test_the_rock_limit_is_ten_percent_of_reo():
    assert composition(run([mined(moved(BAYAN_OBO, "Ce", "Y", 0.08), site=None)])) == []  # heavy 9.6 %
    found = composition(run([mined(moved(BAYAN_OBO, "Ce", "Y", 0.09), site=None)]))  # heavy 10.6 %
    assert [f.evidence["heavy_share"] for f in found] == [0.106]


def test_light_ore_declared_from_an_ion_adsorption_deposit_is_implausible():
    found = one(run([mined(BAYAN_OBO, deposit="ion_adsorption", site=None)]), "COMPOSITION_IMPLAUSIBLE")
    assert found.message == "COMPOSITION_IMPLAUSIBLE.ion_adsorption"
    assert found.evidence["heavy_share_min"] == 0.2
    # a medium clay (heavy share 20.5 %) fits the category
    assert composition(run([mined(XUNWU, deposit="ion_adsorption", site=None)])) == []


def test_a_light_type_clay_mine_with_its_light_profile_registered_fits():
    """A light clay holding under 20 % heavy: without a profile it fails the category rule,
    with its profile registered it fits (the profile wins over the category)."""
    light = moved(XUNWU, "Y", "La", 0.07)  # heavy share 13.5 %
    assert composition(run([mined(light, "ion_adsorption")], with_site("ion_adsorption"))) != []
    assert composition(run([mined(light, "ion_adsorption")], with_site("ion_adsorption", light))) == []


def test_the_profile_distance_limit_is_030():
    reg = with_site("ion_adsorption", XUNWU)
    assert composition(run([mined(moved(XUNWU, "La", "Y", 0.14), "ion_adsorption")], reg)) == []  # L1 0.28
    found = one(run([mined(moved(XUNWU, "La", "Y", 0.16), "ion_adsorption")], reg), "COMPOSITION_IMPLAUSIBLE")
    assert found.message == "COMPOSITION_IMPLAUSIBLE.profile"
    assert abs(found.evidence["distance"] - 0.32) < 1e-6 and found.evidence["distance_max"] == 0.30
    assert found.evidence["site"] == f"{MINE}/M1"
    # the threshold is configuration
    looser = Thresholds(composition_l1_max=0.35)
    assert composition(run([mined(moved(XUNWU, "La", "Y", 0.16), "ion_adsorption")], reg, thresholds=looser)) == []


def test_illegal_heavy_ore_laundered_through_a_light_clay_mine_is_caught_by_its_profile():
    found = one(run([mined(LONGNAN, "ion_adsorption")], with_site("ion_adsorption", XUNWU)), "COMPOSITION_IMPLAUSIBLE")
    assert found.evidence["distance"] > 1.0


def test_a_profile_is_normalised_before_the_distance():
    """A profile summing to 1.01 (within what the registry accepts) is scaled to 1: the lot of
    exactly that distribution fits with distance 0."""
    scaled = {e: v * 1.01 for e, v in XUNWU.items()}
    reg = with_site("ion_adsorption", scaled)
    assert composition(run([mined(moved(XUNWU, "La", "Y", 0.149), "ion_adsorption")], reg)) == []  # L1 0.298


def test_a_declared_deposit_contradicting_the_site_is_itself_a_finding():
    found = one(run([mined(BAYAN_OBO, "ion_adsorption")], with_site("rock")), "COMPOSITION_IMPLAUSIBLE")
    assert found.message == "COMPOSITION_IMPLAUSIBLE.deposit"
    assert (found.evidence["declared_deposit"], found.evidence["registered_deposit"]) == ("ion_adsorption", "rock")
    # the registered category is the one judged: heavy clay declared ion-adsorption at a rock mine
    both = one(run([mined(LONGNAN, "ion_adsorption")], with_site("rock")), "COMPOSITION_IMPLAUSIBLE")
    assert both.message == "COMPOSITION_IMPLAUSIBLE.rock" and both.params["declared_deposit"] == "ion_adsorption"
    # the near miss: declared as registered
    assert composition(run([mined(BAYAN_OBO, "rock")], with_site("rock"))) == []


def test_one_finding_per_output_lot():
    event = replace(
        extract(MINE, "e1", at(0), new("A", 500.0, ore(LONGNAN), "ore"), new("B", 500.0, ore(LONGNAN), "ore")),
        site=None,
    )
    assert sorted(f.lot for f in composition(run([event]))) == ["A", "B"]


def test_a_site_of_another_enterprise_is_not_the_extraction_s_site():
    """The profile of SEP's site does not judge MINE's extraction naming it: MINE declared rock."""
    reg = with_site("ion_adsorption", LONGNAN, uscc=SEP)
    found = composition(run([mined(BAYAN_OBO, "rock", site=f"{SEP}/M1")], reg))
    assert found == []


def raise_both():
    """Findings of every message of the rule (tests/unit/web/test_finding_words.py says them)."""
    reg = with_site("ion_adsorption", XUNWU)
    reg.sites[(SEP, "M2")] = Site(SEP, "M2", "mine", "Mine 2", None, "rock", None, None)
    events = [
        mined(LONGNAN, "rock", site=None, lot="R1"),
        mined(BAYAN_OBO, "ion_adsorption", site=None, lot="I1"),
        mined(LONGNAN, "ion_adsorption", lot="P1"),
        replace(
            extract(SEP, "e2", at(1), new("D1", 1000.0, ore(BAYAN_OBO), "ore"), deposit="ion_adsorption"),
            site=f"{SEP}/M2",
        ),  # fmt: skip
        replace(
            extract(SEP, "e3", at(2), new("D2", 1000.0, ore(LONGNAN), "ore"), deposit="ion_adsorption"),
            site=f"{SEP}/M2",
        ),  # fmt: skip
    ]
    events = [replace(e, event_id=f"{e.event_id}-{n}") for n, e in enumerate(events)]
    return composition(run(events, reg))


def test_the_scenario_says_every_message():
    assert {f.message for f in raise_both()} == {
        f"COMPOSITION_IMPLAUSIBLE.{m}" for m in ("rock", "ion_adsorption", "profile", "deposit")
    }
