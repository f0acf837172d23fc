"""PostgreSQL ingest benchmark: how fast `reetrace ingest` records signed submissions into a
PostgreSQL store (events partitioned by year, rows written with COPY), beside a bare COPY.

    python bench/pg_ingest.py [--events 200000] [--seed 7] [--db URL] [--keep]

The database is `--db`, else $REETRACE_BENCH_PG, else postgresql+psycopg://postgres@127.0.0.1:5432/test.
Everything happens in scratch schemas created for the run and dropped after it (`--keep` keeps
the ingested store for inspection and prints its URL), so the database's other users see nothing.

A synthetic year of at least `--events` events is generated with `reetrace.demo` and written to a
temporary directory (not timed). Timed, on the same server in the same run:

1. `ingest(..., as_received_created_at=True)` into a fresh store: parsing, contract validation,
   signature checks in worker processes, and the write transactions (duplicate and conflict
   checks, COPY of submissions, events, lot indexes, event keys and log subtrees, commit).
   The time spent inside the write transactions is printed on its own: authentication runs in
   the workers beside it, so the two add up to more than the wall time.
2. The write side alone: the same submissions, authenticated beforehand (not timed), appended
   batch by batch (as ingest batches them) into a second fresh store, with COPY and then, for
   comparison, into a third with `executemany`; nothing else competes for the cores.
3. Baseline: one plain COPY of the same event rows (reporter, event_id, type, time, body) into a
   bare, unindexed table, in one transaction, rows prepared in memory beforehand.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url

from ingest import dataset, describe, event_rows, line
from reetrace.demo import DemoYear
from reetrace.domain.submissions import Authenticated
from reetrace.services import ingest as ingest_service
from reetrace.services.registry import load_registry
from reetrace.store import bulk, ledger_repo, log_repo
from reetrace.store.database import Store, open_store
from reetrace.store.registry_repo import known_enterprises, load_keys

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class TimedStore(Store):
    """A store that adds up the time its write transactions take, commit included."""

    write_seconds: list[float] = field(default_factory=lambda: [0.0])

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        start = time.perf_counter()
        try:
            with super().writing() as conn:
                yield conn
        finally:
            self.write_seconds[0] += time.perf_counter() - start


class Scratch:
    """Scratch schemas in the benchmark's database, dropped at the end unless kept."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.schemas: list[str] = []

    def store_url(self) -> str:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.schemas.append(schema)
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}options=-csearch_path%3D{schema}"

    def drop(self, keep: str | None = None) -> None:
        with self.admin.connect() as conn:
            for schema in self.schemas:
                if schema != keep:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        self.admin.dispose()


def fresh_store(url: str, demo: DemoYear) -> Store:
    store = open_store(url)
    load_registry(store, demo.registry)
    return store


def timed_fresh_store(url: str, demo: DemoYear) -> TimedStore:
    store = TimedStore(open_store(url).engine)
    load_registry(store, demo.registry)
    return store


def authenticated_batches(store: Store, submissions: Path) -> list[list[Authenticated]]:
    """The submissions authenticated and grouped as ingest groups them (not timed)."""
    with store.reading() as conn:
        keys, enterprises = load_keys(conn), known_enterprises(conn)
    files = ingest_service.submission_files([submissions])
    batches: list[list[Authenticated]] = [[]]
    events = 0
    for result in ingest_service._authenticate_all(files, keys, enterprises, True, ingest_service.now):
        if not isinstance(result, Authenticated):
            raise SystemExit(f"not authenticated: {result}")
        batches[-1].append(result)
        events += result.event_count
        if events >= ingest_service.BATCH_EVENTS:
            batches.append([])
            events = 0
    return [b for b in batches if b]


def timed_appends(store: Store, batches: list[list[Authenticated]], copy: bool) -> tuple[float, int]:
    insert = functools.partial(bulk.insert_rows, copy=copy)
    saved = ledger_repo.insert_rows, log_repo.insert_rows
    ledger_repo.insert_rows = log_repo.insert_rows = insert
    try:
        accepted = 0
        start = time.perf_counter()
        for batch in batches:
            with store.writing() as conn:
                accepted += ledger_repo.append(conn, batch).events_accepted
        return time.perf_counter() - start, accepted
    finally:
        ledger_repo.insert_rows, log_repo.insert_rows = saved


