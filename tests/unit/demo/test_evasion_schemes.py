"""The evasion schemes of CONTRACT §12 in a small fraction of a national year and in the demo:
each injected scheme holds the property its rule tests, close to the threshold; the near misses
of clean operation hold theirs on the right side of it; and injected.json names the events and
lots the rules will report. Everything is recomputed from the written documents (JSON) by
`evasion_facts`, not taken from the generator; loading them needs the rules' registry members.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from evasion_facts import HEAVY, Ledger, l1, shares_of_reo
from reetrace.demo import generate
from reetrace.simulate import simulate
from reetrace.simulate.injections import EVASION as SCHEMES
from reetrace.simulate.injections import RATES


def _national(out: Path) -> tuple[Ledger, list[dict]]:
    events = [
        (doc["reporter"], e)
        for path in sorted((out / "submissions").rglob("*.json"))
        for doc in [json.loads(path.read_text(encoding="utf-8"))]
        for e in doc["events"]
    ]
    registry = json.loads((out / "registry.json").read_text(encoding="utf-8"))
    return Ledger(registry, events), json.loads((out / "injected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=["national", "demo"])
def year(request, tmp_path_factory) -> tuple[Ledger, list[dict]]:
    if request.param == "national":
        out = tmp_path_factory.mktemp("evasion")
        simulate(out, seed=5, scale=0.002, year=2025)
        return _national(out)
    demo = generate(seed=3, scale=0.3, year=2025)
    events = [(doc["reporter"], e) for doc in demo.submissions for e in doc["events"]]
    return Ledger(demo.registry, events), demo.injected


def _injected(injected: list[dict], code: str) -> list[dict]:
    items = [i for i in injected if i["code"] == code]
    assert items, code
    return items


def test_every_scheme_is_injected_and_named_as_its_rule_reports_it(year):
    ledger, injected = year
    refs = {ledger.ref(r, e): (r, e) for r, e in ledger.events}
    for code in SCHEMES:
        for item in _injected(injected, code):
            reporter, event = refs[item["event"]]  # an event that was written
            assert item["enterprise"] == reporter
            if code == "COMPOSITION_IMPLAUSIBLE":
                assert event["type"] == "extract" and item["lot"] in {o["lot"] for o in event["outputs"]}
            elif code == "LAYERED_CIRCULAR_TRADE":
                assert event["type"] == "receive" and event["lots"] == [item["lot"]]
            elif code == "RECYCLING_IMPLAUSIBLE":
                assert event["type"] == "transform" and event["process"] == "recycling" and item["lot"] is None
            elif code == "ELEMENT_DIVERTED":
                assert event["type"] == "transform" and item["lot"] is None
            else:
                assert event["type"] in ("extract", "transform") and item["lot"] is None


def test_element_diverted_runs_keep_80_to_88_percent_and_ordinary_losses_stay_above_90(year):
    ledger, injected = year
    diverted = {i["event"] for i in _injected(injected, "ELEMENT_DIVERTED")}
    other = {i["event"] for i in injected if i["code"] != "ELEMENT_DIVERTED"}  # e.g. a laundering run
    below, losses = set(), []
    for reporter, e in ledger.of("transform"):
        for element, ratio in ledger.element_ratios(e).items():
            ref = ledger.ref(reporter, e)
            if ratio < 0.90:
                below.add(ref)
                assert 0.79 <= ratio <= 0.885, (ref, element, ratio)
                assert ledger.reo_yield(e) > 0.95  # LOW_YIELD's floor: the diversion hides under it
            elif e["process"] == "magnet" and element in ("Dy", "Tb") and ref not in other:
                losses.append(ratio)
    assert below == diverted  # one finding per transform and element: one element each
    assert losses and min(losses) < 0.97 and max(losses) <= 1.0  # clean runs lose 2-6 %, never 10 %


def test_blended_extracts_lie_just_beyond_the_profile_and_honest_ones_well_inside(year):
    ledger, injected = year
    blended = {i["lot"]: i for i in _injected(injected, "COMPOSITION_IMPLAUSIBLE")}
    far, honest = {}, []
    light_type = False
    for _, e, out, site in ledger.extracted():
        profile = site["profile"]
        assert abs(sum(profile.values()) - 1) <= 0.01
        assert e["deposit"] == site["deposit"]
        shares = shares_of_reo(out["composition"])
        distance = l1(shares, profile)
        if distance > 0.30:
            far[out["lot"]] = (distance, site["deposit"], sum(shares.get(h, 0.0) for h in HEAVY))
        else:
            honest.append(distance)
        if site["deposit"] == "ion_adsorption" and sum(profile.get(h, 0.0) for h in HEAVY) < 0.20:
            light_type = True  # below the category floor: only the registered profile clears it
    assert set(far) == set(blended)
    for distance, deposit, heavy in far.values():
        assert 0.30 < distance <= 0.46 and deposit == "rock" and heavy > 0.10
    assert max(honest) < 0.25  # natural variation well inside the threshold
    if len(ledger.registry["enterprises"]) > 30:  # the national cast has light-type clays
        assert light_type


def test_recycling_takes_genuine_scrap_and_the_oxide_passed_off_as_scrap_is_caught(year):
    ledger, injected = year
    memo: dict = {}
    offending, genuine = {}, 0
    kinds = set()
    for reporter, e in ledger.of("transform", "recycling"):
        bad = ledger.recycling_offences(e, memo)
        if bad:
            offending[ledger.ref(reporter, e)] = bad
        else:
            genuine += 1
        for draw in e["inputs"]:
            creator = ledger.made[draw["lot"]][1]
            kinds.add((creator["type"], creator.get("process")))
    assert set(offending) == {i["event"] for i in _injected(injected, "RECYCLING_IMPLAUSIBLE")}
    for bad in offending.values():
        assert all(ledger.made[lot][2]["form"] == "oxide" for lot in bad)
    assert genuine >= 1 and ("transform", "magnet") in kinds  # makers' swarf
    assert ("import", None) in kinds  # imported end-of-life magnets


def test_capacity_is_exceeded_by_2_to_8_percent_only_where_injected_and_first_at_the_named_event(year):
    ledger, injected = year
    items = {i["enterprise"]: i for i in _injected(injected, "CAPACITY_EXCEEDED")}
    over, near = {}, 0
    producing = 0
    for site_ref, steps in ledger.running_output().items():
        capacity = ledger.sites[site_ref].get("capacity_t_reo")
        assert capacity is not None, site_ref  # every site that produced has one
        producing += 1
        total = steps[-1][0] / 1000
        if total > capacity:
            first = next(ref for running, ref in steps if running / 1000 > capacity)
            over[site_ref.split("/")[0]] = (total / capacity, first)
        elif total / capacity >= 0.90:
            near += 1
    assert set(over) == set(items)
    for uscc, (ratio, first) in over.items():
        assert 1.02 <= ratio <= 1.08 + 1e-9 and first == items[uscc]["event"]
    assert near >= 1 and producing >= 10


def test_layered_trades_pass_two_traders_and_a_repack_and_toll_processing_only_one(year):
    ledger, injected = year
    items = {(i["event"], i["lot"]) for i in _injected(injected, "LAYERED_CIRCULAR_TRADE")}
    layered, tolled = set(), 0
    for found in ledger.returns():
        if len(found["others"]) >= 2:
            layered.add((found["receipt"], found["lot"]))
            assert found["transforms"] >= 1 and found["days"] <= 180
            roles = {e["uscc"]: e for e in ledger.registry["enterprises"]}
            assert all(any(q["kind"] == "trade" for q in roles[u]["qualifications"]) for u in found["others"])
        else:
            tolled += 1
    assert layered == items
    tolls = [e for _, e in ledger.of("transform", "other") if e.get("ext", {}).get("service")]
    assert tolls and tolled >= 1  # toll processing comes back through one enterprise only


def test_the_rates_table_has_one_rate_and_a_forced_first_for_each_scheme():
    for code in SCHEMES:
        rate = RATES[code]
        assert rate.per > 1 and rate.what
    by_unit = defaultdict(list)
    for code, rate in RATES.items():
        by_unit[rate.unit].append(code)
    assert "LAYERED_CIRCULAR_TRADE" in by_unit["lots at exporters"]


def test_an_evasion_rate_injects_the_schemes_that_many_times_as_often_and_nothing_else_more(tmp_path):
    counts, rates = {}, {}
    for rate in (1.0, 25.0):
        out = tmp_path / str(rate)
        summary = simulate(out, seed=5, scale=0.01, year=2025, evasion_rate=rate).summary
        counts[rate], rates[rate] = summary["injected"], summary["rates"]
    for code in RATES:
        boosted = code in SCHEMES
        assert rates[25.0][code]["one_per"] == RATES[code].per / (25.0 if boosted else 1.0)
        assert rates[1.0][code]["one_per"] == RATES[code].per
    more = sum(counts[25.0][code] for code in SCHEMES) / sum(counts[1.0][code] for code in SCHEMES)
    assert more > 4, (counts[1.0], counts[25.0])
    others = [code for code in RATES if code not in SCHEMES]
    assert sum(counts[25.0][c] for c in others) < 2 * sum(counts[1.0][c] for c in others)


@pytest.mark.parametrize("rate", [0.0, -1.0, 101.0, float("nan")])
def test_an_evasion_rate_out_of_bounds_is_refused(tmp_path, rate):
    with pytest.raises(ValueError, match="evasion rate must be above 0 and at most 100"):
        simulate(tmp_path / "year", seed=5, scale=0.002, year=2025, evasion_rate=rate)
    assert not (tmp_path / "year").exists()
