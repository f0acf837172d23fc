"""Incremental supervision equals a full audit: a demo year (with its injected violations and its
customs declarations) arrives one signed submission at a time in shuffled order, so months,
shipments and receipts, exports and their declarations come out of order. A third of the monthly
reports are split in two, the second part sent three weeks later (late), so a month's events and
a lot's history also arrive in pieces. After every few submissions the stored findings must be
exactly what a full audit of the ledger as it then stands finds, and at the end every finding of
the year must be there."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from reetrace.cli import demo_steps
from reetrace.config import Settings
from reetrace.demo import generate, write
from reetrace.demo.cast import signing_key
from reetrace.demo.documents import submission_text
from reetrace.ledger.submission import sign_submission
from reetrace.services import supervision
from reetrace.services.audit import audit_ledger
from reetrace.services.customs import load_declarations
from reetrace.services.ingest import ingest, submission_files
from reetrace.services.registry import load_registry
from reetrace.store.database import open_store
from stores import fresh_store_url

YEAR = 2025
SEED = 11
AS_OF = date(YEAR + 1, 1, 31)


def altered(events: list[dict], rng: random.Random, other_lots: list[str]) -> list[dict]:
    """Some events changed the way real reports go wrong, so that every path by which a finding
    depends on other events is taken: receipts naming a lot other than the one shipped or
    leaving one out (the shipment key, not the lots, links them), exports naming a declaration
    customs never reported (customs then matches its declaration to them by their lots)."""
    out = []
    for event in events:
        event = dict(event)
        draw = rng.random()
        if event["type"] == "receive" and draw < 0.04:
            event["lots"] = [*event["lots"][:-1], rng.choice(other_lots)]
        elif event["type"] == "receive" and draw < 0.08 and len(event["lots"]) > 1:
            event["lots"] = event["lots"][1:]
        elif event["type"] == "export" and draw < 0.15:
            event["customs_declaration"] += "9"  # a number customs never reported
        out.append(event)
    return out


def arrivals(year, folder: Path) -> Path:
    """The year's submissions as files, a third of them split in two with the second half late."""
    rng = random.Random(5)
    out = folder / "arrivals"
    made = [o["lot"] for doc in year.submissions for e in doc["events"] for o in e.get("outputs", ())]
    for n, doc in enumerate(year.submissions):
        events = altered(doc["events"], rng, made)
        parts = [(doc["created_at"], events)]
        if n % 3 == 0 and len(events) > 1:
            rng.shuffle(events)
            cut = rng.randrange(1, len(events))
            late = (datetime.fromisoformat(doc["created_at"]) + timedelta(days=21)).isoformat()
            parts = [(doc["created_at"], events[:cut]), (late, events[cut:])]
        for part, (created, chunk) in enumerate(parts):
            signed = sign_submission(doc["reporter"], signing_key(SEED, doc["reporter"]), created, chunk)
            path = out / f"{n:04d}-{part}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(submission_text(signed), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def demo_year(tmp_path_factory: pytest.TempPathFactory):
    """A demo year written to disk and its customs declarations (made on a fully ingested store)."""
    folder = tmp_path_factory.mktemp("incremental")
    year = generate(seed=SEED, scale=0.6, year=YEAR)
    write(year, folder)
    reference = open_store(f"sqlite:///{folder / 'reference.db'}")
    load_registry(reference, year.registry)
    ingest(reference, [folder / "submissions"], as_received_created_at=True)
    demo_steps.customs_step(reference, Settings(), folder / "customs", YEAR, SEED, AS_OF)
    reference.dispose()
    return year, arrivals(year, folder), (folder / "customs" / "declarations.csv").read_bytes()


def contract(findings):
    return [f.as_contract() for f in findings]


@pytest.mark.parametrize("order_seed", [1, 2])
def test_incremental_findings_equal_a_full_audit_whatever_the_arrival_order(demo_year, tmp_path: Path, order_seed: int):
    year, arrived, declarations = demo_year
    files = submission_files([arrived])
    random.Random(order_seed).shuffle(files)
    with fresh_store_url(tmp_path / "store.db") as url:
        settings = Settings(db_url=url)
        store = open_store(url)
        try:
            load_registry(store, year.registry)
            load_declarations(
                store, declarations, "declarations.csv", "customs", start=date(YEAR, 1, 1), end=date(YEAR, 12, 31)
            )
            # before any event, every declaration is one without an export
            numbers = {line.split(b",")[0] for line in declarations.splitlines()[1:]}
            assert supervision.start(store, settings, AS_OF) == len(numbers) > 0
            recomputed = 0
            checks = 0
            for n, path in enumerate(files, 1):
                report = ingest(store, [path], as_received_created_at=True, settings=settings)
                absorbed = report.supervision
                assert absorbed is not None and not absorbed.stale
                recomputed += absorbed.replayed
                if n % 25 == 0 or n == len(files):
                    with store.reading() as conn:
                        kept = supervision.current_findings(conn, settings, AS_OF)
                    assert kept is not None, "supervision should hold for the ledger as it stands"
                    assert contract(kept) == contract(audit_ledger(store, settings, AS_OF, full=True)), (
                        f"after {n} of {len(files)} submissions"
                    )
                    checks += 1
            final = audit_ledger(store, settings, AS_OF)  # served from the supervised findings
        finally:
            store.dispose()
    assert checks >= 4
    codes = Counter(f.code for f in final)
    # the year's injected violations, customs ones included, are all among the supervised findings
    assert {item["code"] for item in year.injected} <= set(codes)
    assert {"DECLARATION_WITHOUT_EXPORT", "SHIPMENT_NOT_RECEIVED", "LATE_REPORT"} & set(codes)
    # and they were found without replaying the ledger for every submission
    assert recomputed < len(files) * year.event_count / 4
