"""Ingest on a real store (SQLite, or PostgreSQL with REETRACE_TEST_DB): acceptance,
idempotency, all-or-nothing, and every rejection class."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from factory import extract, make_key, party, receive, ship
from reetrace.ledger.submission import sign_submission
from reetrace.services import log
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.store import ledger_repo
from reetrace.store import tables as t

CST = timezone(timedelta(hours=8))


def count(store, table) -> int:
    with store.reading() as conn:
        return conn.scalar(select(func.count()).select_from(table))


@pytest.fixture
def registered(store, world):
    load_registry(store, world.registry())
    return store


def run(store, write_json, docs: dict[str, object], **kw):
    paths = [write_json(name, doc) for name, doc in docs.items()]
    return ingest(store, paths, as_received_created_at=True, **kw)


def test_accepts_and_indexes_lots(registered, world, write_json):
    sub = world.mine.submit([extract("e1", "L1"), extract("e2", "L2"), ship("e3", ["L1"], world.plant.uscc, "S1")])
    report = run(registered, write_json, {"a.json": sub})
    assert report.as_contract()["submissions"] == {"accepted": 1, "duplicate": 0, "rejected": 0}
    assert report.events_accepted == 3
    assert count(registered, t.events) == 3
    assert count(registered, t.lots) == 2
    with registered.reading() as conn:
        row = conn.execute(select(t.submissions)).one()
        stored = conn.execute(select(t.events.c.body).order_by(t.events.c.seq)).scalars().all()
    assert row.received_at.startswith("2026-02-05T02:00:00")  # created_at taken as receipt time
    assert json.loads(stored[0]) == sub["events"][0]


def test_resending_is_a_no_op(registered, world, write_json):
    sub = world.mine.submit([extract("e1", "L1")])
    run(registered, write_json, {"a.json": sub})
    again = run(registered, write_json, {"b.json": sub})
    assert again.as_contract()["submissions"] == {"accepted": 0, "duplicate": 1, "rejected": 0}
    assert again.as_contract()["events"] == {"accepted": 0, "duplicate": 1}
    # the same event in a new submission (signed again later) is a duplicate too
    resigned = world.mine.submit([extract("e1", "L1"), extract("e2", "L2")], created_at="2026-02-06T10:00:00+08:00")
    third = run(registered, write_json, {"c.json": resigned})
    assert third.as_contract()["events"] == {"accepted": 1, "duplicate": 1}
    assert count(registered, t.events) == 2


def test_conflict_rejects_the_whole_submission(registered, world, write_json):
    run(registered, write_json, {"a.json": world.mine.submit([extract("e1", "L1", mass_kg=1000)])})
    clash = world.mine.submit(
        [extract("e9", "L9"), extract("e1", "L1", mass_kg=1200)], created_at="2026-02-07T10:00:00+08:00"
    )
    report = run(registered, write_json, {"b.json": clash})
    [rejection] = report.as_contract()["rejected"]
    assert rejection["reason"].startswith("conflict: ")
    assert rejection["event"] == f"{world.mine.uscc}:e1"
    assert count(registered, t.events) == 1  # e9 was not recorded either
    with registered.reading() as conn:
        kept = conn.execute(select(t.rejections)).one()
    assert kept.reason_class == "conflict" and kept.raw


def test_conflict_inside_one_batch(registered, world, write_json):
    first = world.mine.submit([extract("e1", "L1", mass_kg=1000)])
    second = world.mine.submit([extract("e1", "L1", mass_kg=999)], created_at="2026-02-08T10:00:00+08:00")
    report = run(registered, write_json, {"a.json": first, "b.json": second})
    assert [r["reason"].split(":")[0] for r in report.as_contract()["rejected"]] == ["conflict"]
    assert count(registered, t.events) == 1


def test_a_batch_naming_recorded_events_is_written_again_whole(registered, world, write_json, monkeypatch):
    """A batch is first written as if none of its events were recorded; when one is, that attempt
    must leave nothing behind: the batch is written again, each event once, its lots once."""
    looked_up = []
    recorded_events = ledger_repo._recorded_events
    monkeypatch.setattr(
        ledger_repo,
        "_recorded_events",
        lambda conn, batch: looked_up.append(len(batch)) or recorded_events(conn, batch),
    )
    run(registered, write_json, {"a.json": world.mine.submit([extract("e1", "L1"), extract("e2", "L2")])})
    report = run(
        registered,
        write_json,
        {
            "b.json": world.mine.submit([extract("e3", "L3")], created_at="2026-02-06T10:00:00+08:00"),
            "c.json": world.mine.submit(
                [extract("e2", "L2"), extract("e4", "L4")],  # e2 is recorded
                created_at="2026-02-07T10:00:00+08:00",
            ),
            "d.json": world.mine.submit(
                [extract("e1", "L1", mass_kg=7), extract("e5", "L5")],  # e1 conflicts
                created_at="2026-02-08T10:00:00+08:00",
            ),
        },
    )
    assert report.as_contract()["submissions"] == {"accepted": 2, "duplicate": 0, "rejected": 1}
    assert report.as_contract()["events"] == {"accepted": 2, "duplicate": 1}
    with registered.reading() as conn:
        events = conn.execute(select(t.events.c.seq, t.events.c.event_id).order_by(t.events.c.seq)).all()
        lots = conn.execute(select(t.lots.c.lot).order_by(t.lots.c.seq)).scalars().all()
    assert [event_id for _, event_id in events] == ["e1", "e2", "e3", "e4"]
    assert [seq for seq, _ in events] == [1, 2, 3, 4]
    assert lots == ["L1", "L2", "L3", "L4"]
    assert looked_up == [3]  # the first ingest went in at the first attempt, the second at the second
    assert log.verify_log(registered).ok


def _rejection(store, write_json, doc_or_text, name="x.json"):
    if isinstance(doc_or_text, str):
        path = write_json(name, None)
        path.write_text(doc_or_text, encoding="utf-8")
        report = ingest(store, [path], as_received_created_at=True)
    else:
        report = run(store, write_json, {name: doc_or_text})
    [rejected] = report.as_contract()["rejected"]
    assert count(store, t.events) == 0
    return rejected


def test_parse(registered, write_json):
    assert _rejection(registered, write_json, "{oops")["reason"].startswith("parse: ")
    assert _rejection(registered, write_json, "[1, 2]", "y.json")["reason"].startswith("parse: ")


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda s: s.pop("created_at"), "created_at"),
        (lambda s: s.update(extra=1), "unknown member"),
        (lambda s: s["events"][0].update(mass_kg=5), "unknown member"),
        (lambda s: s["events"][0]["outputs"][0].update(mass_kg=0), "greater than 0"),
        (lambda s: s["events"][0]["outputs"][0].update(mass_kg="5"), "mass_kg"),
        (lambda s: s["events"][0]["outputs"][0]["composition"].update(Xx=0.1), "Xx"),
        (lambda s: s["events"][0]["outputs"][0]["composition"].update(La=0.9), "more than 1"),
        (lambda s: s["events"][0].update(time="2026-01-01T00:00:00"), "offset"),
        (lambda s: s["events"][0].update(type="teleport"), "unknown event type"),
        (lambda s: s["events"][0]["outputs"][0].update(lot="bad lot!"), "lot"),
    ],
)
def test_schema(registered, world, write_json, mutate, words):
    doc = world.mine.submit([extract("e1", "L1")])
    mutate(doc)
    rejected = _rejection(registered, write_json, doc)
    assert rejected["reason"].startswith("schema: ")
    assert words in rejected["reason"]


def test_schema_names_the_offending_event(registered, world, write_json):
    doc = world.mine.submit([extract("e1", "L1"), extract("e2", "L2", mass_kg=-1)])
    rejected = _rejection(registered, write_json, doc)
    assert rejected["event"] == f"{world.mine.uscc}:e2"
    assert "events[1]" in rejected["reason"]


def test_reporter_unknown_or_invalid(registered, write_json):
    stranger = party(99, "mining")
    assert _rejection(registered, write_json, stranger.submit([extract("e1", "L1")]))["reason"].startswith("reporter: ")
    doc = stranger.submit([extract("e1", "L1")])
    doc["reporter"] = doc["reporter"][:-1] + ("0" if doc["reporter"][-1] != "0" else "1")
    assert _rejection(registered, write_json, doc, "z.json")["reason"].startswith("reporter: ")


def test_key_classes(store, world, write_json):
    registry = world.registry()
    registry["enterprises"][0]["keys"][0]["revoked_at"] = "2026-02-01T00:00:00+08:00"
    load_registry(store, registry)
    revoked = world.mine.submit([extract("e1", "L1")], created_at="2026-02-05T10:00:00+08:00")
    assert "revoked" in _rejection(store, write_json, revoked)["reason"]
    early = world.plant.submit(
        [extract("e1", "L1", time="2024-05-31T08:00:00+08:00")], created_at="2024-06-01T10:00:00+08:00"
    )
    assert "valid only from" in _rejection(store, write_json, early, "b.json")["reason"]
    borrowed = sign_submission(world.plant.uscc, world.trader.key, "2026-02-05T10:00:00+08:00", [extract("e1", "L1")])
    assert "belongs to" in _rejection(store, write_json, borrowed, "c.json")["reason"]
    unknown = sign_submission(world.plant.uscc, make_key("nobody"), "2026-02-05T10:00:00+08:00", [extract("e1", "L")])
    reason = _rejection(store, write_json, unknown, "d.json")["reason"]
    assert reason.startswith("key: ") and "not registered" in reason
    # signed before revocation: still valid
    before = world.mine.submit([extract("e1", "L1")], created_at="2026-01-20T10:00:00+08:00")
    assert run(store, write_json, {"e.json": before}).submissions_accepted == 1


def test_signature(registered, world, write_json):
    doc = world.mine.submit([extract("e1", "L1")])
    doc["events"][0]["outputs"][0]["mass_kg"] = 1001
    assert _rejection(registered, write_json, doc)["reason"] == "signature: does not verify"
    doc = world.mine.submit([extract("e1", "L1")])
    doc["signature"] = doc["signature"][::-1]
    assert _rejection(registered, write_json, doc, "b.json")["reason"].startswith("signature: ")


def test_received_at_is_own_clock_and_future_is_refused(registered, world, write_json):
    now = datetime(2026, 3, 1, 12, 0, tzinfo=CST)
    ok = world.mine.submit([extract("e1", "L1")], created_at="2026-03-01T12:04:00+08:00")
    ahead = world.mine.submit([extract("e2", "L2")], created_at="2026-03-01T12:06:00+08:00")
    report = ingest(registered, [write_json("ok.json", ok), write_json("ahead.json", ahead)], clock=lambda: now)
    assert report.submissions_accepted == 1
    [rejected] = report.as_contract()["rejected"]
    assert rejected["source"].endswith("ahead.json") and "ahead of the time of receipt" in rejected["reason"]
    with registered.reading() as conn:
        assert conn.scalar(select(t.submissions.c.received_at)).startswith("2026-03-01T04:00:00")


def test_good_submissions_survive_bad_neighbours(registered, world, write_json):
    good = world.mine.submit([extract("e1", "L1")])
    other = world.plant.submit([receive("r1", ["L1"], world.mine.uscc, "S1")])
    report = run(registered, write_json, {"a.json": good, "b.json": "{", "c.json": other})
    assert report.submissions_accepted == 2 and len(report.rejected) == 1
    assert count(registered, t.rejections) == 1


def test_registry_load_is_idempotent(store, world):
    load_registry(store, world.registry())
    load_registry(store, world.registry())
    assert count(store, t.enterprises) == 3
    assert count(store, t.qualifications) == 5
    assert count(store, t.licenses) == 1


def test_parallel_ingest_keeps_what_a_sequential_one_keeps(registered, world, write_json, monkeypatch):
    from reetrace.services import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "PARALLEL_FROM_FILES", 1)  # authenticate in worker processes
    run(registered, write_json, {"a.json": world.mine.submit([extract("e1", "L1", mass_kg=1000)])})
    clash = world.mine.submit([extract("e1", "L1", mass_kg=5)], created_at="2026-02-07T10:00:00+08:00")
    good = world.plant.submit([receive("r1", ["L1"], world.mine.uscc, "S1")])
    report = run(registered, write_json, {"b.json": clash, "c.json": good, "d.json": "{"})
    assert report.submissions_accepted == 1
    assert sorted(r.reason_class for r in report.rejected) == ["conflict", "parse"]
    with registered.reading() as conn:
        kept = {r.reason_class: r.raw for r in conn.execute(select(t.rejections))}
    assert json.loads(kept["conflict"]) == clash and json.loads(kept["parse"]) == "{"
