"""Customs declarations, arrival reports and mirror statistics in the store: loads that are all
or nothing, idempotent and recorded; the audit reading them in its transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from factory import export
from reetrace.config import Settings
from reetrace.domain.registry import License, LicenseItem
from reetrace.errors import InvalidInput, NotFound, UsageError
from reetrace.services.audit import audit_ledger
from reetrace.services.customs import list_exports, load_declarations, reconcile, report_arrival
from reetrace.services.ingest import ingest
from reetrace.services.mirror import load_mirror_statistics, mirror_report
from reetrace.services.registry import load_registry
from reetrace.store import tables as t
from reetrace.store.applications_repo import insert_license
from reetrace.store.customs_repo import declarations_numbered, list_declarations, list_imports

HEADER = "declaration_no,date,exporter,hs_code,net_kg,destination,license_no,lots"
DY_OXIDE = {"Dy": 0.8713 * 0.99}
LICENSE = "RE-2026-000001"
EXPORTED = date(2026, 1, 20)


def _import(
    event_id: str,
    lot: str,
    mass_kg: float,
    form: str,
    composition: dict,
    hs_code: str | None = None,
    time: str = "2026-01-10T08:00:00+08:00",
) -> dict:
    out = {"lot": lot, "form": form, "mass_kg": mass_kg, "composition": composition}
    if hs_code:
        out["hs_code"] = hs_code
    return {
        "event_id": event_id,
        "type": "import",
        "time": time,
        "origin_country": "MM",
        "customs_declaration": f"IMP-{event_id}",
        "outputs": [out],
    }


@pytest.fixture
def exports(store, world, write_json):
    """The trader imports two Dy oxide lots and an NdFeB magnet lot with Dy, and exports them: x1
    (DYO-1, licensed, 20 Jan), x2 (DYO-2, licensed, 25 Jan), x3 (MAG-1, licensed, 2 Mar)."""
    x = world.trader
    load_registry(store, world.registry(licenses=[]))
    with store.writing() as conn:  # as the review issues it: its exporter reports arrivals here
        insert_license(
            conn,
            License(
                LICENSE,
                x.uscc,
                "Example GmbH",
                "Example GmbH",
                "DE",
                date(2026, 1, 1),
                date(2026, 12, 31),
                (LicenseItem("Dy", "oxide", 500.0), LicenseItem("Dy", "magnet", 500.0)),
            ),
            "single",
            "2025-12-30",
            "EA2025-000001",
        )
    ingest(
        store,
        [
            write_json(
                "trader.json",
                x.submit(
                    [
                        _import("i1", "DYO-1", 20.0, "oxide", DY_OXIDE),
                        _import("i2", "DYO-2", 18.5, "oxide", DY_OXIDE, hs_code="2846901500"),
                        _import("i3", "MAG-1", 300.0, "magnet", {"Nd": 0.28, "Pr": 0.01, "Dy": 0.01}),
                        export("x1", ["DYO-1"], license_no=LICENSE, time="2026-01-20T08:00:00+08:00"),
                        export("x2", ["DYO-2"], license_no=LICENSE, time="2026-01-25T08:00:00+08:00"),
                        export("x3", ["MAG-1"], license_no=LICENSE, time="2026-03-02T08:00:00+08:00"),
                    ],
                    created_at="2026-03-05T10:00:00+08:00",
                ),
            )
        ],
        as_received_created_at=True,
    )
    return x.uscc


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _row(
    uscc: str, number: str, day: str, hs: str, kg: float, lots: str, dest: str = "DE", license_no: str = LICENSE
) -> str:
    return f"{number},{day},{uscc},{hs},{kg},{dest},{license_no},{lots}"


def _codes(findings, *codes):
    return sorted((f.code, f.event, f.lot) for f in findings if f.code in codes)


def _count(store, table) -> int:
    with store.reading() as conn:
        return conn.scalar(select(func.count()).select_from(table))


# -- loading declarations ----------------------------------------------------------------------


def test_a_load_is_recorded_and_loading_it_again_changes_nothing(store, exports):
    data = _csv(
        _row(exports, "CD-x1", "2026-01-20", "2846901500", 20.0, "DYO-1"),
        _row(exports, "CD-x2", "2026-01-25", "2846901500", 18.5, "DYO-2"),
    )
    at = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    first = load_declarations(store, data, "jan.csv", "customs officer", now=at)
    assert (first.declarations, first.items, first.added, first.unchanged) == (2, 2, 2, 0)
    assert str(first.period) == "2026-01-20..2026-01-25"
    again = load_declarations(store, data, "jan.csv", "customs officer", start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert (again.declarations, again.items, again.added, again.unchanged) == (2, 2, 0, 2)
    assert _count(store, t.customs_declarations) == 2
    with store.reading() as conn:
        imports = list_imports(conn)
    assert [(i.rows, i.added, str(i.period), i.by, i.source) for i in imports] == [
        (2, 2, "2026-01-20..2026-01-25", "customs officer", "jan.csv"),
        (2, 0, "2026-01-01..2026-01-31", "customs officer", "jan.csv"),
    ]
    assert imports[0].sha256 == imports[1].sha256 and len(imports[0].sha256) == 64
    assert imports[0].recorded_at == at


def test_another_declaration_under_a_recorded_number_loads_nothing(store, exports):
    load_declarations(store, _csv(_row(exports, "CD-x1", "2026-01-20", "2846901500", 20.0, "DYO-1")), "a.csv", "me")
    changed = _csv(
        _row(exports, "CD-x2", "2026-01-25", "2846901500", 18.5, "DYO-2"),
        _row(exports, "CD-x1", "2026-01-20", "2846901500", 21.0, "DYO-1"),
    )
    with pytest.raises(
        InvalidInput,
        match=r"line 3: declaration CD-x1 is already recorded with other items "
        r"\(1 recorded, 1 in the file\): the item on line 3 is not recorded; "
        r"recorded item 1 \(HS 2846901500, 20.000 kg, lots DYO-1\)",
    ):
        load_declarations(store, changed, "b.csv", "me")
    moved = _csv(_row(exports, "CD-x1", "2026-01-20", "2846901500", 20.0, "DYO-1", dest="JP"))
    with pytest.raises(
        InvalidInput,
        match="line 2: declaration CD-x1 is already recorded with another destination "
        r"\(destination DE\)",
    ):
        load_declarations(store, moved, "c.csv", "me")
    assert _count(store, t.customs_declarations) == 1 and _count(store, t.customs_imports) == 1


# -- declarations of several items -------------------------------------------------------------


@pytest.fixture
def mixed(store, world, write_json):
    """The trader imports a Dy oxide lot (DYO-1, 20 kg) and a Nd oxide lot (NDO-1, 50 kg) and
    exports both on 20 Jan as x1 under customs declaration CD-x1, without a license."""
    x = world.trader
    load_registry(store, world.registry(licenses=[]))
    ingest(
        store,
        [
            write_json(
                "trader.json",
                x.submit(
                    [
                        _import("i1", "DYO-1", 20.0, "oxide", DY_OXIDE),
                        _import("i2", "NDO-1", 50.0, "oxide", {"Nd": 0.8574}),
                        export("x1", ["DYO-1", "NDO-1"], license_no=None),
                    ],
                    created_at="2026-03-05T10:00:00+08:00",
                ),
            )
        ],
        as_received_created_at=True,
    )
    return x.uscc


def test_the_items_of_a_declaration_are_stored_as_rows_and_read_back_whole(store, mixed):
    data = _csv(
        _row(mixed, "CD-x1", "2026-01-20", "2846901500", 20.0, "DYO-1", license_no=""),
        _row(mixed, "CD-x9", "2026-01-21", "2846901300", 5.0, "", license_no=""),
        _row(mixed, "CD-x1", "2026-01-20", "2846901300", 50.0, "NDO-1", license_no=""),
    )
    done = load_declarations(store, data, "jan.csv", "me")
    assert (done.declarations, done.items, done.added) == (2, 3, 2)
    assert _count(store, t.customs_declarations) == 3
    with store.reading() as conn:
        rows = conn.execute(
            select(t.customs_declarations.c.declaration_no, t.customs_declarations.c.item).order_by(
                t.customs_declarations.c.declaration_no, t.customs_declarations.c.item
            )
        ).all()
        (declaration,) = [d for d in list_declarations(conn) if d.declaration_no == "CD-x1"]
        assert declarations_numbered(conn, ["CD-x1"]) == {"CD-x1": declaration}
    assert [tuple(r) for r in rows] == [("CD-x1", 1), ("CD-x1", 2), ("CD-x9", 1)]
    assert [(item.hs_code, item.net_kg, item.lots) for item in declaration.items] == [
        ("2846901500", 20.0, ("DYO-1",)),
        ("2846901300", 50.0, ("NDO-1",)),
    ]
    assert (declaration.license_no, declaration.net_kg) == (None, 70.0)
    assert [f.code for f in reconcile(store, Settings(), date(2026, 3, 31))] == ["DECLARATION_WITHOUT_EXPORT"]


def test_a_declaration_reloaded_with_its_items_in_another_order_is_a_no_op(store, mixed):
    dy = _row(mixed, "CD-x1", "2026-01-20", "2846901500", 20.0, "DYO-1", license_no="")
    nd = _row(mixed, "CD-x1", "2026-01-20", "2846901300", 50.0, "NDO-1", license_no="")
    load_declarations(store, _csv(dy, nd), "a.csv", "me")
    again = load_declarations(store, _csv(nd, dy), "b.csv", "me")
    assert (again.declarations, again.items, again.added, again.unchanged) == (1, 2, 0, 1)
    assert _count(store, t.customs_declarations) == 2 and _count(store, t.customs_imports) == 2


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            (("2846901500", 20.0, "DYO-1"),),
            r"line 2: .* \(2 recorded, 1 in the file\): recorded item 2 \(HS 2846901300",
        ),
        (
            (("2846901500", 20.0, "DYO-1"), ("2846901300", 50.0, "NDO-1"), ("2846901300", 1.0, "NDO-2")),
            r"line 4: .* \(2 recorded, 3 in the file\): the item on line 4 is not recorded$",
        ),
        (
            (("2846901500", 20.0, "DYO-1"), ("2846901300", 55.0, "NDO-1")),
            r"line 3: .*: the item on line 3 is not recorded; recorded item 2 \(HS 2846901300, 50.000 kg, lots NDO-1\)",
        ),
    ],
)
def test_a_declaration_reloaded_with_other_items_loads_nothing(store, mixed, rows, message):
    load_declarations(
        store,
        _csv(
            _row(mixed, "CD-x1", "2026-01-20", "2846901500", 20.0, "DYO-1", license_no=""),
            _row(mixed, "CD-x1", "2026-01-20", "2846901300", 50.0, "NDO-1", license_no=""),
        ),
        "a.csv",
        "me",
    )
    other = _csv(
        *(_row(mixed, "CD-x1", "2026-01-20", hs, kg, lots, license_no="") for hs, kg, lots in rows),
        _row(mixed, "CD-x2", "2026-01-21", "2846901300", 5.0, "", license_no=""),
    )
    with pytest.raises(InvalidInput, match="^b.csv: nothing loaded: " + message) as error:
        load_declarations(store, other, "b.csv", "me")
    assert "declaration CD-x1 is already recorded with other items" in str(error.value)
    assert _count(store, t.customs_declarations) == 2 and _count(store, t.customs_imports) == 1


def test_a_file_with_a_bad_row_loads_nothing(store, exports):
    bad = _csv(
        _row(exports, "CD-x1", "2026-01-20", "2846901500", 20.0, "DYO-1"),
        _row(exports, "CD-x2", "2026-01-25", "28469015", 18.5, "DYO-2"),
    )
    with pytest.raises(InvalidInput, match="line 3, column hs_code"):
        load_declarations(store, bad, "bad.csv", "me")
    outside = _csv(_row(exports, "CD-x1", "2026-01-20", "2846901500", 20.0, "DYO-1"))
    with pytest.raises(InvalidInput, match="outside the period 2026-02-01..2026-02-28"):
        load_declarations(store, outside, "feb.csv", "me", start=date(2026, 2, 1), end=date(2026, 2, 28))
    with pytest.raises(UsageError, match="give --from and --to"):
        load_declarations(store, _csv(), "empty.csv", "me")
    assert _count(store, t.customs_declarations) == 0 and _count(store, t.customs_imports) == 0


# -- the audit with customs data ---------------------------------------------------------------


def test_reconciliation_through_the_store(store, exports):
    load_declarations(
        store,
        _csv(
            _row(exports, "CD-x1", "2026-01-20", "2805301200", 20.0, "DYO-1"),  # an oxide under a metal code
            _row(exports, "CD-x2", "2026-01-25", "2846901500", 18.5, "DYO-2"),  # fits
            _row(exports, "CD-x9", "2026-01-28", "2846901500", 50.0, "DYO-9"),  # no export
        ),
        "jan.csv",
        "me",
        start=date(2026, 1, 1),
        end=date(2026, 1, 31),
    )
    found = reconcile(store, Settings(), date(2026, 3, 31))
    assert _codes(found, "HS_CODE_MISDECLARED", "DECLARATION_WITHOUT_EXPORT", "EXPORT_WITHOUT_DECLARATION") == [
        ("DECLARATION_WITHOUT_EXPORT", None, None),
        ("HS_CODE_MISDECLARED", f"{exports}:x1", "DYO-1"),
    ]
    assert {f.code for f in found} <= {"HS_CODE_MISDECLARED", "DECLARATION_WITHOUT_EXPORT"}
    # March is not covered: x3 has no declaration, and that says nothing until customs reports on March
    load_declarations(store, _csv(), "march.csv", "me", start=date(2026, 3, 1), end=date(2026, 3, 31))
    found = audit_ledger(store, Settings(), date(2026, 3, 31))
    assert _codes(found, "EXPORT_WITHOUT_DECLARATION") == [("EXPORT_WITHOUT_DECLARATION", f"{exports}:x3", "MAG-1")]


def test_exports_under_migrated_licenses_need_no_arrival_report_here(store, world, write_json):
    load_registry(store, world.registry())  # RE-2026-000001 migrated from the registry
    x = world.trader
    ingest(
        store,
        [
            write_json(
                "trader.json",
                x.submit(
                    [
                        _import("i1", "DYO-1", 20.0, "oxide", DY_OXIDE),
                        export("x1", ["DYO-1"], license_no=LICENSE, time="2026-01-20T08:00:00+08:00"),
                    ],
                    created_at="2026-03-05T10:00:00+08:00",
                ),
            )
        ],
        as_received_created_at=True,
    )
    assert [f for f in audit_ledger(store, Settings(), date(2026, 12, 31)) if f.code == "ARRIVAL_NOT_REPORTED"] == []


# -- arrival reports ---------------------------------------------------------------------------


def test_arrival_not_reported_after_sixty_days_until_a_report_is_recorded(store, exports):
    now = datetime(2026, 3, 22, 4, 0, tzinfo=UTC)
    report_arrival(store, Settings(), f"{exports}:x3", date(2026, 3, 20), "Logistics Officer", now=now)

    def unreported(as_of: date) -> list[str]:
        return [f.event for f in audit_ledger(store, Settings(), as_of) if f.code == "ARRIVAL_NOT_REPORTED"]

    assert unreported(EXPORTED + timedelta(days=59)) == []
    assert unreported(EXPORTED + timedelta(days=61)) == [f"{exports}:x1"]  # x2 is at 56 days
    report_arrival(
        store,
        Settings(),
        f"{exports}:x1",
        date(2026, 2, 2),
        "Logistics Officer",
        "Hamburg",
        now=datetime(2026, 3, 23, 1, 0, tzinfo=UTC),
    )
    assert unreported(EXPORTED + timedelta(days=61)) == [f"{exports}:x1"]  # reported after that audit date
    assert unreported(EXPORTED + timedelta(days=62)) == []
    assert unreported(date(2026, 5, 1)) == [f"{exports}:x2"]


def test_arrival_reports_are_checked_and_never_changed(store, exports, world):
    now = datetime(2026, 3, 22, 4, 0, tzinfo=UTC)
    with pytest.raises(NotFound, match="no event"):
        report_arrival(store, Settings(), f"{exports}:x99", date(2026, 2, 1), "me", now=now)
    with pytest.raises(InvalidInput, match="is of type import, not an export"):
        report_arrival(store, Settings(), f"{exports}:i1", date(2026, 2, 1), "me", now=now)
    with pytest.raises(InvalidInput, match="cannot have arrived on 2026-01-19"):
        report_arrival(store, Settings(), f"{exports}:x1", date(2026, 1, 19), "me", now=now)
    with pytest.raises(UsageError, match="not an export reference"):
        report_arrival(store, Settings(), "x1", date(2026, 2, 1), "me", now=now)
    report_arrival(store, Settings(), f"{exports}:x1", date(2026, 2, 1), "me", now=now)
    with pytest.raises(InvalidInput, match="already reported: arrived 2026-02-01, reported by me"):
        report_arrival(store, Settings(), f"{exports}:x1", date(2026, 2, 3), "someone else", now=now)
    assert _count(store, t.arrival_reports) == 1


def test_exports_are_listed_with_their_mass_and_arrival(store, exports):
    report_arrival(
        store, Settings(), f"{exports}:x1", date(2026, 2, 1), "me", now=datetime(2026, 2, 3, 4, 0, tzinfo=UTC)
    )
    lines = list_exports(store, Settings(), date(2026, 3, 31))
    assert [(line.ref, line.day, line.kg, line.license_no, line.days_since) for line in lines] == [
        (f"{exports}:x1", date(2026, 1, 20), 20.0, LICENSE, 70),
        (f"{exports}:x2", date(2026, 1, 25), 18.5, LICENSE, 65),
        (f"{exports}:x3", date(2026, 3, 2), 300.0, LICENSE, 29),
    ]
    assert lines[0].arrival.arrived_on == date(2026, 2, 1) and lines[1].arrival is None
    assert list_exports(store, Settings(), date(2026, 2, 1))[0].arrival is None  # reported on 3 Feb
    assert list_exports(store, Settings(), date(2026, 3, 31), "RE-OTHER") == []


# -- mirror statistics -------------------------------------------------------------------------


def test_mirror_statistics_replace_and_report_against_declarations(store, exports):
    load_declarations(
        store,
        _csv(
            _row(exports, "CD-x1", "2026-01-20", "2846901500", 20.0, "DYO-1"),
            _row(exports, "CD-x3", "2026-03-02", "8505111000", 300.0, "MAG-1"),
        ),
        "d.csv",
        "me",
    )
    first = load_mirror_statistics(
        store, b"year,partner,hs6,kg,value\n2026,DE,284690,25,900\n2026,DE,850511,900,1\n", "m.csv"
    )
    assert (first.rows, first.added, first.replaced) == (2, 2, [])
    again = load_mirror_statistics(store, b"year,partner,hs6,kg,value\n2026,DE,850511,1300,2\n", "m2.csv")
    assert (again.rows, again.added, again.replaced) == (1, 0, [(2026, "DE", "850511")])
    with pytest.raises(InvalidInput, match="line 2, column kg"):
        load_mirror_statistics(store, b"year,partner,hs6,kg,value\n2026,DE,850511,-4,2\n", "bad.csv")
    gaps = mirror_report(store, 2026)
    assert [(g.hs6, g.partner_kg, g.declared_kg, g.gap_kg) for g in gaps] == [
        ("850511", 1300.0, 300.0, 1000.0),
        ("284690", 25.0, 20.0, 5.0),
    ]
    assert mirror_report(store, 2025) == []
