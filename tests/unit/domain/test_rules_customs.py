"""Customs reconciliation (declarations against exports) and ARRIVAL_NOT_REPORTED."""

from datetime import date, datetime, timedelta

import pytest
from builders import (
    CST,
    DY_OXIDE,
    MAGNET,
    MAGNET_NDFEB,
    ND_OXIDE,
    TRADER,
    at,
    controls,
    import_,
    license_,
    of,
    one,
    recorded,
    registry,
)

from reetrace.domain.audit import audit
from reetrace.domain.customs import ArrivalReport, CustomsRecords, Declaration, DeclarationItem, Period
from reetrace.domain.events import Export, NewLot
from reetrace.domain.findings import Thresholds
from reetrace.domain.rules.customs import CUSTOMS_CODES

LICENSE = "RE-2026-000123"
EXPORTED = at(4)  # 2026-03-05 09:00 +08:00
_CONTROLS = controls()


def _stock(lot="MAG-1", mass=300.0, composition=MAGNET_NDFEB, form="magnet", hs_code=None):
    return import_(MAGNET, f"i-{lot}", at(0), NewLot(lot, form, mass, dict(composition), hs_code))


def _export(eid="x1", lots=("MAG-1",), declaration="CD-1", time=EXPORTED, license_no=LICENSE, destination="DE"):
    return Export(
        MAGNET,
        eid,
        time,
        lots=tuple(lots),
        consignee="Example GmbH",
        destination=destination,
        customs_declaration=declaration,
        license_no=license_no,
    )


def _declaration(
    number="CD-1",
    day=date(2026, 3, 5),
    hs_code="8505111000",
    net_kg=300.0,
    lots=("MAG-1",),
    exporter=MAGNET,
    destination="DE",
    license_no=LICENSE,
    items=(),
):
    """A declaration of `items`, or of one item of `hs_code`, `net_kg` and `lots`."""
    items = tuple(items) or (DeclarationItem(hs_code, net_kg, tuple(lots)),)
    return Declaration(number, day, exporter, destination, license_no, items)


def _item(hs_code: str, net_kg: float, *lots: str) -> DeclarationItem:
    return DeclarationItem(hs_code, net_kg, lots)


def _customs(*declarations, covered=(), arrivals=()):
    return CustomsRecords.of(declarations, covered, arrivals)


def _run(events, customs=None, as_of=date(2026, 3, 31), thresholds=None, issued_here=True):
    reg = registry(licenses=[license_(issued_here=issued_here)])
    findings = audit([recorded(e) for e in events], reg, _CONTROLS, as_of, thresholds or Thresholds(), customs)
    return [f for f in findings if f.code in CUSTOMS_CODES]


def test_without_customs_records_no_declaration_is_reconciled():
    events = [_stock(), _export()]
    assert _run(events, as_of=date(2026, 12, 31), issued_here=False) == []
    assert _run(events, CustomsRecords(), as_of=date(2026, 12, 31), issued_here=False) == []
    assert {f.code for f in _run(events, as_of=date(2026, 12, 31))} == {"ARRIVAL_NOT_REPORTED"}


def test_a_declaration_that_fits_its_export():
    assert _run([_stock(), _export()], _customs(_declaration())) == []


# -- DECLARATION_WITHOUT_EXPORT / EXPORT_WITHOUT_DECLARATION ------------------------------------


def test_a_declaration_that_no_export_names_nor_exports_its_lots():
    declaration = _declaration("CD-9", lots=("MAG-7",))
    f = one(_run([_stock(), _export()], _customs(_declaration(), declaration)), "DECLARATION_WITHOUT_EXPORT")
    assert (f.severity, f.enterprise, f.event, f.year) == ("high", MAGNET, None, 2026)
    assert f.evidence == declaration.as_json() and "CD-9" in f.detail


def test_a_declaration_matched_by_its_lots_reports_the_other_number():
    findings = _run([_stock(), _export(declaration="CD-OTHER")], _customs(_declaration("CD-1")))
    assert of(findings, "DECLARATION_WITHOUT_EXPORT") == [] and of(findings, "EXPORT_WITHOUT_DECLARATION") == []
    f = one(findings, "DECLARATION_MISMATCH")
    assert f.evidence["mismatches"] == {"declaration_no": {"declared": "CD-1", "reported": "CD-OTHER"}}
    assert f.event == f"{MAGNET}:x1" and f.lot == "MAG-1"


