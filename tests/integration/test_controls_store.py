"""The control list in the store: regulators' changes recorded with who and why, append-only,
and the audit judging every export with the list in force on the export's date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from factory import export, extract, lot, receive, ship, transform
from reetrace.config import Settings
from reetrace.errors import InvalidInput, NotFound
from reetrace.services.audit import audit_ledger
from reetrace.services.controls import change_control, classify_lot, control_history, control_list
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.store import tables as t

OXIDE_DY = {"Dy": 0.8713 * 0.99}
EXPORTED = date(2026, 1, 20)


@pytest.fixture
def dy_oxide_exported(store, world, write_json):
    """A mine's concentrate is separated into Dy oxide, which the trader exports on 20 Jan 2026
    without a license."""
    m, p, x = world.mine, world.plant, world.trader
    load_registry(store, world.registry())
    files = [
        write_json(
            "mine.json",
            m.submit(
                [extract("m1", "C1", 1000, composition={"Ce": 0.2, "Dy": 0.02}), ship("m2", ["C1"], p.uscc, "S1")]
            ),
        ),
        write_json(
            "plant.json",
            p.submit(
                [
                    receive("p1", ["C1"], m.uscc, "S1", mass_kg=1000),
                    transform("p2", "separation", [("C1", 1000)], [lot("DYO-1", "oxide", 20, OXIDE_DY)]),
                    ship("p3", ["DYO-1"], x.uscc, "S2", time="2026-01-12T08:00:00+08:00"),
                ]
            ),
        ),
        write_json(
            "trader.json",
            x.submit(
                [
                    receive("x1", ["DYO-1"], p.uscc, "S2", time="2026-01-14T08:00:00+08:00"),
                    export("x2", ["DYO-1"], license_no=None, time="2026-01-20T08:00:00+08:00"),
                ]
            ),
        ),
    ]
    ingest(store, files, as_received_created_at=True)
    return f"{x.uscc}:x2"


def unlicensed(store) -> list[str]:
    return [f.event for f in audit_ledger(store, Settings(), date(2026, 12, 31)) if f.code == "EXPORT_WITHOUT_LICENSE"]


def test_changes_are_recorded_with_who_and_why_in_order(store):
    at = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    change_control(
        store,
        Settings(),
        "suspend",
        "1C909",
        effective=date(2026, 11, 10),
        until=date(2027, 11, 10),
        by="MOFCOM",
        why="Announcement No. 70 extended",
        now=at,
    )
    change_control(
        store,
        Settings(),
        "add",
        "1C914",
        effective=date(2027, 1, 1),
        element="Nd",
        groups=("a",),
        by="MOFCOM",
        why="hypothetical listing",
    )
    controls, changes = control_history(store, Settings())
    assert [(r.id, r.change.action, r.change.code, r.change.by) for r in changes] == [
        (1, "suspend", "1C909", "MOFCOM"),
        (2, "add", "1C914", "MOFCOM"),
    ]
    assert changes[0].recorded_at == at and changes[0].change.why == "Announcement No. 70 extended"
    assert changes[0].change.until == date(2027, 11, 10) and changes[1].change.groups == ("a",)
    assert [c.code for c in controls.classify("oxide", {"Ho": 0.8}, date(2027, 1, 1))] == []
    assert [c.code for c in control_list(store, Settings()).classify("magnet", {"Nd": 0.3}, date(2027, 1, 1))] == [
        "1C914"
    ]


def test_a_refused_change_records_nothing(store):
    with pytest.raises(InvalidInput, match="unknown control code 1C999"):
        change_control(store, Settings(), "end", "1C999", effective=date(2026, 1, 1), by="MOFCOM", why="x")
    with pytest.raises(InvalidInput, match="already on the list"):
        change_control(
            store,
            Settings(),
            "add",
            "1C905",
            effective=date(2026, 1, 1),
            element="Dy",
            groups=("a",),
            by="MOFCOM",
            why="x",
        )
    with pytest.raises(InvalidInput, match="why the change"):
        change_control(store, Settings(), "end", "1C905", effective=date(2026, 1, 1), by="MOFCOM", why=" ")
    with store.reading() as conn:
        assert conn.scalar(select(func.count()).select_from(t.control_changes)) == 0


def test_a_later_change_is_appended_never_rewriting_an_earlier_one(store):
    first = change_control(
        store,
        Settings(),
        "suspend",
        "1C905",
        effective=date(2026, 1, 1),
        until=date(2026, 2, 1),
        by="MOFCOM",
        why="first",
    )
    change_control(store, Settings(), "suspend", "1C905", effective=date(2026, 3, 1), by="MOFCOM", why="second")
    _, changes = control_history(store, Settings())
    assert [r.change.why for r in changes] == ["first", "second"] and changes[0] == first
    suspensions = next(e for e in control_list(store, Settings()).entries if e.code == "1C905").suspensions
    assert [(p.start, p.end) for p in suspensions] == [(date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 3, 1), None)]


def test_the_audit_follows_a_suspension_recorded_in_the_store(store, dy_oxide_exported):
    assert unlicensed(store) == [dy_oxide_exported]
    # a suspension that ends before the export does not cover it
    change_control(
        store,
        Settings(),
        "suspend",
        "1C905",
        effective=date(2026, 1, 1),
        until=EXPORTED,
        by="MOFCOM",
        why="ends the day of the export",
    )
    assert unlicensed(store) == [dy_oxide_exported]
    change_control(
        store,
        Settings(),
        "suspend",
        "1C905",
        effective=EXPORTED,
        until=date(2026, 2, 1),
        by="MOFCOM",
        why="covers the export",
    )
    assert unlicensed(store) == []


def test_the_audit_follows_an_end_recorded_in_the_store(store, dy_oxide_exported):
    change_control(store, Settings(), "end", "1C905", effective=date(2026, 1, 21), by="MOFCOM", why="after")
    assert unlicensed(store) == [dy_oxide_exported]  # the export came the day before
    change_control(store, Settings(), "end", "1C905", effective=date(2026, 1, 1), by="MOFCOM", why="before")
    assert unlicensed(store) == []


def test_classify_a_lot_on_a_day(store, dy_oxide_exported):
    before = classify_lot(store, Settings(), "DYO-1", EXPORTED)
    assert before.as_json() == {
        "lot": "DYO-1",
        "on": "2026-01-20",
        "form": "oxide",
        "controlled": [{"code": "1C905", "element": "Dy", "group": "b"}],
    }
    assert classify_lot(store, Settings(), "C1", EXPORTED).controlled == []  # concentrates are never listed
    change_control(store, Settings(), "suspend", "1C905", effective=date(2026, 1, 1), by="MOFCOM", why="open")
    assert classify_lot(store, Settings(), "DYO-1", EXPORTED).controlled == []
    assert classify_lot(store, Settings(), "DYO-1", date(2025, 12, 31)).controlled[0].code == "1C905"
    with pytest.raises(NotFound, match="NO-SUCH"):
        classify_lot(store, Settings(), "NO-SUCH", EXPORTED)
