"""Incremental supervision equals a full audit for the findings that read a lot's ancestry
(ELEMENT_DIVERTED, RECYCLING_IMPLAUSIBLE, LAYERED_CIRCULAR_TRADE): the events of a few chains
that raise them, and of near misses, arrive one per submission in shuffled order, so an upstream
creation, shipment or receipt often comes after the receipt or recycling run it decides. After
every submission the stored findings must be what a full audit of the ledger as it stands finds."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from factory import lot, party, receive, ship, transform
from reetrace.config import Settings
from reetrace.services import supervision
from reetrace.services.audit import audit_ledger
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.store.database import open_store
from stores import fresh_store_url

AS_OF = date(2026, 12, 31)
KINDS = ("mining", "separation", "metal", "magnet", "recycling", "trade", "export")
HOME, TRADER_1, TRADER_2, TOLLER, RECYCLER = (party(n, *KINDS) for n in range(41, 46))
ND_OXIDE = {"Nd": 0.8574}
CONCENTRATE = {"La": 0.12, "Ce": 0.25, "Pr": 0.025, "Nd": 0.09}


def day(n: int) -> str:
    return (datetime.fromisoformat("2026-03-01T09:00:00+08:00") + timedelta(days=n)).isoformat()


def imported(event_id: str, lot_id: str, form: str, mass: float, composition: dict[str, float], n: int):
    return {
        "event_id": event_id,
        "type": "import",
        "time": day(n),
        "origin_country": "MM",
        "customs_declaration": f"CD-{event_id}",
        "outputs": [lot(lot_id, form, mass, composition)],
    }


def extracted(event_id: str, lot_id: str, n: int):
    return {
        "event_id": event_id,
        "type": "extract",
        "time": day(n),
        "deposit": "rock",
        "outputs": [lot(lot_id, "concentrate", 1000.0, CONCENTRATE)],
    }


def move(sender, receiver, lots: list[str], shipment: str, n: int):
    """A shipment and its receipt the next day."""
    return [
        (sender, ship(f"s-{shipment}", lots, receiver.uscc, shipment, day(n))),
        (receiver, receive(f"r-{shipment}", lots, sender.uscc, shipment, day(n + 1))),
    ]


def chains():
    """(reporter, event) of: oxide sent round two traders and a repack and back (layered); the
    same by a toller only (no finding); concentrate relabelled scrap and recycled; magnet scrap
    recycled (no finding); a transform losing a fifth of its Dy."""
    return [
        (HOME, imported("i-x", "X", "oxide", 1000.0, ND_OXIDE, 0)),
        *move(HOME, TRADER_1, ["X"], "L1", 1),
        *move(TRADER_1, TRADER_2, ["X"], "L2", 5),
        (TRADER_2, transform("t-rep", "repack", [("X", 1000.0)], [lot("X2", "oxide", 1000.0, ND_OXIDE)], day(8))),
        (TRADER_2, transform("t-blend", "other", [("X2", 600.0)], [lot("X3", "oxide", 600.0, ND_OXIDE)], day(9))),
        *move(TRADER_2, HOME, ["X3"], "L3", 20),
        (HOME, imported("i-z", "Z", "oxide", 1000.0, ND_OXIDE, 30)),
        *move(HOME, TOLLER, ["Z"], "T1", 31),
        (TOLLER, transform("t-toll", "metal", [("Z", 1000.0)], [lot("ZM", "metal", 840.0, {"Nd": 1.0})], day(34))),
        *move(TOLLER, HOME, ["ZM"], "T2", 35),
        (TOLLER, extracted("x-c", "C", 2)),
        (TOLLER, transform("t-lab", "repack", [("C", 1000.0)], [lot("FAKE", "scrap", 1000.0, CONCENTRATE)], day(3))),
        *move(TOLLER, RECYCLER, ["FAKE"], "F1", 4),
        (RECYCLER, transform("t-rec", "recycling", [("FAKE", 1000.0)], [lot("R1", "oxide", 300.0, ND_OXIDE)], day(7))),
        (TRADER_1, imported("i-m", "MAG", "magnet", 500.0, {"Nd": 0.3, "Dy": 0.01}, 2)),
        (
            TRADER_1,
            transform(
                "t-scr", "other", [("MAG", 500.0)], [lot("SCR", "scrap", 500.0, {"Nd": 0.3, "Dy": 0.01})], day(3)
            ),
        ),
        *move(TRADER_1, RECYCLER, ["SCR"], "M1", 4),
        (
            RECYCLER,
            transform(
                "t-rec2", "recycling", [("SCR", 500.0)], [lot("R2", "oxide", 170.0, {"Nd": 0.85, "Dy": 0.028})], day(8)
            ),
        ),
        (TRADER_2, imported("i-dy", "DY", "oxide", 100.0, {"Dy": 0.8713}, 2)),
        (TRADER_2, transform("t-div", "metal", [("DY", 100.0)], [lot("DYM", "metal", 70.0, {"Dy": 1.0})], day(3))),
    ]


def registry() -> dict:
    return {
        "format": "reetrace/registry@1",
        "enterprises": [p.registry_entry() for p in (HOME, TRADER_1, TRADER_2, TOLLER, RECYCLER)],
    }


def contract(findings):
    return [f.as_contract() for f in findings]


@pytest.mark.parametrize("order_seed", [1, 2, 3])
def test_lineage_findings_equal_a_full_audit_whatever_the_arrival_order(tmp_path: Path, order_seed: int):
    events = chains()
    random.Random(order_seed).shuffle(events)
    with fresh_store_url(tmp_path / "store.db") as url:
        settings = Settings(db_url=url)
        store = open_store(url)
        try:
            load_registry(store, registry())
            supervision.start(store, settings, AS_OF)
            for n, (reporter, event) in enumerate(events):
                path = tmp_path / f"{n:03d}.json"
                path.write_text(json.dumps(reporter.submit([event], "2026-12-01T10:00:00+08:00")), encoding="utf-8")
                report = ingest(store, [path], as_received_created_at=True, settings=settings)
                assert report.supervision is not None and not report.supervision.stale
                with store.reading() as conn:
                    kept = supervision.current_findings(conn, settings, AS_OF)
                assert kept is not None
                assert contract(kept) == contract(audit_ledger(store, settings, AS_OF, full=True)), (
                    f"after {event['event_id']}, {n + 1} of {len(events)}"
                )
            final = audit_ledger(store, settings, AS_OF)
        finally:
            store.dispose()
    found = {
        (f.code, f.event)
        for f in final
        if f.code in ("ELEMENT_DIVERTED", "RECYCLING_IMPLAUSIBLE", "LAYERED_CIRCULAR_TRADE")
    }
    assert found == {
        ("LAYERED_CIRCULAR_TRADE", f"{HOME.uscc}:r-L3"),
        ("RECYCLING_IMPLAUSIBLE", f"{RECYCLER.uscc}:t-rec"),
        ("ELEMENT_DIVERTED", f"{TRADER_2.uscc}:t-div"),
    }
