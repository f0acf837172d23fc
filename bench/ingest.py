"""Ingest benchmark: how fast `reetrace ingest` records signed submissions, beside the speed of
the bare database insert it cannot beat.

    python bench/ingest.py [--events 200000] [--seed 7]

A synthetic year of at least `--events` events is generated with `reetrace.demo` and written to
a temporary directory (not timed). Timed: ingesting it into a fresh SQLite store (parsing,
contract validation, signature checks, conflict checks and the lot indexes), as
`reetrace ingest --as-received created_at` does. Baseline, measured in the same run on the same
disk: a plain `sqlite3` `executemany` of the same event rows (reporter, event_id, type, time,
body) into a bare table of a fresh file, in one transaction, with the store's own pragmas
(WAL, synchronous=NORMAL), rows prepared in memory beforehand.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from reetrace.demo import DemoYear, generate, write
from reetrace.services.ingest import IngestReport, ingest
from reetrace.services.registry import load_registry
from reetrace.store.database import Store, open_store

EVENTS_PER_SCALE = 5_000  # roughly what one unit of demo scale yields


def dataset(events: int, seed: int, directory: Path) -> DemoYear:
    """A demo year with at least `events` events, written to `directory`."""
    scale = events / EVENTS_PER_SCALE
    demo = generate(seed=seed, scale=scale)
    while demo.event_count < events:
        scale *= events / demo.event_count * 1.02
        demo = generate(seed=seed, scale=scale)
    write(demo, directory)
    return demo


def fresh_store(path: Path, demo: DemoYear) -> Store:
    store = open_store(f"sqlite:///{path}")
    load_registry(store, demo.registry)
    return store


def timed_ingest(store: Store, submissions: Path) -> tuple[float, IngestReport]:
    start = time.perf_counter()
    report = ingest(store, [submissions], as_received_created_at=True)
    return time.perf_counter() - start, report


def event_rows(demo: DemoYear) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            doc["reporter"],
            e["event_id"],
            e["type"],
            e["time"],
            json.dumps(e, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
        )
        for doc in demo.submissions
        for e in doc["events"]
    ]


def baseline_insert(path: Path, rows: list[tuple[str, str, str, str, str]]) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE events (reporter TEXT, event_id TEXT, type TEXT, time TEXT, body TEXT)")
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def describe(demo: DemoYear, seconds: float) -> str:
    return (
        f"{demo.event_count:,} events in {len(demo.submissions):,} signed submissions from "
        f"{len(demo.registry['enterprises'])} enterprises (demo scale {demo.scale:.1f}, seed {demo.seed}; "
        f"generated in {seconds:.0f} s, not timed)"
    )


def line(label: str, seconds: float, events: int, note: str = "") -> str:
    return f"  {label:<26}{seconds:9.2f} s {events / seconds:12,.0f} events/s  {note}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="at least this many events (default 200,000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]  # the machine as found, before this run adds its own load
    with tempfile.TemporaryDirectory(prefix="reetrace-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        demo = dataset(args.events, args.seed, root / "year")
        print(f"data set: {describe(demo, time.perf_counter() - start)}")
        store = fresh_store(root / "store.db", demo)
        seconds, report = timed_ingest(store, root / "year" / "submissions")
        load_after = os.getloadavg()[0]
        store.dispose()
        if report.rejected or report.events_accepted != demo.event_count:
            print(f"ingest did not accept the whole data set: {report.as_contract()}", file=sys.stderr)
            return 1
        base = baseline_insert(root / "bare.db", event_rows(demo))
    n = demo.event_count
    print(line("reetrace ingest", seconds, n, "(validate, verify signatures, check, index)"))
    print(line("sqlite3 executemany", base, n, "(same rows, bare table, one transaction)"))
    print(f"  ratio: ingest runs at {base / seconds:.1%} of the bare insert rate ({seconds / base:.1f}× its time)")
    print(
        f"  load average {load_before:.2f} at the start, {load_after:.2f} after the ingest, on {os.cpu_count()} "
        "cores (other work on the machine slows both lines)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