def baseline_copy(url: str, rows: list[tuple[str, str, str, str, str]]) -> float:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        conn.execute("CREATE TABLE bare (reporter text, event_id text, type text, time text, body text)")
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cursor:
            with cursor.copy("COPY bare (reporter, event_id, type, time, body) FROM STDIN") as stream:
                for row in rows:
                    stream.write_row(row)
        conn.commit()
        return time.perf_counter() - start


def sizes(store: Store) -> list[tuple[str, int, int]]:
    """(table, rows, bytes with indexes and TOAST) of the ledger's tables, partitions summed."""
    found = []
    with store.reading() as conn:
        for table in ("events", "event_ids", "submissions", "lots", "lot_draws", "event_keys", "log_nodes"):
            if conn.scalar(text("SELECT to_regclass(:t)"), {"t": table}) is None:
                continue
            total = conn.scalar(
                text(
                    "SELECT pg_total_relation_size(CAST(:t AS regclass)) + coalesce((SELECT sum(pg_total_relation_size("
                    "relid)) FROM pg_partition_tree(CAST(:t AS regclass)) WHERE relid <> CAST(:t AS regclass)), 0)"
                ),
                {"t": table},
            )
            found.append((table, conn.scalar(text(f"SELECT count(*) FROM {table}")), int(total)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="at least this many events (default 200,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--db",
        default=os.environ.get("REETRACE_BENCH_PG", DEFAULT_DB),
        help="PostgreSQL URL (default $REETRACE_BENCH_PG or %(default)s)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the ingested store's schema")
    args = parser.parse_args(argv)
    if make_url(args.db).get_backend_name() != "postgresql":
        parser.error("--db must be a PostgreSQL URL")
    scratch = Scratch(args.db)
    kept = None
    with tempfile.TemporaryDirectory(prefix="reetrace-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        demo = dataset(args.events, args.seed, root / "year")
        print(f"data set: {describe(demo, time.perf_counter() - start)}")
        submissions = root / "year" / "submissions"
        try:
            url = scratch.store_url()
            store = timed_fresh_store(url, demo)
            start = time.perf_counter()
            report = ingest_service.ingest(store, [submissions], as_received_created_at=True)
            seconds = time.perf_counter() - start
            writes = store.write_seconds[0]
            layout = sizes(store)
            store.dispose()
            if report.rejected or report.events_accepted != demo.event_count:
                print(f"ingest did not accept the whole data set: {report.as_contract()}", file=sys.stderr)
                return 1
            if args.keep:
                kept = scratch.schemas[-1]

            store = fresh_store(scratch.store_url(), demo)
            batches = authenticated_batches(store, submissions)
            alone, accepted = timed_appends(store, batches, copy=True)
            store.dispose()
            store = fresh_store(scratch.store_url(), demo)
            many, accepted_many = timed_appends(store, batches, copy=False)
            store.dispose()
            if accepted != demo.event_count or accepted_many != demo.event_count:
                print("the write-side runs did not accept the whole data set", file=sys.stderr)
                return 1

            base = baseline_copy(scratch.store_url(), event_rows(demo))
        finally:
            scratch.drop(keep=kept)
    n = demo.event_count
    print(line("reetrace ingest", seconds, n, "(validate, verify signatures, check, index, log; COPY)"))
    print(line("  in write transactions", writes, n, "(checks, COPY, log, commit; authentication runs beside)"))
    print(line("write side alone, COPY", alone, n, f"({len(batches)} batches authenticated beforehand)"))
    print(line("write side, executemany", many, n, "(the same batches, rows by executemany)"))
    print(line("plain COPY", base, n, "(same event rows, bare unindexed table, one transaction)"))
    print(
        f"  ratio: ingest runs at {base / seconds:.1%} of the bare COPY rate ({seconds / base:.1f}× its time); "
        f"its write side at {base / writes:.1%}"
    )
    print("store after ingest:")
    for table, rows, size in layout:
        print(f"  {table:<12}{rows:>10,} rows {size / 2**20:9.1f} MiB {size / max(rows, 1):8.0f} B/row")
    if kept:
        sep = "&" if "?" in args.db else "?"
        print(f"kept: {args.db}{sep}options=-csearch_path%3D{kept}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
