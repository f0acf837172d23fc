"""UNAUTHORIZED_MINING and UNAUTHORIZED_SEPARATION: qualifications judged on the UTC+8 day."""

from datetime import UTC, date, datetime

from builders import (
    ION_CLAY,
    MINE,
    ND_OXIDE,
    SEP,
    at,
    codes,
    extract,
    new,
    of,
    one,
    registry,
    run,
    transform,
)

from reetrace.domain.registry import Qualification


def _registry_with(uscc: str, kind: str, valid_to: date):
    reg = registry(qualified=())
    reg.add_qualification(Qualification(uscc, kind, date(2026, 1, 1), valid_to))
    return reg


def test_extract_without_mining_qualification_is_critical():
    reg = registry(qualified=[SEP])  # the mine holds nothing
    findings = run([extract(MINE, "e1", at(4), new("ORE-1"))], reg)
    f = one(findings, "UNAUTHORIZED_MINING")
    assert (f.severity, f.enterprise, f.event, f.lot, f.year) == ("critical", MINE, f"{MINE}:e1", "ORE-1", 2026)
    assert f.evidence["qualification"] == "mining"
    assert f.evidence["day"] == "2026-03-05"


def test_qualification_ending_on_the_event_day_in_china_covers_it():
    reg = _registry_with(MINE, "mining", date(2026, 3, 31))
    # 23:30 in Beijing on the 31st is still the 31st, though it is 15:30 UTC.
    late_evening = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
    assert of(run([extract(MINE, "e1", late_evening, new("ORE-1"))], reg), "UNAUTHORIZED_MINING") == []


def test_qualification_has_lapsed_once_the_china_day_turns():
    reg = _registry_with(MINE, "mining", date(2026, 3, 31))
    # 16:30 UTC on the 31st is 00:30 on 1 April in Beijing.
    after_midnight = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)
    f = one(run([extract(MINE, "e1", after_midnight, new("ORE-1"))], reg), "UNAUTHORIZED_MINING")
    assert f.evidence["day"] == "2026-04-01"


def test_mining_qualification_of_another_kind_does_not_count():
    reg = _registry_with(MINE, "separation", date(2026, 12, 31))
    clay = new("ORE-1", composition=ION_CLAY)
    findings = run([extract(MINE, "e1", at(1), clay, deposit="ion_adsorption")], reg)
    assert "UNAUTHORIZED_MINING" in codes(findings)


def test_separation_without_qualification():
    reg = _registry_with(MINE, "mining", date(2026, 12, 31))
    events = [
        extract(MINE, "e1", at(0), new("C-1", 1000.0, {"Nd": 0.5})),
        transform(MINE, "t1", at(1), "separation", [("C-1", 1000.0)], new("OX-1", 580.0, ND_OXIDE, "oxide")),
    ]
    f = one(run(events, reg), "UNAUTHORIZED_SEPARATION")
    assert (f.severity, f.enterprise, f.event, f.lot) == ("critical", MINE, f"{MINE}:t1", "OX-1")
    assert f.evidence == {"qualification": "separation", "day": "2026-03-02", "lots": ["OX-1"]}


def test_separation_with_qualification_and_other_processes_without_it_pass():
    reg = _registry_with(SEP, "separation", date(2026, 12, 31))
    reg.add_qualification(Qualification(MINE, "mining", date(2026, 1, 1), date(2026, 12, 31)))
    events = [
        extract(MINE, "e1", at(0), new("C-1", 1000.0, {"Nd": 0.5})),
        extract(MINE, "e2", at(0), new("C-2", 1000.0, {"Nd": 0.5})),
        # the mine beneficiates (no separation qualification needed)
        transform(MINE, "t1", at(1), "beneficiation", [("C-1", 1000.0)], new("C-3", 990.0, {"Nd": 0.5})),
    ]
    findings = run(events, reg)
    assert of(findings, "UNAUTHORIZED_SEPARATION") == []
    assert of(findings, "UNAUTHORIZED_MINING") == []
