"""The dashboard's aggregations on plain data: the reporting-compliance grid (on time, late,
missing, not due, not yet due) and the national flow (every stage balances)."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from reetrace.domain.compliance import LATE, MISSING, ON_TIME, PENDING, QUIET, MonthReport, reporting_grid
from reetrace.domain.events import Consume, Draw, Export, Extract, NewLot, Transform
from reetrace.domain.findings import Finding
from reetrace.domain.flows import SINKS, SOURCES, national_flow
from reetrace.domain.registry import Qualification
from reetrace.services.dashboard import finding_month

CST = timezone(timedelta(hours=8))
MINE, PLANT, TRADER = "91110000MA0000001X", "91110000MA0000002X", "91110000MA0000003X"


def at(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=CST)


def test_the_grid_marks_each_month_on_time_late_missing_not_due_or_pending():
    qualifications = {
        MINE: [Qualification(MINE, "mining", date(2025, 1, 1), date(2025, 12, 31))],
        PLANT: [Qualification(PLANT, "separation", date(2025, 3, 15), date(2025, 12, 31))],
    }
    reports = [
        MonthReport(MINE, at(2025, 1, 20), at(2025, 2, 10, 23)),  # the last hour of the deadline day: on time
        MonthReport(MINE, at(2025, 2, 3), at(2025, 3, 5)),
        MonthReport(MINE, at(2025, 2, 27), at(2025, 3, 11, 0)),  # one event of February came late
        MonthReport(TRADER, at(2025, 4, 1), at(2025, 4, 30)),  # no qualification, reported anyway
        MonthReport(MINE, at(2024, 12, 31), at(2025, 1, 5)),  # another year
    ]
    grid = reporting_grid(reports, qualifications, 2025, at(2025, 6, 20), deadline_day=10)
    assert set(grid.rows) == {MINE, PLANT, TRADER}
    mine, plant, trader = grid.rows[MINE], grid.rows[PLANT], grid.rows[TRADER]
    assert mine[:6] == (ON_TIME, LATE, MISSING, MISSING, MISSING, PENDING)  # May is due by 10 June; June not yet
    assert mine[6:] == (PENDING,) * 6
    assert plant[:5] == (QUIET, QUIET, MISSING, MISSING, MISSING)  # qualified from 15 March
    assert trader[:5] == (QUIET, QUIET, QUIET, ON_TIME, QUIET)
    assert grid.count(LATE) == 1


def test_the_deadline_and_the_months_are_judged_in_china_standard_time():
    # 31 January 20:00 UTC is 1 February in Beijing: the event belongs to February
    reports = [MonthReport(MINE, datetime(2025, 1, 31, 20, tzinfo=UTC), datetime(2025, 3, 10, 15, 59, tzinfo=UTC))]
    grid = reporting_grid(reports, {}, 2025, at(2025, 12, 31))
    assert grid.rows[MINE][:2] == (QUIET, ON_TIME)
    late = [MonthReport(MINE, at(2025, 5, 5), datetime(2025, 6, 10, 16, 0, tzinfo=UTC))]  # 11 June 00:00 CST
    assert reporting_grid(late, {}, 2025, at(2025, 12, 31)).rows[MINE][4] == LATE


def _lot(lot, form, kg, composition):
    return NewLot(lot, form, kg, composition)


def _chain():
    ore = {"Ce": 0.03, "La": 0.015, "Nd": 0.01}
    oxide = {"Nd": 0.85}
    metal = {"Nd": 0.99}
    magnet = {"Nd": 0.30}
    return [
        Extract(MINE, "e1", at(2025, 1, 5), deposit="rock", outputs=(_lot("ORE-1", "ore", 100_000, ore),)),
        Transform(
            MINE,
            "e2",
            at(2025, 1, 9),
            process="beneficiation",
            inputs=(Draw("ORE-1", 100_000),),
            outputs=(_lot("CON-1", "concentrate", 8_000, {"Ce": 0.3, "La": 0.15, "Nd": 0.1}),),
        ),
        Transform(
            PLANT,
            "s1",
            at(2025, 2, 1),
            process="separation",
            inputs=(Draw("CON-1", 8_000),),
            outputs=(_lot("NDO-1", "oxide", 900, oxide),),
        ),
        Transform(
            PLANT,
            "m1",
            at(2025, 3, 1),
            process="metal",
            inputs=(Draw("NDO-1", 600), Draw("OLD-1", 50)),
            outputs=(_lot("NDM-1", "metal", 430, metal),),
        ),
        Transform(
            PLANT,
            "g1",
            at(2025, 4, 1),
            process="magnet",
            inputs=(Draw("NDM-1", 300),),
            outputs=(_lot("MAG-1", "magnet", 1000, magnet),),
        ),
        Export(
            PLANT,
            "x1",
            at(2025, 5, 1),
            lots=("MAG-1",),
            consignee="X GmbH",
            destination="DE",
            customs_declaration="CD1",
        ),
        Consume(PLANT, "c1", at(2025, 5, 2), lots=(Draw("NDO-1", 100),), purpose="polishing"),
        Extract(MINE, "e9", at(2026, 1, 5), deposit="rock", outputs=(_lot("ORE-9", "ore", 5_000, ore),)),
    ]


def test_the_national_flow_follows_the_stages_and_every_stage_balances():
    flow = national_flow(_chain(), 2025)
    links = flow.links
    assert ("mine", "separation") in links and ("separation", "metal_alloy") in links
    assert ("metal_alloy", "magnet") in links and ("magnet", "export") in links
    assert ("separation", "domestic_use") in links
    assert ("mine", "mine") not in links  # beneficiation stays at the mine
    assert flow.produced["mine"] == pytest.approx(100_000 * (0.03 / 0.8141 + 0.015 / 0.8527 + 0.01 / 0.8573), rel=1e-2)
    assert links[("magnet", "export")] == pytest.approx(1000 * 0.30 / 0.8573, rel=1e-3)
    for node in flow.nodes():
        if node in SINKS or node == "earlier":
            continue
        received = flow.into(node) + flow.produced.get(node, 0.0)
        assert received == pytest.approx(flow.out_of(node)), node
    total_in = sum(flow.produced.values()) + flow.out_of("earlier")
    total_out = sum(flow.into(sink) for sink in SINKS)
    assert total_in == pytest.approx(total_out)
    assert all(v > 0 for v in links.values())
    assert set(flow.nodes()) <= set(SOURCES) | set(SINKS) | {"separation", "metal_alloy", "magnet"}


def test_next_years_events_do_not_count():
    assert national_flow(_chain(), 2026).produced["mine"] < national_flow(_chain(), 2025).produced["mine"]


def test_a_finding_belongs_to_its_events_month_else_the_month_it_names_else_december():
    months = {f"{MINE}:e2": "2025-03"}
    base = dict(severity="high", enterprise=MINE, lot=None, year=2025, detail="")
    assert finding_month(Finding("LOW_YIELD", event=f"{MINE}:e2", **base), months) == "2025-03"
    assert finding_month(Finding("LATE_REPORT", event=None, evidence={"month": "2025-08"}, **base), months) == "2025-08"
    assert finding_month(Finding("MINING_QUOTA_EXCEEDED", event=None, **base), months) == "2025-12"
