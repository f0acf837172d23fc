"""The audit over a real store: the same findings whatever order submissions arrived in, and a
lot spent twice by racing ingests is always caught."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest
from sqlalchemy import select, text
from test_concurrency import start_ingest

from factory import export, extract
from reetrace.config import Settings
from reetrace.demo import generate, write
from reetrace.services.audit import audit_ledger, findings_document
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.store import tables as t
from reetrace.store.database import open_store
from reetrace.store.ledger_repo import iter_events


def audit_json(store, as_of: date) -> str:
    return json.dumps(findings_document(audit_ledger(store, Settings(), as_of), as_of), sort_keys=True)


@pytest.fixture(scope="module")
def demo_year(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    demo = generate(seed=11, scale=0.3)
    write(demo, root)
    return demo, sorted((root / "submissions").rglob("*.json"))


def test_shuffled_arrival_gives_identical_findings(store, tmp_path, demo_year):
    demo, files = demo_year
    load_registry(store, demo.registry)
    ingest(store, files, as_received_created_at=True)
    expected = audit_json(store, date(2026, 1, 31))
    assert set(demo.injected_codes) <= {f["code"] for f in json.loads(expected)["findings"]}

    shuffled = list(files)
    random.Random(3).shuffle(shuffled)
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    load_registry(other, demo.registry)
    for path in shuffled:  # one submission at a time, in a different order
        ingest(other, [path], as_received_created_at=True)
    assert audit_json(other, date(2026, 1, 31)) == expected
    other.dispose()


@pytest.mark.slow
def test_a_lot_exported_twice_by_racing_ingests_is_caught(store, store_url, world, write_json):
    load_registry(store, world.registry())
    first = world.trader.submit(
        [
            extract("t0", "DY-1", 10, composition={"Ce": 0.5}),
            export("t1", ["DY-1"], license_no=None, time="2026-01-20T08:00:00+08:00"),
        ]
    )
    second = world.trader.submit(
        [export("t2", ["DY-1"], license_no=None, time="2026-01-21T08:00:00+08:00")],
        created_at="2026-02-06T10:00:00+08:00",
    )
    a, b = write_json("a/first.json", first), write_json("b/second.json", second)
    procs = [start_ingest(store_url, b), start_ingest(store_url, a)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    findings = audit_ledger(store, Settings(), date(2026, 12, 31))
    spent_twice = [(f.code, f.event) for f in findings if f.lot == "DY-1"]
    assert ("NOT_CUSTODIAN", f"{world.trader.uscc}:t2") in spent_twice
    assert all(event != f"{world.trader.uscc}:t1" for _, event in spent_twice)


def test_the_ledger_is_read_back_in_time_order_batch_by_batch(store, demo_year):
    """`iter_events` reads through the driver's cursor, a named (server-side) one on PostgreSQL:
    the rows, their order and the filters are those of the same query run by SQLAlchemy."""
    demo, files = demo_year
    load_registry(store, demo.registry)
    ingest(store, files, as_received_created_at=True)
    e = t.events.c
    with store.reading() as conn:

        def expected(*where):
            stmt = (
                select(e.seq, e.reporter, e.time, e.received_at, e.body)
                .where(*where)
                .order_by(e.time, e.reporter, e.event_id)
            )
            return [tuple(row) for row in conn.execute(stmt)]

        def open_cursors() -> int:
            return conn.scalar(text("SELECT count(*) FROM pg_cursors WHERE name LIKE 'reetrace_events_%'"))

        every = expected()
        rows = iter_events(conn, batch=50)
        first = next(rows)
        if store.dialect == "postgresql":  # the rows stay on the server until fetched
            assert open_cursors() == 1
        assert [first, *rows] == every
        if store.dialect == "postgresql":
            assert open_cursors() == 0
        middle = every[len(every) // 2][2]
        assert list(iter_events(conn, until=middle, types=("ship", "receive"), batch=7)) == expected(
            e.time <= middle, e.type.in_(("ship", "receive"))
        )
        assert list(iter_events(conn, since=middle)) == expected(e.time >= middle)


def test_the_audits_larger_page_cache_is_given_back(store, demo_year):
    """The full audit reads the ledger with a larger SQLite page cache (store.database.scan_cache);
    the pooled connection it used has the usual cache again afterwards, so a server's connections
    do not each keep the larger one."""
    from reetrace.services.audit import replay_ledger
    from reetrace.store.database import CACHE_MIB, SCAN_CACHE_MIB, scan_cache

    if store.dialect != "sqlite":
        pytest.skip("the page cache is SQLite's: PostgreSQL's buffers belong to its server")
    demo, files = demo_year
    load_registry(store, demo.registry)
    ingest(store, files[:20], as_received_created_at=True)
    with store.reading() as conn:
        usual = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        with scan_cache(conn):
            during = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        replay_ledger(conn, Settings(), date(2026, 12, 31))
        after = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    assert usual == after == -CACHE_MIB * 1024
    assert during == -SCAN_CACHE_MIB * 1024
