"""A small ledger for the risk view's tests: six separation plants, one of which diverts
dysprosium and yields less than the others (tests/integration/test_risk_store.py, the CLI's
and the pages' tests)."""

from __future__ import annotations

from factory import Party, World, extract, lot, party, transform
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry

FEED = {"Ce": 0.2, "La": 0.1, "Nd": 0.07, "Dy": 0.01}
YIELDS = (0.95, 0.96, 0.97, 0.955, 0.965)  # the honest plants'; the sixth yields 0.80
DIVERTER_YIELD = 0.80


def plants() -> list[Party]:
    return [party(10 + n, "mining", "separation") for n in range(6)]


def separation(who: int, y: float, dy_kept: float, time: str) -> list[dict]:
    """A plant mines 1000 kg of concentrate and separates it: the output holds `y` of each
    element, and `dy_kept` of its dysprosium."""
    made = {e: f * (dy_kept if e == "Dy" else y) for e, f in FEED.items()}
    return [
        extract(f"x{who}", f"C-{who}", 1000, time="2026-01-05T08:00:00+08:00", composition=FEED),
        transform(f"s{who}", "separation", [(f"C-{who}", 1000)], [lot(f"O-{who}", "mixed_compound", 1000, made)], time),
    ]


def build(store, write_json) -> list[Party]:
    """Six plants registered and their January ingested: the sixth diverts Dy; their parties."""
    world = World()
    parties = plants()
    doc = world.registry()
    doc["enterprises"] += [p.registry_entry() for p in parties]
    load_registry(store, doc)
    files = []
    for n, p in enumerate(parties):
        honest = n < len(YIELDS)
        y = YIELDS[n] if honest else DIVERTER_YIELD
        # the last plant separates in the night of 31 January, UTC+8: still January there,
        # the plant before it an hour after midnight on 1 February: February there, 31 January in UTC
        time = {4: "2026-02-01T01:00:00+08:00", 5: "2026-01-31T20:00:00+08:00"}.get(n, "2026-01-20T08:00:00+08:00")
        events = separation(n, y, y if honest else 0.5, time)
        files.append(write_json(f"p{n}.json", p.submit(events)))
    ingest(store, files, as_received_created_at=True)
    return parties
