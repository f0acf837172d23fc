"""A registry site's deposit, profile and capacity (docs/contract.md §3, §12): what is accepted,
and for each rule a document that breaks it beside its near miss."""

from __future__ import annotations

import math

import pytest

from factory import party
from reetrace.contract.registry import validate_registry
from reetrace.errors import InvalidInput

MINE = {"code": "M1", "kind": "mine", "name": "Mine 1"}
PROFILE = {"La": 0.26, "Ce": 0.5, "Pr": 0.05, "Nd": 0.16, "Sm": 0.014, "Y": 0.016}


def doc(**site) -> dict:
    entry = party(1, "mining").registry_entry()
    entry["sites"] = [site]
    return {"format": "reetrace/registry@1", "enterprises": [entry]}


def test_a_mine_with_deposit_profile_and_capacity():
    valid = validate_registry(doc(**MINE, deposit="rock", profile=PROFILE, capacity_t_reo=5000))
    site = valid.enterprises[0].sites[0]
    assert (site.deposit, site.profile, site.capacity_t_reo) == ("rock", PROFILE, 5000)
    # every member is optional
    assert validate_registry(doc(**MINE)).enterprises[0].sites[0].profile is None


@pytest.mark.parametrize(
    ("bad", "good", "said"),
    [
        ({"kind": "plant", "deposit": "rock"}, {"kind": "plant"}, "only a mine site has a deposit"),
        ({"deposit": "placer"}, {"deposit": "ion_adsorption"}, "deposit"),
        ({"profile": {**PROFILE, "Ce": 0.52}}, {"profile": {**PROFILE, "Ce": 0.505}}, "add up to"),
        ({"profile": {**PROFILE, "Ce": 0.48}}, {"profile": {**PROFILE, "Ce": 0.495}}, "add up to"),
        ({"profile": {"Fe": 0.1, "Ce": 0.9}}, {"profile": {"Y": 0.1, "Ce": 0.9}}, "Fe"),
        ({"profile": {"Ce": 1.2, "La": -0.2}}, {"profile": {"Ce": 1.0, "La": 0.0}}, "profile"),
        ({"profile": {}}, {"profile": {"Ce": 1.0}}, "profile"),
        ({"capacity_t_reo": 0}, {"capacity_t_reo": 0.001}, "capacity_t_reo"),
        ({"capacity_t_reo": 1e6 + 1}, {"capacity_t_reo": 1e6}, "capacity_t_reo"),
        ({"capacity_t_reo": math.inf}, {"capacity_t_reo": 1e3}, "capacity_t_reo"),
        ({"capacity_t_reo": "5000"}, {"capacity_t_reo": 5000}, "capacity_t_reo"),
    ],
)
def test_each_rule_refuses_and_its_near_miss_passes(bad, good, said):
    with pytest.raises(InvalidInput, match=said):
        validate_registry(doc(**{**MINE, **bad}))
    validate_registry(doc(**{**MINE, **good}))
