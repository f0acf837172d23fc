"""Analytics export benchmark: how fast `reetrace analytics export` writes the ledger to Parquet,
and how long the core balance and quota questions take on the export beside the audit.

    python bench/export.py [--events 200000] [--seed 7] [--store PATH]

The data set is the one of bench/ingest.py (a demo year of at least `--events` events), ingested
into a fresh SQLite store (not timed); `--store` reuses an SQLite store already ingested instead.
Timed: `export_parquet` into a fresh directory (wall clock and CPU of the process, threads
included), then `core_queries` on the export (quota use, lot balances, transform and element
balances, every year and lot), then `audit_ledger` on the store as of 31 January of the next year.
Baseline for the export, same run, same store: a plain `sqlite3` read of every event row in
ledger order, nothing decoded, the least an export has to do.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import dataset, describe, fresh_store, line, timed_ingest
from reetrace.analytics import export_parquet
from reetrace.analytics.queries import core_queries
from reetrace.config import Settings
from reetrace.services.audit import audit_ledger
from reetrace.store.database import open_store


def baseline_read(path: Path) -> float:
    conn = sqlite3.connect(path)
    start = time.perf_counter()
    for _ in conn.execute(
        "SELECT seq, reporter, event_id, type, time, received_at, submission_id, digest, body FROM events ORDER BY seq"
    ):
        pass
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="at least this many events (default 200,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--store", type=Path, help="an SQLite store already ingested (skips generating one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reetrace-bench-") as tmp:
        root = Path(tmp)
        if args.store:
            path = args.store
            store = open_store(f"sqlite:///{path}")
            year = None
        else:
            start = time.perf_counter()
            demo = dataset(args.events, args.seed, root / "year")
            print(f"data set: {describe(demo, time.perf_counter() - start)}")
            path = root / "store.db"
            store = fresh_store(path, demo)
            seconds, report = timed_ingest(store, root / "year" / "submissions")
            print(f"  ingested in {seconds:.1f} s (not timed here; see bench/ingest.py)")
            if report.rejected:
                print(f"ingest rejected submissions: {report.as_contract()['rejected'][:3]}", file=sys.stderr)
                return 1
            year = demo.year
        wall, cpu = time.perf_counter(), time.process_time()
        summary = export_parquet(store, root / "export")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = sum(p.stat().st_size for p in (root / "export").rglob("*.parquet"))
        start = time.perf_counter()
        counts = core_queries(root / "export")
        queries = time.perf_counter() - start
        if year is None:
            year = max(int(p.name.split("=")[1]) for p in (root / "export" / "events").glob("year=*"))
        as_of = date(year + 1, 1, 31)
        start = time.perf_counter()
        findings = audit_ledger(store, Settings(), as_of)
        audit = time.perf_counter() - start
        store.dispose()
        base = baseline_read(path)
    n = summary.events
    print(
        line(
            "analytics export",
            wall,
            n,
            f"(CPU {cpu:.2f} s, threads included; {size / 2**20:.0f} MiB of Parquet; rows {summary.rows})",
        )
    )
    print(line("sqlite3 read", base, n, "(every event row in ledger order, nothing decoded)"))
    print(f"  ratio: the export takes {wall / base:.1f}× the time of reading the rows")
    print(f"  core_queries on the export: {queries:.2f} s ({counts})")
    print(f"  audit_ledger on the store:  {audit:.2f} s ({len(findings)} findings as of {as_of})")
    print(f"  ratio: the core questions take {queries / audit:.3f}× the time of the audit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
