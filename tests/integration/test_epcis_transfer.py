"""Two simulated months through EPCIS and back (contract §10: `import(export(x))` gives back the same
§4 events): ingested as the enterprises signed it, exported enterprise by enterprise as EPCIS
documents, each imported and signed with the enterprise's key, ingested into a fresh store; the
two ledgers hold the same event bodies, byte for byte."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from reetrace.demo.cast import signing_key
from reetrace.epcis.schema import schema_errors
from reetrace.services.epcis_transfer import (
    ExportSelection,
    export_document,
    read_epcis_file,
    submission,
    submission_events,
)
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.simulate import simulate
from reetrace.store import tables as t
from reetrace.store.database import Store, open_store
from stores import fresh_store_url

SEED = 7


def bodies(store: Store) -> list[tuple[str, str, str]]:
    with store.reading() as conn:
        rows = conn.execute(select(t.events.c.reporter, t.events.c.event_id, t.events.c.body))
        return sorted((r.reporter, r.event_id, r.body) for r in rows)


def test_months_through_epcis_are_the_same_ledger(store, tmp_path):
    year = tmp_path / "year"
    simulate(year, seed=SEED, scale=0.01, year=2025)
    registry = json.loads((year / "registry.json").read_text(encoding="utf-8"))
    load_registry(store, registry)
    months = sorted(f for m in ("2025-01", "2025-02") for f in year.glob(f"submissions/*/{m}.json"))
    assert ingest(store, months).rejected == []
    original = bodies(store)
    reporters = sorted({reporter for reporter, _, _ in original})
    assert len(original) > 1000 and len(reporters) > 10

    signed = tmp_path / "signed"
    signed.mkdir()
    now = datetime.now(UTC)
    created_at = now.replace(microsecond=0).isoformat()
    for uscc in reporters:
        out = tmp_path / f"{uscc}.jsonld"
        count = export_document(store, ExportSelection(reporter=uscc), out, now)
        document = read_epcis_file(out)
        assert schema_errors(document) == [] and len(document["epcisBody"]["eventList"]) == count
        events = submission_events(document, uscc, now)
        doc = submission(events, uscc, created_at, signing_key(SEED, uscc))
        (signed / f"{uscc}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    with fresh_store_url(tmp_path / "again.db") as url:
        again = open_store(url)
        try:
            load_registry(again, registry)
            report = ingest(again, [signed])
            assert report.rejected == [] and report.submissions_accepted == len(reporters)
            assert bodies(again) == original
        finally:
            again.dispose()
