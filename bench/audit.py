"""Audit benchmark: how long `reetrace audit` takes over a year of events, beside the time just
to read and decode every event from the same store.

    python bench/audit.py [--events 200000] [--seed 7]

The data set is the one of bench/ingest.py (a demo year of at least `--events` events), ingested
into a fresh SQLite store (not timed). Timed: `audit_ledger` as of 31 January of the next year,
the audit a regulator runs once December's reports are in (every rule, in event-time order).
Baseline, same run, same store: a plain `sqlite3` read of every event row in event-time order
with `json.loads` of each body, the least any audit has to do.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import dataset, describe, fresh_store, line, timed_ingest
from reetrace.config import Settings
from reetrace.services.audit import audit_ledger


def baseline_read(path: Path) -> float:
    conn = sqlite3.connect(path)
    start = time.perf_counter()
    rows = conn.execute(
        "SELECT seq, reporter, event_id, type, time, received_at, body FROM events ORDER BY time, reporter, event_id"
    )
    for row in rows:
        json.loads(row[6])
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="at least this many events (default 200,000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reetrace-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        demo = dataset(args.events, args.seed, root / "year")
        print(f"data set: {describe(demo, time.perf_counter() - start)}")
        store = fresh_store(root / "store.db", demo)
        ingest_seconds, report = timed_ingest(store, root / "year" / "submissions")
        print(f"  ingested in {ingest_seconds:.1f} s (not timed here; see bench/ingest.py)")
        if report.rejected:
            print(f"ingest rejected submissions: {report.as_contract()['rejected'][:3]}", file=sys.stderr)
            return 1
        as_of = date(demo.year + 1, 1, 31)
        settings = Settings.build(f"sqlite:///{root / 'store.db'}")
        start = time.perf_counter()
        findings = audit_ledger(store, settings, as_of)
        seconds = time.perf_counter() - start
        store.dispose()
        base = baseline_read(root / "store.db")
    n = demo.event_count
    injected = {i["code"] for i in demo.injected}
    found = Counter(f.code for f in findings)
    print(
        line(
            "reetrace audit",
            seconds,
            n,
            f"(as of {as_of}: {len(findings)} findings, "
            f"{len(set(found) & injected)} of {len(injected)} injected codes)",
        )
    )
    print(line("sqlite3 read + json", base, n, "(every event row in time order, bodies decoded)"))
    print(f"  ratio: the audit takes {seconds / base:.1f}× the time of reading and decoding the events")
    if set(found) != injected:
        print(f"  note: codes found {sorted(found)} differ from those injected {sorted(injected)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
