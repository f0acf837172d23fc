"""Receiving submissions on a real store (SQLite, or PostgreSQL with REETRACE_TEST_DB): every
bad file of a directory is a classified rejection recorded with its digest and size (its bytes
too, within the size bound) while the good ones around it are accepted; each submission's
access-log entry commits with it; a value the store refuses rejects its own submission only."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError

from factory import extract, ship
from reetrace.domain.accounts import Actor
from reetrace.domain.submissions import MAX_BYTES
from reetrace.services import ingest as ingest_service
from reetrace.services import log
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.store import tables as t

OPERATOR = Actor.operator("clerk")


def count(store, table, *where) -> int:
    with store.reading() as conn:
        return conn.scalar(select(func.count()).select_from(table).where(*where))


def good_files(world, folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        doc = world.mine.submit(
            [extract(f"g{i}", f"G{i}", mass_kg=10 + i, time="2026-11-01T08:00:00+08:00")],
            created_at=f"2026-11-02T10:{i // 60 % 60:02d}:{i % 60:02d}+08:00",
        )
        path = folder / f"good-{i:03d}.json"
        path.write_text(json.dumps(doc))
        paths.append(path)
    return paths


def bad_files(world, folder: Path) -> dict[Path, tuple[str, str]]:
    """Files each breaking one rule, with the reason class and words their rejection must have."""
    folder.mkdir(parents=True, exist_ok=True)
    valid = json.dumps(
        world.plant.submit([extract("b1", "B1", time="2026-11-01T08:00:00+08:00")], "2026-11-02T11:00:00+08:00")
    )
    far = world.plant.submit([extract("b2", "B2", time="9999-12-31T23:59:59+08:00")], "2026-11-02T11:00:00+08:00")
    huge = world.plant.submit(
        [extract("b3", "B3", mass_kg=1e300, time="2026-11-01T08:00:00+08:00")], "2026-11-02T11:00:00+08:00"
    )
    cases = {
        "deep.json": (b"[" * 1000 + b"]" * 1000, "schema", "nests more than 32 levels"),
        "utf16.json": (valid.encode("utf-16"), "parse", "not UTF-8"),
        "repeated.json": (valid.replace('"format"', '"format": "x", "format"', 1).encode(), "parse", "is repeated"),
        "nan.json": (valid.replace('"mass_kg": 1000.0', '"mass_kg": NaN').encode(), "parse", "NaN"),
        "infinite.json": (valid.replace('"mass_kg": 1000.0', '"mass_kg": 1e400').encode(), "schema", "not finite"),
        "truncated.json": (valid[:200].encode(), "parse", "not JSON"),
        "far.json": (json.dumps(far).encode(), "schema", "nothing is reported from the future"),
        "huge.json": (json.dumps(huge).encode(), "schema", "beyond 10^9 kg"),
        "tampered.json": (
            valid.replace('"mass_kg": 1000.0', '"mass_kg": 1001.0').encode(),
            "signature",
            "does not verify",
        ),
    }
    files = {}
    for name, (raw, reason_class, words) in cases.items():
        path = folder / name
        path.write_bytes(raw)
        files[path] = (reason_class, words)
    big = folder / "oversized.json"
    with big.open("wb") as file:
        file.write(b'{"format": "reetrace/submission@1", "events": [')
        file.truncate(MAX_BYTES + 1)  # sparse: it costs no disk
    files[big] = ("schema", "67,108,865 bytes received")
    return files


def rejections(store) -> dict[str, dict]:
    with store.reading() as conn:
        return {r.source: r._asdict() for r in conn.execute(select(t.rejections))}


def test_one_bad_file_never_stops_the_others(store, world, tmp_path):
    load_registry(store, world.registry())
    good = good_files(world, tmp_path / "in" / "good", 40)  # more than 16 files: worker processes
    bad = bad_files(world, tmp_path / "in" / "bad")
    report = ingest(store, [tmp_path / "in"], actor=OPERATOR)
    assert report.submissions_accepted == len(good) and report.events_accepted == len(good)
    assert len(report.rejected) == len(bad)
    kept = rejections(store)
    assert set(kept) == {str(p) for p in bad}
    for path, (reason_class, words) in bad.items():
        row = kept[str(path)]
        assert row["reason_class"] == reason_class and words in row["reason"], row["reason"]
        size = path.stat().st_size
        digest = hashlib.sha256()
        with path.open("rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                digest.update(chunk)
        assert row["size"] == size and row["digest"] == digest.hexdigest()
        assert row["raw"] is None if size > MAX_BYTES else bytes(row["raw"]) == path.read_bytes()
    assert log.verify_log(store).ok
    # every file, accepted or rejected, has its one entry in the access log, naming the operator
    with store.reading() as conn:
        entries = conn.execute(select(t.access_log).where(t.access_log.c.action == "change")).all()
    assert len(entries) == len(good) + len(bad)
    assert {e.detail.split(": ", 1)[0] for e in entries} == {str(p) for p in [*good, *bad]}
    assert {(e.username, e.channel, e.os_user, e.what) for e in entries} == {
        ("clerk", "cli", "clerk", "reetrace ingest")
    }
    accepted = [e for e in entries if e.detail.endswith(": accepted (1 events)")]
    assert len(accepted) == len(good) and all(e.enterprise == world.mine.uscc for e in accepted)


def test_a_submission_and_its_access_log_entry_commit_together(store, world, tmp_path, monkeypatch):
    load_registry(store, world.registry())
    paths = good_files(world, tmp_path / "in", 3)
    written = []

    def failing_notes(conn, notes):
        original(conn, notes)  # written, then the transaction fails after them
        written.extend(notes)
        raise RuntimeError("the access log cannot be written")

    original = ingest_service.note_accesses
    monkeypatch.setattr(ingest_service, "note_accesses", failing_notes)
    with pytest.raises(RuntimeError):
        ingest(store, paths, actor=OPERATOR)
    assert len(written) == 3
    # the batch's transaction held the submissions and their entries: all rolled back together
    assert count(store, t.submissions) == count(store, t.events) == count(store, t.access_log) == 0
    monkeypatch.undo()
    assert ingest(store, paths, actor=OPERATOR).submissions_accepted == 3
    assert count(store, t.submissions) == 3 and count(store, t.access_log, t.access_log.c.action == "change") == 3


def test_a_value_the_store_refuses_rejects_only_its_own_submission(store, world, tmp_path, monkeypatch):
    """Every value passed the contract, yet the store refuses one (a column narrower than the
    contract, as event_keys was on PostgreSQL before migration 0016): that submission becomes a
    `schema` rejection, kept with its bytes; the batch's others are accepted."""
    load_registry(store, world.registry())
    paths = good_files(world, tmp_path / "in", 4)
    poison = world.mine.submit(
        [extract("p1", "P1", time="2026-11-01T08:00:00+08:00"), ship("p2", ["P1"], world.plant.uscc, "POISON")],
        created_at="2026-11-03T10:00:00+08:00",
    )
    paths.insert(2, tmp_path / "in" / "poison.json")
    paths[2].write_text(json.dumps(poison))
    original = ingest_service.append

    def refusing_append(conn, batch, with_log=True):
        if any("POISON" in e.body for sub in batch for e in sub.events):
            raise DataError("INSERT INTO event_keys …", {}, Exception("value too long for type character varying(200)"))
        return original(conn, batch, with_log)

    monkeypatch.setattr(ingest_service, "append", refusing_append)
    report = ingest(store, paths, actor=OPERATOR)
    assert report.submissions_accepted == 4 and [r.reason_class for r in report.rejected] == ["schema"]
    row = rejections(store)[str(paths[2])]
    assert row["reason"] == "schema: a value cannot be stored: value too long for type character varying(200)"
    assert bytes(row["raw"]) == paths[2].read_bytes() and row["reporter"] == world.mine.uscc
    assert count(store, t.events) == 4 and log.verify_log(store).ok


def test_a_valid_shipment_of_500_characters_is_filed_under_its_key(store, world, tmp_path):
    """The key of a 500-character shipment is 540 characters (migration 0016)."""
    load_registry(store, world.registry())
    doc = world.mine.submit(
        [extract("e1", "L1", time="2026-11-01T08:00:00+08:00"), ship("e2", ["L1"], world.plant.uscc, "船" * 500)],
        created_at="2026-11-02T10:00:00+08:00",
    )
    path = tmp_path / "a.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    assert ingest(store, [path], actor=OPERATOR).events_accepted == 2
    with store.reading() as conn:
        keys = conn.scalars(select(t.event_keys.c.key)).all()
    assert f"S|{world.mine.uscc}|{world.plant.uscc}|{'船' * 500}" in keys
