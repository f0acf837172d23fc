"""MINING_QUOTA_EXCEEDED and SEPARATION_QUOTA_EXCEEDED: yearly REO totals against quotas."""

from datetime import UTC, datetime

import pytest
from builders import MINE, SEP, at, codes, extract, new, of, one, registry, run, transform

from reetrace.domain.elements import REO_FACTOR
from reetrace.domain.registry import Quota

# One kilogram of this lot is exactly one kilogram REO: the figures below are REO kilograms.
UNIT_REO = {"La": REO_FACTOR["La"]}


def _quotas(*quotas: Quota):
    return registry(quotas=list(quotas))


def test_reo_beyond_the_mining_quota_is_one_finding_at_the_event_that_went_over():
    reg = _quotas(Quota(2026, MINE, "mining", "rock", 1.0))  # 1 t = 1000 kg REO
    events = [
        extract(MINE, "e1", at(0), new("O-1", 600.0, UNIT_REO, "ore")),
        extract(MINE, "e2", at(1), new("O-2", 500.0, UNIT_REO, "ore")),  # 1100: over here
        extract(MINE, "e3", at(2), new("O-3", 300.0, UNIT_REO, "ore")),  # still over: no new finding
    ]
    f = one(run(events, reg), "MINING_QUOTA_EXCEEDED")
    assert (f.severity, f.enterprise, f.event, f.year, f.lot) == ("high", MINE, f"{MINE}:e2", 2026, None)
    assert f.evidence == {"category": "rock", "quota_kg": 1000.0, "used_kg": 1400.0, "excess_kg": 400.0}


def test_mining_exactly_at_the_quota_passes():
    reg = _quotas(Quota(2026, MINE, "mining", "rock", 1.0))
    events = [
        extract(MINE, "e1", at(0), new("O-1", 400.0, UNIT_REO, "ore")),
        extract(MINE, "e2", at(1), new("O-2", 600.0, UNIT_REO, "ore")),
    ]
    assert of(run(events, reg), "MINING_QUOTA_EXCEEDED") == []


def test_reo_equivalent_not_element_mass_is_counted():
    # 1000 kg of Nd metal content is 1000 / 0.8574 ≈ 1166 kg REO: over a 1.1 t quota.
    reg = _quotas(Quota(2026, MINE, "mining", "rock", 1.1))
    findings = run([extract(MINE, "e1", at(0), new("O-1", 2000.0, {"Nd": 0.5}, "ore"))], reg)
    f = one(findings, "MINING_QUOTA_EXCEEDED")
    assert f.evidence["used_kg"] == pytest.approx(1000.0 / REO_FACTOR["Nd"], abs=1e-3)


def test_categories_are_separate_and_a_missing_quota_is_zero():
    reg = _quotas(Quota(2026, MINE, "mining", "rock", 1.0))
    events = [
        extract(MINE, "e1", at(0), new("O-1", 900.0, UNIT_REO, "ore")),
        extract(MINE, "e2", at(1), new("O-2", 10.0, UNIT_REO, "ore"), deposit="ion_adsorption"),
    ]
    f = one(run(events, reg), "MINING_QUOTA_EXCEEDED")
    assert f.event == f"{MINE}:e2"
    assert f.evidence == {"category": "ion_adsorption", "quota_kg": 0.0, "used_kg": 10.0, "excess_kg": 10.0}


def test_years_are_counted_in_china_time():
    reg = _quotas(Quota(2026, MINE, "mining", "rock", 1.0), Quota(2027, MINE, "mining", "rock", 1.0))
    new_year_in_beijing = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 2027-01-01 01:00 +08
    events = [
        extract(MINE, "e1", at(0), new("O-1", 800.0, UNIT_REO, "ore")),
        extract(MINE, "e2", new_year_in_beijing, new("O-2", 800.0, UNIT_REO, "ore")),
    ]
    assert of(run(events, reg, as_of=datetime(2027, 1, 5).date()), "MINING_QUOTA_EXCEEDED") == []


def test_separation_outputs_count_toward_the_separation_quota():
    reg = _quotas(Quota(2026, MINE, "mining", "rock", 100.0), Quota(2026, SEP, "separation", "all", 0.5))
    events = [
        extract(MINE, "e1", at(0), new("C-1", 2000.0, UNIT_REO)),
        transform(SEP, "t1", at(1), "separation", [("C-1", 1000.0)], new("OX-1", 480.0, UNIT_REO, "oxide")),
        transform(SEP, "t2", at(2), "separation", [("C-1", 1000.0)], new("OX-2", 480.0, UNIT_REO, "oxide")),
        # a metal transform of the separated oxide does not count
        transform(SEP, "t3", at(3), "metal", [("OX-1", 480.0)], new("M-1", 470.0, UNIT_REO, "metal")),
    ]
    findings = run(events, reg)
    f = one(findings, "SEPARATION_QUOTA_EXCEEDED")
    assert (f.event, f.enterprise) == (f"{SEP}:t2", SEP)
    assert f.evidence == {"category": "all", "quota_kg": 500.0, "used_kg": 960.0, "excess_kg": 460.0}
    assert "MINING_QUOTA_EXCEEDED" not in codes(findings)


def test_separation_within_quota_passes():
    reg = _quotas(Quota(2026, MINE, "mining", "rock", 100.0), Quota(2026, SEP, "separation", "all", 0.96))
    events = [
        extract(MINE, "e1", at(0), new("C-1", 2000.0, UNIT_REO)),
        transform(SEP, "t1", at(1), "separation", [("C-1", 1000.0)], new("OX-1", 480.0, UNIT_REO, "oxide")),
        transform(SEP, "t2", at(2), "separation", [("C-1", 1000.0)], new("OX-2", 480.0, UNIT_REO, "oxide")),
    ]
    assert of(run(events, reg), "SEPARATION_QUOTA_EXCEEDED") == []


def test_a_year_without_registered_quotas_is_not_judged():
    reg = _quotas(Quota(2025, MINE, "mining", "rock", 1.0))  # only last year's allocation is loaded
    events = [extract(MINE, "e1", at(0), new("O-1", 5000.0, UNIT_REO, "ore"))]
    assert of(run(events, reg), "MINING_QUOTA_EXCEEDED") == []
    assert of(run(events, reg), "SEPARATION_QUOTA_EXCEEDED") == []
