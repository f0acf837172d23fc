"""EXPORT_WITHOUT_LICENSE, LICENSE_EXCEEDED and LICENSE_MISMATCH."""

from datetime import UTC, date, datetime

import pytest
from builders import (
    MAGNET,
    MAGNET_NDFEB,
    MINE,
    ND_OXIDE,
    TRADER,
    at,
    codes,
    export,
    import_,
    license_,
    new,
    of,
    one,
    registry,
    run,
)

DY_TB_MAGNET = {"Nd": 0.28, "Dy": 0.01, "Tb": 0.005}


def _stock(lot="MAG-1", mass=300.0, composition=MAGNET_NDFEB, form="magnet", owner=MAGNET):
    return import_(owner, f"i-{lot}", at(0), new(lot, mass, composition, form))


def _licensed(*licenses):
    return registry(licenses=licenses or [license_()])


# -- EXPORT_WITHOUT_LICENSE -------------------------------------------------------------------


def test_a_dysprosium_magnet_exported_without_a_license():
    findings = run([_stock(), export(MAGNET, "x1", at(1), ["MAG-1"])])
    f = one(findings, "EXPORT_WITHOUT_LICENSE")
    assert (f.severity, f.enterprise, f.lot, f.event) == ("critical", MAGNET, "MAG-1", f"{MAGNET}:x1")
    assert f.evidence == {
        "controlled": [{"code": "1C905", "element": "Dy"}],
        "uncovered": ["1C905"],
        "license_no": None,
    }


def test_uncontrolled_lots_need_no_license():
    findings = run(
        [
            _stock("OX-1", composition=ND_OXIDE, form="oxide"),  # Nd is not listed
            _stock("CON-1", composition={"Dy": 0.05}, form="concentrate"),  # concentrates are not listed
            export(MAGNET, "x1", at(1), ["OX-1", "CON-1"]),
        ]
    )
    assert findings == []


def test_a_registered_license_covering_the_item_is_enough():
    assert run([_stock(), export(MAGNET, "x1", at(1), ["MAG-1"], "RE-2026-000123")], _licensed()) == []


def test_an_item_of_the_same_control_group_covers_another_form():
    reg = _licensed(license_(items=[("Dy", "alloy", 500.0)]))  # alloy and magnet are both group a
    assert run([_stock(), export(MAGNET, "x1", at(1), ["MAG-1"], "RE-2026-000123")], reg) == []


def test_a_license_must_cover_every_controlled_element():
    reg = _licensed(license_(items=[("Dy", "magnet", 500.0)]))
    findings = run([_stock(composition=DY_TB_MAGNET), export(MAGNET, "x1", at(1), ["MAG-1"], "RE-2026-000123")], reg)
    f = one(findings, "EXPORT_WITHOUT_LICENSE")
    assert f.evidence["uncovered"] == ["1C904"]
    assert f.evidence["controlled"] == [{"code": "1C904", "element": "Tb"}, {"code": "1C905", "element": "Dy"}]


@pytest.mark.parametrize("items", [[("Dy", "oxide", 500.0)], [("Tb", "magnet", 500.0)]])
def test_a_license_whose_items_do_not_fit(items):
    reg = _licensed(license_(items=items))
    findings = run([_stock(), export(MAGNET, "x1", at(1), ["MAG-1"], "RE-2026-000123")], reg)
    assert one(findings, "EXPORT_WITHOUT_LICENSE").evidence["license_no"] == "RE-2026-000123"


def test_an_unregistered_license_number():
    findings = run([_stock(), export(MAGNET, "x1", at(1), ["MAG-1"], "RE-FAKE")], _licensed())
    f = one(findings, "EXPORT_WITHOUT_LICENSE")
    assert f.evidence["license_no"] == "RE-FAKE" and "not registered" in f.detail


def test_control_is_judged_with_the_list_in_force_on_the_export_day():
    holmium = {"Nd": 0.29, "Ho": 0.01}  # Announcement 57 is suspended until 2026-11-10
    suspended = run([_stock(composition=holmium), export(MAGNET, "x1", at(8, month=11), ["MAG-1"])])
    assert suspended == []
    in_force = run([_stock(composition=holmium), export(MAGNET, "x1", at(9, month=11), ["MAG-1"])])
    assert one(in_force, "EXPORT_WITHOUT_LICENSE").evidence["controlled"] == [{"code": "1C909", "element": "Ho"}]


