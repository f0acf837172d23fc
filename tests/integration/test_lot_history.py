"""A lot's history (`services.trace.history`), on a real store: the creation of the lot and of
every lot it was made from, and the moves and uses of those lots, as submitted; not what else
was made from them nor any other lot's events. Written as an EPCIS document it is valid EPCIS 2.0
and reads back into the same events (what `reetrace demo` exports for a magnet lot)."""

from __future__ import annotations

from datetime import datetime

import pytest

from factory import export, extract, lot, receive, ship, transform
from reetrace.epcis.document import Recorded, epcis_document, read_document
from reetrace.epcis.schema import schema_errors
from reetrace.errors import NotFound
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.services.trace import history

OXIDE = {"Nd": 0.7, "Pr": 0.15}


@pytest.fixture
def chain(store, world, write_json):
    """Ore L1 separated into O1 and, by another run, O2; O1 sold on and exported; ore L2 apart."""
    mine, plant, trader = world.mine, world.plant, world.trader
    by_mine = [
        extract("e1", "L1"),
        extract("e2", "L2", time="2026-01-05T09:00:00+08:00"),
        ship("e3", ["L1"], plant.uscc, "S1"),
    ]
    by_plant = [
        receive("p1", ["L1"], mine.uscc, "S1"),
        transform("p2", "separation", [("L1", 600.0)], [lot("O1", "oxide", 100.0, OXIDE)]),
        transform("p3", "separation", [("L1", 400.0)], [lot("O2", "oxide", 60.0, OXIDE)]),
        ship("p4", ["O1"], trader.uscc, "S2", time="2026-01-12T08:00:00+08:00"),
    ]
    by_trader = [
        receive("t1", ["O1"], plant.uscc, "S2", time="2026-01-13T08:00:00+08:00"),
        export("t2", ["O1"], license_no=None),
    ]
    load_registry(store, world.registry())
    files = [
        write_json(f"{party.uscc}.json", party.submit(events))
        for party, events in ((mine, by_mine), (plant, by_plant), (trader, by_trader))
    ]
    report = ingest(store, files, as_received_created_at=True)
    assert report.rejected == [] and report.events_accepted == 9
    events = {e["event_id"]: (mine.uscc, e) for e in by_mine}
    events |= {e["event_id"]: (plant.uscc, e) for e in by_plant}
    events |= {e["event_id"]: (trader.uscc, e) for e in by_trader}
    return events


def test_a_lots_history_is_its_lineage_as_submitted_in_ledger_order(store, chain):
    assert history(store, "O1") == [chain[i] for i in ("e1", "e3", "p1", "p2", "p4", "t1", "t2")]
    assert history(store, "O2") == [chain[i] for i in ("e1", "e3", "p1", "p3")]
    assert history(store, "L1") == [chain[i] for i in ("e1", "e3", "p1")]  # what was made of it is not its past
    assert history(store, "L2") == [chain["e2"]]


def test_a_lot_not_in_the_ledger_has_no_history(store, chain):
    with pytest.raises(NotFound):
        history(store, "L9")


def test_a_history_as_an_epcis_document_is_valid_and_reads_back(store, chain):
    events = history(store, "O1")
    document = epcis_document([Recorded(r, e) for r, e in events], datetime.fromisoformat("2026-03-01T10:00:00+08:00"))
    assert schema_errors(document) == []
    assert [(c.reporter, c.event) for c in read_document(document)] == events