def test_a_declaration_dated_after_the_audit_date_is_not_judged_yet():
    late = _declaration("CD-9", day=date(2026, 4, 2), lots=())
    assert _run([_stock(), _export()], _customs(_declaration(), late)) == []
    assert of(
        _run([_stock(), _export()], _customs(_declaration(), late), as_of=date(2026, 4, 2)),
        "DECLARATION_WITHOUT_EXPORT",
    )


def test_an_export_naming_a_declaration_dated_after_the_audit_date_has_one():
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    later = _declaration(day=date(2026, 3, 6))
    assert _run([_stock(), _export()], _customs(later, covered=[march]), as_of=date(2026, 3, 5)) == []


def test_an_export_without_declaration_inside_a_covered_period():
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    f = one(_run([_stock(), _export()], _customs(covered=[march])), "EXPORT_WITHOUT_DECLARATION")
    assert (f.enterprise, f.lot, f.event) == (MAGNET, "MAG-1", f"{MAGNET}:x1")
    assert f.evidence["covered"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert f.evidence["customs_declaration"] == "CD-1"


def test_an_export_outside_every_covered_period_is_not_flagged():
    april = Period(date(2026, 4, 1), date(2026, 4, 30))
    february = Period(date(2026, 2, 1), date(2026, 3, 4))  # ends the day before the export
    assert _run([_stock(), _export()], _customs(covered=[april, february])) == []


# -- quantities and fields ---------------------------------------------------------------------


@pytest.mark.parametrize(("declared", "flagged"), [(300.0, False), (301.4, False), (301.6, True), (298.0, True)])
def test_declared_net_mass_against_the_exported_lots(declared, flagged):
    findings = _run([_stock(mass=300.0), _export()], _customs(_declaration(net_kg=declared)))
    assert bool(of(findings, "DECLARED_QUANTITY_MISMATCH")) is flagged
    if flagged:
        f = one(findings, "DECLARED_QUANTITY_MISMATCH")
        assert f.evidence["declared_kg"] == declared and f.evidence["exported_kg"] == 300.0
        assert f.evidence["difference_kg"] == pytest.approx(declared - 300.0)


def test_the_quantity_tolerance_is_configuration():
    events, customs = [_stock(mass=300.0), _export()], _customs(_declaration(net_kg=301.6))
    assert _run(events, customs, thresholds=Thresholds(declaration_quantity_tolerance=0.01)) == []


def test_the_mass_compared_is_what_the_lots_held_when_exported():
    events = [_stock("MAG-1", 300.0), _stock("MAG-2", 200.0), _export(lots=("MAG-1", "MAG-2"))]
    assert _run(events, _customs(_declaration(net_kg=500.0, lots=("MAG-1", "MAG-2")))) == []


def test_exporter_destination_license_and_lots_that_differ():
    declaration = _declaration(exporter=TRADER, destination="US", license_no=None, lots=("MAG-1", "MAG-2"))
    f = one(_run([_stock(), _export()], _customs(declaration)), "DECLARATION_MISMATCH")
    assert f.evidence["mismatches"] == {
        "exporter": {"declared": TRADER, "reported": MAGNET},
        "destination": {"declared": "US", "reported": "DE"},
        "license_no": {"declared": None, "reported": LICENSE},
        "lots": {"declared": ["MAG-1", "MAG-2"], "reported": ["MAG-1"]},
    }
    assert f.enterprise == MAGNET and "destination US where the export has DE" in f.detail


# -- HS codes ----------------------------------------------------------------------------------


def test_a_dysprosium_magnet_declared_as_other_permanent_magnets():
    findings = _run([_stock(), _export()], _customs(_declaration(hs_code="8505119000")))
    f = one(findings, "HS_CODE_MISDECLARED")
    assert (f.lot, f.event, f.severity) == ("MAG-1", f"{MAGNET}:x1", "high")
    assert f.evidence["declared"] == "8505119000" and f.evidence["expected"] == ["8505111000"]
    assert f.evidence["level"] == "subheading" and f.evidence["form"] == "magnet"
    assert f.evidence["composition"] == MAGNET_NDFEB
    assert "under HS 8505119000" in f.detail and "belongs under 8505111000" in f.detail
    assert _run([_stock(), _export()], _customs(_declaration(hs_code="8505111000"))) == []


def test_an_oxide_declared_under_a_metal_heading():
    events = [_stock("DYO-1", 20.0, DY_OXIDE, "oxide"), _export(lots=("DYO-1",))]
    f = one(
        _run(events, _customs(_declaration(hs_code="2805301200", net_kg=20.0, lots=("DYO-1",)))), "HS_CODE_MISDECLARED"
    )
    assert f.evidence["level"] == "heading" and f.evidence["expected"] == ["2846901500"]
    assert f.evidence["family"] == ["2846"] and f.evidence["dominant"] == "Dy"
    assert _run(events, _customs(_declaration(hs_code="2846901500", net_kg=20.0, lots=("DYO-1",)))) == []


def test_a_declared_code_other_than_the_one_the_lot_was_made_under():
    events = [_stock("DYO-1", 20.0, DY_OXIDE, "oxide", hs_code="2846901993"), _export(lots=("DYO-1",))]
    f = one(
        _run(events, _customs(_declaration(hs_code="2846901500", net_kg=20.0, lots=("DYO-1",)))), "HS_CODE_MISDECLARED"
    )
    assert f.evidence["level"] == "lot record" and f.evidence["recorded_hs_code"] == "2846901993"
    assert "recorded it under 2846901993" in f.detail


def test_lots_of_unknown_content_are_not_judged_on_their_code_or_mass():
    events = [_export(lots=("GHOST",))]
    assert _run(events, _customs(_declaration(hs_code="2805301200", net_kg=5.0, lots=("GHOST",)))) == []


# -- declarations of several items ---------------------------------------------------------------


def _mixed(*extra):
    """An export x1 of a magnet (MAG-1, 300 kg), a Dy oxide lot (DYO-1, 20 kg) and a Nd oxide lot
    (NDO-1, 50 kg)."""
    return [
        _stock(),
        _stock("DYO-1", 20.0, DY_OXIDE, "oxide"),
        _stock("NDO-1", 50.0, ND_OXIDE, "oxide"),
        *extra,
        _export(lots=("MAG-1", "DYO-1", "NDO-1")),
    ]


FITTING = (_item("8505111000", 300.0, "MAG-1"), _item("2846901500", 20.0, "DYO-1"), _item("2846901300", 50.0, "NDO-1"))


def test_a_declaration_of_several_items_that_fits_its_export():
    assert _run(_mixed(), _customs(_declaration(items=FITTING))) == []
    # one item may name several lots of one code, in any order of items
    both = _item("2846901500", 70.0, "DYO-1", "NDO-1")
    assert of(_run(_mixed(), _customs(_declaration(items=(FITTING[0], both)))), "DECLARATION_MISMATCH") == []


def test_an_items_code_is_judged_against_the_lots_that_item_names_only():
    wrong = (FITTING[0], _item("2846901300", 20.0, "DYO-1"), FITTING[2])  # Dy oxide under the Nd oxide code
    f = one(_run(_mixed(), _customs(_declaration(items=wrong))), "HS_CODE_MISDECLARED")
    assert (f.lot, f.event) == ("DYO-1", f"{MAGNET}:x1")
    assert (f.evidence["item"], f.evidence["declared"], f.evidence["expected"]) == (2, "2846901300", ["2846901500"])
    assert "in item 2 under HS 2846901300" in f.detail and "NDO-1" not in f.detail


def test_the_declared_quantity_is_the_sum_of_the_items():
    short = (FITTING[0], _item("2846901500", 20.0, "DYO-1"), _item("2846901300", 30.0, "NDO-1"))
    f = one(_run(_mixed(), _customs(_declaration(items=short))), "DECLARED_QUANTITY_MISMATCH")
    assert (f.evidence["declared_kg"], f.evidence["exported_kg"], f.evidence["difference_kg"]) == (350.0, 370.0, -20.0)
    assert [i["net_kg"] for i in f.evidence["items"]] == [300.0, 20.0, 30.0]
    assert "item 3, HS 2846901300: 30.000 kg" in f.detail and f.lot is None


def test_a_single_item_naming_no_lots_is_judged_against_every_lot():
    events = [_stock(), _stock("DYO-1", 20.0, DY_OXIDE, "oxide"), _export(lots=("MAG-1", "DYO-1"))]
    f = one(_run(events, _customs(_declaration(hs_code="8505111000", net_kg=320.0, lots=()))), "HS_CODE_MISDECLARED")
    assert (f.lot, f.evidence["item"], f.evidence["level"]) == ("DYO-1", 1, "heading")


def test_several_items_naming_no_lots_flag_only_a_lot_no_items_code_fits():
    items = (_item("8505111000", 300.0), _item("2846901500", 70.0))  # NDO-1 fits neither
    f = one(_run(_mixed(), _customs(_declaration(items=items))), "HS_CODE_MISDECLARED")
    assert (f.lot, f.evidence["item"], f.evidence["declared"]) == ("NDO-1", [1, 2], ["8505111000", "2846901500"])
    assert f.evidence["level"] == "subheading" and f.evidence["expected"] == ["2846901300"]
    assert "item 1 (HS 8505111000)" in f.detail and "item 2 (HS 2846901500)" in f.detail
    fitting = (_item("8505111000", 300.0), _item("2846901500", 20.0), _item("2846901300", 50.0))
    assert _run(_mixed(), _customs(_declaration(items=fitting))) == []


def test_lots_no_item_names_fall_to_the_items_that_name_none():
    items = (_item("8505111000", 300.0, "MAG-1"), _item("2846901300", 70.0))  # DYO-1 and NDO-1, not named
    findings = _run(_mixed(), _customs(_declaration(items=items)))
    assert of(findings, "DECLARATION_MISMATCH") == []  # the unnamed lots are the second item's
    f = one(findings, "HS_CODE_MISDECLARED")
    assert (f.lot, f.evidence["item"]) == ("DYO-1", 2)


def test_a_lot_an_item_names_that_was_not_exported():
    items = (*FITTING, _item("2846901500", 5.0, "DYO-9"))
    f = one(_run(_mixed(), _customs(_declaration(items=items))), "DECLARATION_MISMATCH")
    assert f.evidence["mismatches"]["lots"] == {
        "declared": ["DYO-1", "DYO-9", "MAG-1", "NDO-1"],
        "reported": ["DYO-1", "MAG-1", "NDO-1"],
    }
    assert "not exported: DYO-9 (item 4)" in f.detail and len(f.evidence["items"]) == 4


def test_a_declaration_of_several_items_matched_by_the_lots_of_its_items():
    events = [*_mixed()[:-1], _export(lots=("MAG-1", "DYO-1", "NDO-1"), declaration="CD-OTHER")]
    items = (_item("2846901500", 20.0, "DYO-1"), _item("2846901300", 50.0, "NDO-1"), _item("8505111000", 300.0))
    f = one(_run(events, _customs(_declaration(items=items))), "DECLARATION_MISMATCH")
    assert f.evidence["mismatches"] == {"declaration_no": {"declared": "CD-1", "reported": "CD-OTHER"}}


def test_a_declaration_of_several_items_without_export_is_one_finding():
    ghost = _declaration("CD-9", items=(_item("8505111000", 100.0, "MAG-8"), _item("2846901500", 5.0, "DYO-8")))
    f = one(_run([_stock(), _export()], _customs(_declaration(), ghost)), "DECLARATION_WITHOUT_EXPORT")
    assert [i["item"] for i in f.evidence["items"]] == [1, 2] and f.evidence["net_kg"] == 105.0
    assert "item 2: HS 2846901500, 5.000 kg, lots DYO-8" in f.detail


# -- ARRIVAL_NOT_REPORTED ------------------------------------------------------------------------


def _arrival(recorded_on: date, ref=f"{MAGNET}:x1"):
    return ArrivalReport(
        ref,
        date(2026, 3, 20),
        "Logistics Officer",
        datetime(recorded_on.year, recorded_on.month, recorded_on.day, 12, tzinfo=CST),
    )


@pytest.mark.parametrize(("days", "flagged"), [(59, False), (60, False), (61, True)])
def test_an_arrival_not_reported_more_than_sixty_days_after_a_licensed_export(days, flagged):
    as_of = EXPORTED.date() + timedelta(days=days)
    findings = _run([_stock(), _export()], _customs(_declaration()), as_of=as_of)
    assert bool(of(findings, "ARRIVAL_NOT_REPORTED")) is flagged
    if flagged:
        f = one(findings, "ARRIVAL_NOT_REPORTED")
        assert (f.severity, f.enterprise, f.lot, f.event) == ("medium", MAGNET, "MAG-1", f"{MAGNET}:x1")
        assert f.evidence["deadline"] == "2026-05-04" and f.evidence["days_since_export"] == 61
        assert f.evidence["reported_late"] is None


def test_an_arrival_report_clears_it_only_once_recorded():
    as_of = EXPORTED.date() + timedelta(days=61)
    events = [_stock(), _export()]
    assert _run(events, _customs(arrivals=[_arrival(as_of)]), as_of=as_of) == []
    late = one(
        _run(events, _customs(arrivals=[_arrival(as_of + timedelta(days=1))]), as_of=as_of), "ARRIVAL_NOT_REPORTED"
    )
    assert late.evidence["reported_late"]["arrived_on"] == "2026-03-20"
    other = _arrival(as_of, ref=f"{MAGNET}:x9")  # a report of another export clears nothing
    assert of(_run(events, _customs(arrivals=[other]), as_of=as_of), "ARRIVAL_NOT_REPORTED")


def test_exports_under_a_migrated_license_are_reported_on_where_it_was_issued():
    as_of = EXPORTED.date() + timedelta(days=90)
    assert of(_run([_stock(), _export()], _customs(), as_of=as_of), "ARRIVAL_NOT_REPORTED")
    assert _run([_stock(), _export()], _customs(), as_of=as_of, issued_here=False) == []


def test_exports_without_a_license_number_need_no_arrival_report():
    events = [_stock("OX-1", 100.0, {"Nd": 0.85}, "oxide"), _export(lots=("OX-1",), license_no=None)]
    assert (
        _run(
            events,
            _customs(_declaration(hs_code="2846901300", net_kg=100.0, lots=("OX-1",), license_no=None)),
            as_of=date(2026, 12, 31),
        )
        == []
    )


def test_the_arrival_window_is_configuration():
    as_of = EXPORTED.date() + timedelta(days=31)
    customs = _customs(_declaration())
    assert _run([_stock(), _export()], customs, as_of=as_of) == []
    assert of(
        _run([_stock(), _export()], customs, as_of=as_of, thresholds=Thresholds(arrival_report_days=30)),
        "ARRIVAL_NOT_REPORTED",
    )


def test_customs_findings_do_not_depend_on_the_order_events_are_given_in():
    events = [
        _stock("MAG-1"),
        _stock("MAG-2"),
        _export("x1", ("MAG-1",), "CD-1"),
        _export("x2", ("MAG-2",), "CD-X", time=EXPORTED + timedelta(days=1)),
    ]
    customs = _customs(
        _declaration(hs_code="8505119000"),
        _declaration("CD-2", lots=("MAG-2",), net_kg=310.0),
        covered=[Period(date(2026, 3, 1), date(2026, 3, 31))],
    )
    forward = _run(events, customs, as_of=date(2026, 6, 30))
    assert _run(list(reversed(events)), customs, as_of=date(2026, 6, 30)) == forward
    assert {f.code for f in forward} == {
        "HS_CODE_MISDECLARED",
        "DECLARATION_MISMATCH",
        "DECLARED_QUANTITY_MISMATCH",
        "ARRIVAL_NOT_REPORTED",
    }


def test_the_customs_scenario_raises_every_customs_code():
    events = [
        _stock("MAG-1"),
        _stock("MAG-2"),
        _export("x1", ("MAG-1",), "CD-1"),
        _export("x2", ("MAG-2",), "CD-UNKNOWN", time=EXPORTED + timedelta(days=1)),
    ]
    customs = _customs(
        _declaration(hs_code="8505119000", net_kg=290.0, destination="US"),
        _declaration("CD-9", lots=("MAG-9",)),
        covered=[Period(date(2026, 3, 1), date(2026, 3, 31))],
    )
    assert {f.code for f in _run(events, customs, as_of=date(2026, 6, 30))} == set(CUSTOMS_CODES)
