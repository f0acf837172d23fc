"""The findings that block a license around a lot, over a real store (SQLite, and PostgreSQL with
REETRACE_TEST_DB): upstream by the very rule the pre-review blocks on, downstream about the lots
made from it; a lot of a clean chain has neither."""

from __future__ import annotations

from datetime import date

import pytest

from factory import extract, lot, receive, ship, transform
from reetrace.config import Settings
from reetrace.domain.prereview import BLOCKING_CODES
from reetrace.services.audit import audit_ledger
from reetrace.services.ingest import ingest
from reetrace.services.lot_findings import blocking_around
from reetrace.services.registry import load_registry

SETTINGS = Settings()
DAY = date(2026, 3, 1)
OXIDE_DY = {"Dy": 0.8713}
CLAY = {"Ce": 0.2, "Nd": 0.1, "Dy": 0.06, "Y": 0.05}  # an ion-adsorption clay: 27 % of its REO heavy


@pytest.fixture
def chain(store, world, write_json):
    """C1 (the mine's) is overdrawn by the plant's separation into DYO-1 and CEO-1; the trader
    ships DYO-1 on without ever receiving it. C2 is another of the mine's lots, never touched."""
    doc = world.registry()
    doc["quotas"].append(
        {"year": 2026, "uscc": world.mine.uscc, "kind": "mining", "category": "ion_adsorption", "tonnes_reo": 100}
    )
    load_registry(store, doc)
    m, p, x = world.mine, world.plant, world.trader
    subs = {
        "mine.json": m.submit(
            [
                extract("m1", "C1", 1000, composition=CLAY, deposit="ion_adsorption"),
                extract("m3", "C2", 500, composition=CLAY, deposit="ion_adsorption"),
                ship("m2", ["C1"], p.uscc, "S1"),
            ]
        ),
        "plant.json": p.submit(
            [
                receive("p1", ["C1"], m.uscc, "S1", mass_kg=1000),
                transform(
                    "p2",
                    "separation",
                    [("C1", 1400)],
                    [lot("DYO-1", "oxide", 20, OXIDE_DY), lot("CEO-1", "oxide", 230, {"Ce": 0.8141})],
                ),
            ]
        ),
        "trader.json": x.submit([ship("x1", ["DYO-1"], p.uscc, "S2", time="2026-01-20T08:00:00+08:00")]),
    }
    ingest(store, [write_json(f"subs/{n}", d) for n, d in subs.items()], as_received_created_at=True)
    return world


def test_blocking_findings_upstream_and_downstream(store, chain):
    found = audit_ledger(store, SETTINGS, DAY)
    blocking = {(f.code, f.lot) for f in found if f.code in BLOCKING_CODES}
    assert ("LOT_OVERDRAWN", "C1") in blocking and any(code == "NOT_CUSTODIAN" for code, _ in blocking), found
    around_oxide = blocking_around(store, SETTINGS, "DYO-1", DAY)
    assert {f.code for f in around_oxide.upstream} >= {"LOT_OVERDRAWN", "NOT_CUSTODIAN"}
    assert around_oxide.downstream == []  # nothing was made from DYO-1
    around_ore = blocking_around(store, SETTINGS, "C1", DAY)
    assert [f.code for f in around_ore.upstream] == ["LOT_OVERDRAWN"]
    assert "NOT_CUSTODIAN" in {f.code for f in around_ore.downstream}  # the trader's, on DYO-1
    sibling = blocking_around(store, SETTINGS, "CEO-1", DAY)
    assert [f.code for f in sibling.upstream] == ["LOT_OVERDRAWN"] and sibling.downstream == []
    clean = blocking_around(store, SETTINGS, "C2", DAY)  # the near miss: the same mine, an untouched lot
    assert clean.upstream == [] and clean.downstream == []
    assert all(f.code in BLOCKING_CODES for f in around_oxide.upstream + around_ore.downstream)
