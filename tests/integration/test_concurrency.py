"""Two ingest processes at once, and an ingest killed with SIGKILL, on a real store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from factory import extract
from reetrace.services import log
from reetrace.services.registry import load_registry
from reetrace.store import tables as t

REETRACE = str(Path(sys.executable).with_name("reetrace"))
pytestmark = pytest.mark.slow


def write_submissions(world, directory: Path, submissions: int, events_each: int) -> int:
    import json

    directory.mkdir(parents=True, exist_ok=True)
    for s in range(submissions):
        events = [extract(f"e{s}-{i}", f"L{s}-{i}", mass_kg=100 + i) for i in range(events_each)]
        doc = world.mine.submit(events, created_at=f"2026-02-05T10:{s // 60 % 60:02d}:{s % 60:02d}+08:00")
        (directory / f"s{s:04d}.json").write_text(json.dumps(doc))
    return submissions * events_each


def start_ingest(store_url: str, *paths: Path) -> subprocess.Popen:
    env = {**os.environ, "REETRACE_DB": store_url}
    return subprocess.Popen(
        [REETRACE, "ingest", "--as-received", "created_at", "--format", "json", *map(str, paths)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def survivors(marker: Path, wait: float = 5.0) -> list[int]:
    """Processes still running whose command line names `marker`, after up to `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for proc in Path("/proc").iterdir():
            try:
                cmdline = (proc / "cmdline").read_bytes()
                state = (proc / "stat").read_text().split(") ")[1][0]
            except (OSError, IndexError):
                continue
            if str(marker).encode() in cmdline and state != "Z":
                found.append(int(proc.name))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def ledger_state(store):
    with store.reading() as conn:
        events = conn.scalar(select(func.count()).select_from(t.events))
        distinct = conn.scalar(
            select(func.count()).select_from(select(t.events.c.reporter, t.events.c.event_id).distinct().subquery())
        )
        seqs = conn.execute(select(func.min(t.events.c.seq), func.max(t.events.c.seq))).one()
        partial = conn.execute(
            select(t.submissions.c.id, t.submissions.c.event_count, func.count(t.events.c.seq))
            .join(t.events, t.events.c.submission_id == t.submissions.c.id, isouter=True)
            .group_by(t.submissions.c.id, t.submissions.c.event_count)
            .having(func.count(t.events.c.seq) != t.submissions.c.event_count)
        ).all()
    return events, distinct, seqs, partial


def test_two_processes_neither_duplicate_nor_lose(store, store_url, world, tmp_path):
    import json

    load_registry(store, world.registry())
    total = write_submissions(world, tmp_path / "subs", submissions=120, events_each=50)
    # both processes ingest everything, in opposite orders of directories
    first = start_ingest(store_url, tmp_path / "subs")
    second = start_ingest(store_url, *sorted((tmp_path / "subs").glob("*.json"), reverse=True))
    outputs = [p.communicate(timeout=600) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    reports = [json.loads(out) for out, _ in outputs]
    accepted = sum(r["events"]["accepted"] for r in reports)
    duplicate = sum(r["events"]["duplicate"] for r in reports)
    assert accepted == total and duplicate == total
    assert sum(r["submissions"]["accepted"] for r in reports) == 120
    events, distinct, (low, high), partial = ledger_state(store)
    assert events == distinct == total
    assert (low, high) == (1, total)  # acceptance order has no gaps
    assert partial == []
    assert log.verify_log(store).ok  # one leaf per event, in acceptance order


def test_sigkill_leaves_no_partial_submission(store, store_url, world, tmp_path):
    load_registry(store, world.registry())
    total = write_submissions(world, tmp_path / "subs", submissions=400, events_each=200)
    victim = start_ingest(store_url, tmp_path / "subs")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if ledger_state(store)[0] > 0:
            break
        if victim.poll() is not None:
            pytest.fail("the ingest finished before it could be killed; give it more to do")
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert survivors(tmp_path / "subs") == [], "the killed ingest left worker processes behind"
    events, _, _, partial = ledger_state(store)
    assert 0 < events < total, "killed too late to prove anything"
    assert partial == []
    # each submission committed before the kill has its access-log entry, and no entry is
    # without its submission: they commit in one transaction
    with store.reading() as conn:
        sources = set(conn.scalars(select(t.submissions.c.source)))
        details = conn.scalars(select(t.access_log.c.detail).where(t.access_log.c.action == "change")).all()
    assert sources and {d.split(": ", 1)[0] for d in details} == sources and len(details) == len(sources)
    # a second run completes the work: nothing lost, nothing twice
    rerun = start_ingest(store_url, tmp_path / "subs")
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    events, distinct, (low, high), partial = ledger_state(store)
    assert events == distinct == total and (low, high) == (1, total) and partial == []
    assert log.verify_log(store).ok
