"""The analytics export over a real store (SQLite, or PostgreSQL with REETRACE_TEST_DB): a demo year
exported to Parquet, checked row by row against the store, and the DuckDB questions checked
against the services that answer them from the store (quota use, lot facts, the audit)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pyarrow.dataset as ds
import pytest
from sqlalchemy import func, select

from reetrace.analytics import export_parquet, queries, read_manifest
from reetrace.config import Settings
from reetrace.demo import generate, write
from reetrace.domain.elements import ELEMENTS, element_kg, reo_kg
from reetrace.errors import UsageError
from reetrace.services.audit import audit_ledger, quota_use
from reetrace.services.ingest import ingest
from reetrace.services.prereview import lot_facts
from reetrace.services.registry import load_registry
from reetrace.store import tables as t
from reetrace.store.database import open_store
from stores import fresh_store_url

CST = timezone(timedelta(hours=8))
YEAR = 2025


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """A demo year (seed 7, scale 1: about 5,400 events) ingested into a fresh store."""
    root = tmp_path_factory.mktemp("analytics")
    demo = generate(seed=7, scale=1)
    write(demo, root)
    with fresh_store_url(root / "store.db") as url:
        store = open_store(url)
        load_registry(store, demo.registry)
        report = ingest(store, [root / "submissions"], as_received_created_at=True)
        assert report.events_accepted == demo.event_count and not report.rejected
        yield store
        store.dispose()


@pytest.fixture(scope="module")
def exported(demo_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "ledger"
    calls = []
    summary = export_parquet(demo_store, out, progress=lambda done, total: calls.append((done, total)), page_size=1000)
    return out, summary, calls


def _table(out, name):
    return ds.dataset(out / name, partitioning="hive", format="parquet").to_table()


def _scalar(store, stmt):
    with store.reading() as conn:
        return conn.scalar(stmt)


def test_every_event_lot_and_draw_is_exported_once(demo_store, exported):
    out, summary, calls = exported
    n_events = _scalar(demo_store, select(func.count()).select_from(t.events))
    n_lots = _scalar(demo_store, select(func.count()).select_from(t.lots))
    n_draws = _scalar(demo_store, select(func.count()).select_from(t.lot_draws))
    assert summary.rows["events"] == n_events == summary.ledger_size == summary.last_seq
    assert (summary.rows["lot_outputs"], summary.rows["lot_draws"]) == (n_lots, n_draws)
    for name in ("events", "lot_outputs", "lot_draws", "lot_moves"):
        assert _table(out, name).num_rows == summary.rows[name]
    assert sorted(_table(out, "events")["seq"].to_pylist()) == list(range(1, n_events + 1))
    manifest = read_manifest(out)
    assert (manifest["ledger_size"], manifest["last_seq"], manifest["rows"]) == (n_events, n_events, summary.rows)
    assert manifest["schema_version"] == 1 and manifest["years"] is None
    # the ledger was read in pages of 1,000 events, each reported as it was written
    assert len(calls) == n_events // 1000 + 2 and calls[0] == (0, n_events) and calls[-1] == (n_events, n_events)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_partitions_hold_the_events_of_their_month_in_china_standard_time(demo_store, exported):
    out, _, _ = exported
    with demo_store.reading() as conn:
        times = conn.scalars(select(t.events.c.time)).all()
    expected = Counter(datetime.fromisoformat(s).astimezone(CST).strftime("year=%Y/month=%m") for s in times)
    assert len(expected) == 12
    found = Counter()
    for path in (out / "events").glob("year=*/month=*/*.parquet"):
        found[f"{path.parent.parent.name}/{path.parent.name}"] += ds.dataset(path).count_rows()
    assert found == expected
    events = _table(out, "events")
    for row in events.slice(0, 200).to_pylist():
        local = row["time"].astimezone(CST)
        assert (row["year"], row["month"], row["local_date"]) == (local.year, local.month, local.date())
    for name in ("lot_outputs", "lot_draws", "lot_moves"):
        assert sorted(p.name for p in (out / name).glob(f"year={YEAR}/month=*")) == [
            f"month={m:02d}" for m in range(1, 13)
        ]


def test_event_columns_are_the_body_members(demo_store, exported):
    out, _, _ = exported
    rows = {r["seq"]: r for r in _table(out, "events").to_pylist()}
    with demo_store.reading() as conn:
        stored = conn.execute(select(t.events)).all()
    for event in stored:
        row, body = rows[event.seq], json.loads(event.body)
        assert (row["reporter"], row["event_id"], row["type"], row["digest"], row["submission_id"]) == (
            event.reporter,
            event.event_id,
            event.type,
            event.digest,
            event.submission_id,
        )
        assert row["body"] == event.body
        assert row["time"] == datetime.fromisoformat(event.time)
        assert row["received_at"] == datetime.fromisoformat(event.received_at)
        counterparty = body.get("to") if event.type == "ship" else body.get("from")
        for column, value in (
            ("site", body.get("site")),
            ("process", body.get("process")),
            ("deposit", body.get("deposit")),
            ("shipment", body.get("shipment")),
            ("counterparty", counterparty),
            ("destination", body.get("destination")),
            ("consignee", body.get("consignee")),
            ("license_no", body.get("license_no")),
            ("customs_declaration", body.get("customs_declaration")),
            ("origin_country", body.get("origin_country")),
            ("lot", body.get("lot")),
            ("delta_kg", body.get("delta_kg")),
            ("purpose", body.get("purpose")),
            ("received_kg", body.get("mass_kg")),
        ):
            assert row[column] == value, (event.seq, column)


def test_lot_rows_are_the_lot_indexes_and_the_moves_in_the_bodies(demo_store, exported):
    out, _, _ = exported
    outputs = {(r["seq"], r["position"]): r for r in _table(out, "lot_outputs").to_pylist()}
    with demo_store.reading() as conn:
        lots = conn.execute(select(t.lots)).all()
        draws = conn.execute(select(t.lot_draws)).all()
        moving = conn.execute(
            select(t.events.c.seq, t.events.c.reporter, t.events.c.type, t.events.c.body).where(
                t.events.c.type.in_(("ship", "receive", "export", "adjust"))
            )
        ).all()
    assert len(outputs) == len(lots)
    for lot in lots:
        row = outputs[(lot.seq, lot.position)]
        composition = json.loads(lot.composition)
        assert (row["lot"], row["form"], row["mass_kg"], row["hs_code"]) == (
            lot.lot,
            lot.form,
            lot.mass_kg,
            lot.hs_code,
        )
        assert json.loads(row["composition"]) == composition
        elements = element_kg(lot.mass_kg, composition)
        assert row["reo_kg"] == pytest.approx(reo_kg(elements), rel=1e-12, abs=0)  # the audit's figure
        assert all(row[f"{e.lower()}_kg"] == elements.get(e, 0.0) for e in ELEMENTS)
    exported_draws = sorted(
        (r["seq"], r["position"], r["lot"], r["mass_kg"]) for r in _table(out, "lot_draws").to_pylist()
    )
    assert exported_draws == sorted((d.seq, d.position, d.lot, d.mass_kg) for d in draws)
    expected_moves = []
    for seq, reporter, kind, body_text in moving:
        body = json.loads(body_text)
        if kind == "adjust":
            expected_moves.append((seq, 0, kind, body["lot"], reporter, None, None, body["delta_kg"]))
            continue
        for position, lot in enumerate(body["lots"]):
            expected_moves.append(
                (seq, position, kind, lot, reporter, body.get("to", body.get("from")), body.get("shipment"), None)
            )
    got = sorted(
        (r["seq"], r["position"], r["type"], r["lot"], r["reporter"], r["counterparty"], r["shipment"], r["delta_kg"])
        for r in _table(out, "lot_moves").to_pylist()
    )
    assert got == sorted(expected_moves)


def test_quota_use_equals_the_services_to_the_gram(demo_store, exported):
    out, _, _ = exported
    expected = quota_use(demo_store, YEAR)
    got = queries.quota_use(out, YEAR).dicts()
    assert len(got) == len(expected) > 0
    assert any(r.kind == "mining" for r in expected) and any(r.kind == "separation" for r in expected)
    for want, row in zip(expected, got, strict=True):
        assert (row["year"], row["uscc"], row["name"], row["kind"], row["category"], row["quota_tonnes"]) == (
            YEAR,
            want.uscc,
            want.name,
            want.kind,
            want.category,
            want.quota_tonnes,
        )
        assert abs(row["used_tonnes"] - want.used_tonnes) * 1e6 < 1  # grams
    assert queries.quota_use(out, YEAR + 1).rows == []


def test_lot_balances_agree_with_the_lot_facts(demo_store, exported):
    out, _, _ = exported
    balances = {r["lot"]: r for r in queries.lot_balances(out).dicts()}
    assert len(balances) == _scalar(demo_store, select(func.count(func.distinct(t.lots.c.lot))))
    with demo_store.reading() as conn:
        facts = lot_facts(conn, sorted(balances), Settings().thresholds.overdraw_tolerance_kg)
    statuses = Counter()
    for lot, row in balances.items():
        fact = facts[lot]
        assert (row["status"], row["custodian"]) == (fact.status, fact.custodian), lot
        assert row["remaining_kg"] == pytest.approx(fact.remaining_kg, abs=1e-6), lot
        assert row["drawn_kg"] == pytest.approx(row["transformed_kg"] + row["consumed_kg"])
        statuses[row["status"]] += 1
    assert {"held", "exported", "consumed"} <= set(statuses)
    adjusted = [r for r in balances.values() if r["adjusted_kg"] != 0]
    assert adjusted and all(
        r["remaining_kg"] == pytest.approx(facts[r["lot"]].remaining_kg, abs=1e-6) for r in adjusted
    )
    some = sorted(balances)[:3]
    assert [r["lot"] for r in queries.lot_balances(out, some).dicts()] == some


def test_mass_balance_and_yield_agree_with_the_audit(demo_store, exported):
    out, _, _ = exported
    settings = Settings()
    findings = audit_ledger(demo_store, settings, date(YEAR + 1, 1, 31))
    violated = {f.event for f in findings if f.code == "MASS_BALANCE_VIOLATION"}
    low = {f.event for f in findings if f.code == "LOW_YIELD"}
    assert violated and low  # the demo injects both
    elements = queries.element_balance(out).dicts()
    assert {f"{r['reporter']}:{r['event_id']}" for r in elements if r["violation"]} == violated
    transforms = queries.transform_balance(out).dicts()
    assert len(transforms) == _scalar(
        demo_store, select(func.count()).select_from(t.events).where(t.events.c.type == "transform")
    )
    floors = settings.thresholds.yield_floor
    assert {
        f"{r['reporter']}:{r['event_id']}"
        for r in transforms
        if r["reo_yield"] is not None and r["process"] in floors and r["reo_yield"] < floors[r["process"]]
    } == low
    counts = queries.core_queries(out)
    assert counts == {
        "quota_use": len(queries.quota_use(out).rows),
        "lot_balances": len(queries.lot_balances(out).rows),
        "transform_balance": len(transforms),
        "element_balance": len(elements),
    }


def test_exporting_again_replaces_the_export_whole(demo_store, exported, tmp_path):
    out = tmp_path / "ledger"
    first = export_parquet(demo_store, out)
    before = _table(out, "events").sort_by("seq")
    (out / "events" / "stray.txt").write_text("left by hand")
    second = export_parquet(demo_store, out)
    assert second.rows == first.rows and second.partitions == first.partitions
    assert _table(out, "events").sort_by("seq").equals(before)
    assert not (out / "events" / "stray.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger"]  # no staging or old copy left beside it


def test_a_failed_export_leaves_the_previous_one(demo_store, tmp_path):
    out = tmp_path / "ledger"
    export_parquet(demo_store, out)
    manifest = (out / "manifest.json").read_text()

    def interrupt(done, total):
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export_parquet(demo_store, out, progress=interrupt, page_size=500)
    assert (out / "manifest.json").read_text() == manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger"]


def test_a_year_selects_its_events_and_an_empty_export_still_answers(demo_store, tmp_path):
    only = export_parquet(demo_store, tmp_path / "y", years=[YEAR])
    assert only.rows["events"] == only.ledger_size and only.years == (YEAR,)
    none = export_parquet(demo_store, tmp_path / "none", years=[YEAR - 1])
    assert none.rows["events"] == 0 and none.rows["lot_outputs"] == 0 and none.rows["quotas"] == 0
    assert not (tmp_path / "none" / "events").exists() or not any((tmp_path / "none" / "events").iterdir())
    assert queries.quota_use(tmp_path / "none", YEAR).rows == []
    assert queries.core_queries(tmp_path / "none") == {
        "quota_use": 0,
        "lot_balances": 0,
        "transform_balance": 0,
        "element_balance": 0,
    }
    assert queries.query(tmp_path / "none", "SELECT count(*) FROM events").rows == [(0,)]


def test_an_export_never_replaces_what_is_not_an_export(demo_store, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="holds no analytics export"):
        export_parquet(demo_store, precious)
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]
    with pytest.raises(UsageError, match="not an analytics export"):
        queries.query(precious, "SELECT 1")
    with pytest.raises(UsageError, match="no such directory"):
        queries.query(tmp_path / "missing", "SELECT 1")