def test_a_lot_of_unknown_origin_cannot_be_classified():
    assert codes(run([export(MAGNET, "x1", at(1), ["GHOST"])])) == ["UNKNOWN_LOT"]


# -- LICENSE_EXCEEDED -------------------------------------------------------------------------


def test_exports_exactly_reaching_max_kg_pass():
    events = [
        _stock("MAG-1", 300.0),
        _stock("MAG-2", 200.0),
        export(MAGNET, "x1", at(1), ["MAG-1"], "RE-2026-000123"),
        export(MAGNET, "x2", at(2), ["MAG-2"], "RE-2026-000123"),
    ]
    assert run(events, _licensed()) == []


def test_exports_beyond_max_kg_are_one_finding_at_the_export_that_went_over():
    events = [
        _stock("MAG-1", 300.0),
        _stock("MAG-2", 250.0),
        _stock("MAG-3", 100.0),
        _stock("OX-1", 900.0, ND_OXIDE, "oxide"),  # not covered by the item: not counted
        export(MAGNET, "x1", at(1), ["MAG-1", "OX-1"], "RE-2026-000123"),
        export(MAGNET, "x2", at(2), ["MAG-2"], "RE-2026-000123"),
        export(MAGNET, "x3", at(3), ["MAG-3"], "RE-2026-000123"),
    ]
    f = one(run(events, _licensed()), "LICENSE_EXCEEDED")
    assert (f.severity, f.enterprise, f.lot, f.event) == ("high", MAGNET, "MAG-2", f"{MAGNET}:x2")
    assert f.evidence == {
        "license_no": "RE-2026-000123",
        "item": {"element": "Dy", "form": "magnet"},
        "licensed_kg": 500.0,
        "exported_kg": 650.0,
        "excess_kg": 150.0,
    }


# -- LICENSE_MISMATCH -------------------------------------------------------------------------


def test_consignee_is_compared_ignoring_case_and_spacing():
    events = [
        _stock(),
        export(MAGNET, "x1", at(1), ["MAG-1"], "RE-2026-000123", consignee="  example   GMBH ", destination="de"),
    ]
    assert run(events, _licensed()) == []


def test_an_export_that_does_not_fit_its_license():
    reg = _licensed(license_(exporter=MAGNET, valid=(date(2026, 1, 1), date(2026, 6, 30))))
    # 17:00 UTC on 30 June is 1 July in Beijing: after the license ended.
    after_expiry = datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
    events = [
        _stock(owner=TRADER),
        export(TRADER, "x1", after_expiry, ["MAG-1"], "RE-2026-000123", consignee="Other Ltd", destination="US"),
    ]
    f = one(run(events, reg), "LICENSE_MISMATCH")
    assert (f.severity, f.enterprise, f.lot, f.event) == ("high", TRADER, "MAG-1", f"{TRADER}:x1")
    assert f.evidence == {
        "license_no": "RE-2026-000123",
        "mismatches": {
            "consignee": {"licensed": "Example GmbH", "declared": "Other Ltd"},
            "destination": {"licensed": "DE", "declared": "US"},
            "exporter": {"licensed": MAGNET, "declared": TRADER},
            "date": {"licensed": "2026-01-01/2026-06-30", "declared": "2026-07-01"},
        },
    }


def test_the_last_day_of_validity_in_china_still_fits():
    reg = _licensed(license_(valid=(date(2026, 1, 1), date(2026, 6, 30))))
    last_evening = datetime(2026, 6, 30, 15, 0, tzinfo=UTC)  # 23:00 in Beijing
    events = [_stock(), export(MAGNET, "x1", last_evening, ["MAG-1"], "RE-2026-000123")]
    assert of(run(events, reg), "LICENSE_MISMATCH") == []


def test_an_uncontrolled_export_under_a_license_is_still_checked_for_fit():
    events = [
        _stock("OX-1", composition=ND_OXIDE, form="oxide", owner=MINE),
        export(MINE, "x1", at(1), ["OX-1"], "RE-2026-000123"),
    ]
    f = one(run(events, _licensed()), "LICENSE_MISMATCH")
    assert list(f.evidence["mismatches"]) == ["exporter"]
