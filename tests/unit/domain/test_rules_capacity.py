"""CAPACITY_EXCEEDED: a site's output in a calendar year (China time) beyond its registered
capacity. Outputs are pure Nd2O3 (1 kg of oxide = 1 kg REO), so each running total is worked by
hand in tonnes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from builders import MINE, SEP, at, extract, new, of, one, registry, run, transform

from reetrace.domain.elements import REO_FACTOR
from reetrace.domain.registry import Registry, Site

OXIDE = {"Nd": REO_FACTOR["Nd"]}  # Nd2O3: 1 kg of this lot is 1 kg REO


def plant(capacity_t: float | None = 10.0, *more: tuple[str, float | None]) -> Registry:
    """SEP with plant P1 of this capacity (and further sites: code, capacity)."""
    reg = registry()
    for code, capacity in (("P1", capacity_t), *more):
        reg.sites[(SEP, code)] = Site(SEP, code, "plant", f"Plant {code}", None, None, None, capacity)
    return reg


def separated(eid: str, tonnes: float, day: int = 0, site: str | None = f"{SEP}/P1", process: str = "separation"):
    event = transform(SEP, eid, at(day), process, [], new(f"OX-{eid}", tonnes * 1000.0, OXIDE, "oxide"))
    return replace(event, site=site)


def capacity(findings):
    return of(findings, "CAPACITY_EXCEEDED")


def test_a_plant_at_99_percent_of_its_capacity_is_within_it():
    assert capacity(run([separated("t1", 6.0), separated("t2", 3.9, 1)], plant(10.0))) == []


def test_101_percent_is_found_at_the_event_that_went_over():
    events = [separated("t1", 6.0), separated("t2", 3.9, 1), separated("t3", 0.2, 2), separated("t4", 1.0, 3)]
    found = one(run(events, plant(10.0)), "CAPACITY_EXCEEDED")
    assert found.event == f"{SEP}:t3" and found.enterprise == SEP and found.year == 2026
    assert found.evidence == {
        "site": f"{SEP}/P1",
        "year": 2026,
        "output_t_reo": 11.1,  # the year's whole output, t4 included
        "capacity_t_reo": 10.0,
        "excess_t_reo": 1.1,
    }


def test_extractions_and_every_transform_but_repack_count():
    reg = plant(10.0)
    events = [
        replace(extract(SEP, "e1", at(0), new("C1", 4000.0, OXIDE)), site=f"{SEP}/P1"),
        separated("t1", 4.0, 1, process="metal"),
        separated("t2", 5.0, 2, process="repack"),  # makes nothing
    ]
    assert capacity(run(events, reg)) == []
    found = one(run([*events, separated("t3", 2.5, 3, process="recycling")], reg), "CAPACITY_EXCEEDED")
    assert found.event == f"{SEP}:t3" and found.evidence["output_t_reo"] == 10.5


def test_each_calendar_year_in_china_time_is_judged_apart():
    cst = timezone(timedelta(hours=8))
    new_year = datetime(2027, 1, 1, 4, 0, tzinfo=cst)  # 2026-12-31T20:00Z: already 2027 in China
    late = replace(separated("t2", 6.0), time=new_year.astimezone(UTC))
    assert capacity(run([separated("t1", 6.0), late], plant(10.0), as_of=new_year.date())) == []
    early = replace(late, time=new_year - timedelta(hours=5))
    assert len(capacity(run([separated("t1", 6.0), early], plant(10.0), as_of=new_year.date()))) == 1


def test_an_event_without_a_site_counts_for_the_only_site_with_a_capacity():
    events = [separated("t1", 6.0), separated("t2", 5.0, 1, site=None)]
    reg = plant(10.0, ("W1", None))  # a warehouse without a capacity does not make it two
    assert one(run(events, reg), "CAPACITY_EXCEEDED").event == f"{SEP}:t2"


def test_an_event_without_a_site_is_not_judged_when_several_sites_have_a_capacity():
    events = [separated("t1", 6.0), separated("t2", 5.0, 1, site=None)]
    assert capacity(run(events, plant(10.0, ("P2", 50.0)))) == []
    # what names its site still counts there
    assert len(capacity(run([*events, separated("t3", 5.0, 2)], plant(10.0, ("P2", 50.0))))) == 1


def test_a_site_without_capacity_or_of_another_enterprise_is_not_judged_at_it():
    assert capacity(run([separated("t1", 11.0)], plant(None))) == []
    # an event naming another enterprise's site counts as naming none of its own: its only capacity site
    reg = plant(10.0)
    reg.sites[(MINE, "P1")] = Site(MINE, "P1", "plant", "Other", None, None, None, 1.0)
    found = one(run([separated("t1", 11.0, site=f"{MINE}/P1")], reg), "CAPACITY_EXCEEDED")
    assert found.evidence["site"] == f"{SEP}/P1"


def test_one_finding_per_site_and_year():
    events = [separated("t1", 11.0), separated("t2", 11.0, 1), separated("t3", 3.0, 2, site=f"{SEP}/P2")]
    found = capacity(run(events, plant(10.0, ("P2", 2.0))))
    assert sorted((f.evidence["site"], f.event) for f in found) == [
        (f"{SEP}/P1", f"{SEP}:t1"),
        (f"{SEP}/P2", f"{SEP}:t3"),
    ]


def raise_it():
    """A capacity finding (tests/unit/web/test_finding_words.py says it)."""
    return capacity(run([separated("t1", 6.0), separated("t2", 5.0, 1)], plant(10.0)))
