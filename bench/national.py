"""The national year end to end, each figure beside its target and its baseline, in one run.

    python bench/national.py [--scale national|FRACTION] [--data DIR] [--db URL] [--seed 7] [--years N]

1. simulate   `reetrace.simulate` writes the year (skipped when `--data` holds one already)
2. ingest     every signed submission but one into a fresh store (SQLite file, or `--db`
              PostgreSQL); baseline: a plain `executemany` (SQLite) / `COPY` (PostgreSQL) of the
              same event rows (reporter, event_id, type, time, body) into a bare table
3. audit      `reetrace supervise start`: the full audit of the ledger, streamed, findings stored;
              baseline: the core balance and quota queries run by DuckDB on the Parquet export
4. one month  the held-back monthly submission ingested: findings brought up to date by
              incremental supervision; baseline: the full audit's time (3)
5. trace      backward trace of 200 magnet lots through the store; baseline: a breadth-first search
              over the same graph held in memory
6. dashboard  the national overview, computed, then served again from its snapshot

With `--years N` (N > 1) the store holds N consecutive years instead (the first in `--data`,
each following one beside it as `<DIR><year>`, simulated there when missing): each year is
ingested in turn, with the registries of the years so far merged (an enterprise's keys,
qualifications and sites, every year's quotas and licenses), and its ingest rate is set beside
the first year's; then the audit as of the last year's 31 January is timed over the whole
store (the baseline: every year replayed), then each year but the last is closed from the one
before it (`reetrace close-year`), the audit is timed again from the last opening and its
findings compared with the baseline's, and the backward trace is timed over magnet lots drawn
from every year.

Each phase runs in a process of its own so that its peak memory (ru_maxrss) is its own; the
budget is 2 GB for simulate, ingest and audit.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

BUDGET_MB = 2048


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(result: dict) -> None:
    print("RESULT " + json.dumps({**result, "peak_mb": peak_mb()}), flush=True)


# --- phases (each run in its own process) ----------------------------------------------------


def phase_simulate(data: Path, scale: float, seed: int, year: int) -> None:
    from reetrace.simulate import simulate

    start = time.perf_counter()
    result = simulate(data, seed=seed, scale=scale, year=year)
    emit({"seconds": time.perf_counter() - start, "events": result.summary["events"]})


def held_back(data: Path) -> Path:
    """A typical monthly submission of the last month: the median-sized one."""
    files = sorted(data.glob("submissions/*/*.json"))
    last = max(f.stem for f in files)
    month = sorted((f.stat().st_size, str(f)) for f in files if f.stem == last)
    return Path(month[len(month) // 2][1])


def phase_ingest(data: Path, url: str, registry: Path | None = None) -> None:
    """Ingest the year in `data` (all of it when `registry`, the registry to load, is given;
    else all but the held-back month, with the year's own registry)."""
    from reetrace.config import Settings
    from reetrace.services.ingest import ingest, submission_files
    from reetrace.services.registry import load_registry
    from reetrace.store.database import open_store

    store = open_store(url)
    load_registry(store, json.loads((registry or data / "registry.json").read_text(encoding="utf-8")))
    keep = None if registry else held_back(data)
    files = [f for f in submission_files([data / "submissions"]) if f != keep]
    start = time.perf_counter()
    report = ingest(store, files, as_received_created_at=True, settings=Settings(db_url=url))
    seconds = time.perf_counter() - start
    emit({"seconds": seconds, "events": report.events_accepted, "rejected": len(report.rejected)})


def merged_registry(paths: list[Path]) -> dict:
    """One registry for consecutive years: each enterprise's qualifications, keys (the earliest
    validity kept) and sites (the latest year's) together, and every year's quotas and licenses."""
    enterprises: dict[str, dict] = {}
    quotas: dict[tuple, dict] = {}
    licenses: dict[str, dict] = {}
    fmt = None
    for path in paths:
        doc = json.loads(path.read_text(encoding="utf-8"))
        fmt = doc["format"]
        for e in doc["enterprises"]:
            have = enterprises.get(e["uscc"])
            if have is None:
                enterprises[e["uscc"]] = json.loads(json.dumps(e))
                continue
            for q in e.get("qualifications", []):
                if q not in have["qualifications"]:
                    have["qualifications"].append(q)
            keys = {k["key_id"]: k for k in have.get("keys", [])}
            for k in e.get("keys", []):
                if k["key_id"] in keys:
                    keys[k["key_id"]]["valid_from"] = min(keys[k["key_id"]]["valid_from"], k["valid_from"])
                else:
                    keys[k["key_id"]] = k
            have["keys"] = list(keys.values())
            have["sites"] = e.get("sites", have.get("sites", []))
        for q in doc.get("quotas", []):
            quotas[(q["year"], q["uscc"], q["kind"], q["category"])] = q
        for lic in doc.get("licenses", []):
            licenses[lic["license_no"]] = lic
    return {
        "format": fmt,
        "enterprises": list(enterprises.values()),
        "quotas": list(quotas.values()),
        "licenses": list(licenses.values()),
    }


def year_dirs(data: Path, year: int, years: int) -> list[Path]:
    """Where each of the consecutive years lives: the first in `data`, the others beside it."""
    return [data] + [data.parent / f"{data.name}{year + k}" for k in range(1, years)]


def phase_baseline_insert(url: str, scratch: Path) -> None:
    """The same event rows, written with the bare driver into a bare table."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT reporter, event_id, type, time, body FROM events"))]
    start = time.perf_counter()
    if url.startswith("sqlite"):
        db = sqlite3.connect(scratch / "baseline.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE events (reporter TEXT, event_id TEXT, type TEXT, time TEXT, body TEXT)")
        start = time.perf_counter()
        db.execute("BEGIN")
        db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?)", rows)
        db.execute("COMMIT")
        seconds = time.perf_counter() - start
        db.close()
    else:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(
                "CREATE TEMP TABLE bench_events (reporter TEXT, event_id TEXT, type TEXT, time TEXT, body TEXT)"
            )
            start = time.perf_counter()
            with cur.copy("COPY bench_events FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
            seconds = time.perf_counter() - start
        finally:
            raw.close()
    emit({"seconds": seconds, "events": len(rows)})


def phase_audit(url: str, as_of: date, data: Path) -> None:
    from reetrace.config import Settings
    from reetrace.services import supervision
    from reetrace.services.audit import audit_ledger
    from reetrace.store.database import open_store

    store, settings = open_store(url), Settings(db_url=url)
    start = time.perf_counter()
    count = supervision.start(store, settings, as_of)
    seconds = time.perf_counter() - start
    found = audit_ledger(store, settings, as_of)  # served from what `start` stored
    injected = json.loads((data / "injected.json").read_text(encoding="utf-8"))
    detected = sum(
        1
        for item in injected
        if any(
            f.code == item["code"]
            and (f.event == item.get("event") if item.get("event") else f.enterprise == item.get("enterprise"))
            for f in found
        )
    )
    emit(
        {
            "seconds": seconds,
            "findings": count,
            "injected": len(injected),
            "detected": detected,
            "digest": findings_digest(found, as_of),
        }
    )


def findings_digest(found, as_of: date) -> str:
    import hashlib

    from reetrace.services.audit import findings_document

    return hashlib.sha256(json.dumps(findings_document(found, as_of), sort_keys=True).encode()).hexdigest()


def phase_close(url: str, year: int, as_of: date) -> None:
    """Close `year` (reetrace close-year) from the opening before it."""
    from reetrace.config import Settings
    from reetrace.domain.accounts import Actor
    from reetrace.services.closing import close_year
    from reetrace.store.database import open_store

    store, settings = open_store(url), Settings(db_url=url)
    start = time.perf_counter()
    closed = close_year(store, settings, year, as_of, Actor.operator("bench"))
    emit(
        {
            "seconds": time.perf_counter() - start,
            "replayed": closed.replayed,
            "events": closed.events,
            "blob_bytes": closed.blob_bytes,
        }
    )


def phase_audit_closed(url: str, as_of: date, whole: bool = False) -> None:
    """The full audit as of `as_of` from the latest closed year's opening (`whole`: replaying
    every year, whatever is closed)."""
    from reetrace.config import Settings
    from reetrace.services.audit import replay_ledger
    from reetrace.store.database import open_store

    store, settings = open_store(url), Settings(db_url=url)
    read = [0]
    start = time.perf_counter()
    with store.reading() as conn:
        keyed = replay_ledger(
            conn, settings, as_of, progress=lambda n: read.__setitem__(0, n), from_closed_years=not whole
        )
    seconds = time.perf_counter() - start
    found = [finding for _, finding in keyed]
    emit({"seconds": seconds, "findings": len(found), "read_about": read[0], "digest": findings_digest(found, as_of)})


def phase_month(data: Path, url: str) -> None:
    from reetrace.config import Settings
    from reetrace.services.ingest import ingest
    from reetrace.store.database import open_store

    store = open_store(url)
    start = time.perf_counter()
    report = ingest(store, [held_back(data)], as_received_created_at=True, settings=Settings(db_url=url))
    seconds = time.perf_counter() - start
    absorbed = report.supervision
    emit(
        {
            "seconds": seconds,
            "events": report.events_accepted,
            "absorbed": None
            if absorbed is None
            else {
                "subjects": absorbed.subjects,
                "replayed": absorbed.replayed,
                "written": absorbed.written,
                "stale": absorbed.stale,
            },
        }
    )


def phase_trace(url: str, samples: int, seed: int) -> None:
    from sqlalchemy import text

    from reetrace.services.trace import trace
    from reetrace.store.database import open_store

    store = open_store(url)
    with store.reading() as conn:
        made_by = {lot: seq for lot, seq in conn.execute(text("SELECT lot, seq FROM lots"))}
        inputs: dict[int, list[str]] = defaultdict(list)
        for seq, lot in conn.execute(text("SELECT seq, lot FROM lot_draws")):
            inputs[seq].append(lot)
        magnets = [lot for (lot,) in conn.execute(text("SELECT lot FROM lots WHERE form = 'magnet'"))]
    lots = random.Random(seed).sample(magnets, min(samples, len(magnets)))
    timed, bfs = [], []
    origins = 0
    for lot in lots:
        start = time.perf_counter()
        result = trace(store, lot, "backward")
        timed.append(time.perf_counter() - start)
        origins += len(result.get("origins", ()))
        start = time.perf_counter()
        seen, frontier = {lot}, [lot]
        while frontier:
            nxt = []
            for current in frontier:
                for parent in inputs.get(made_by.get(current, -1), ()):
                    if parent not in seen:
                        seen.add(parent)
                        nxt.append(parent)
            frontier = nxt
        bfs.append(time.perf_counter() - start)
    emit(
        {
            "lots": len(lots),
            "p50_ms": 1000 * statistics.median(timed),
            "p95_ms": 1000 * quantile(timed, 0.95),
            "bfs_p50_ms": 1000 * statistics.median(bfs),
            "bfs_p95_ms": 1000 * quantile(bfs, 0.95),
            "origins": origins,
        }
    )


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def phase_dashboard(url: str, year: int, as_of: date) -> None:
    from reetrace.config import Settings
    from reetrace.services.dashboard import national_overview
    from reetrace.store.database import open_store

    store, settings = open_store(url), Settings(db_url=url)
    start = time.perf_counter()
    overview = national_overview(store, settings, year, as_of)
    first = time.perf_counter() - start
    start = time.perf_counter()
    national_overview(store, settings, year, as_of)
    emit({"seconds": first, "again_seconds": time.perf_counter() - start, "findings": overview.findings})


def phase_duckdb(url: str, scratch: Path) -> None:
    from reetrace.analytics.export import export_parquet
    from reetrace.analytics.queries import core_queries
    from reetrace.store.database import open_store

    out = scratch / "parquet"
    start = time.perf_counter()
    export_parquet(open_store(url), out)
    exported = time.perf_counter() - start
    start = time.perf_counter()
    rows = core_queries(out)
    emit({"seconds": time.perf_counter() - start, "export_seconds": exported, "rows": rows})


PHASES = {
    "simulate": phase_simulate,
    "ingest": phase_ingest,
    "baseline_insert": phase_baseline_insert,
    "audit": phase_audit,
    "close": phase_close,
    "audit_closed": phase_audit_closed,
    "month": phase_month,
    "trace": phase_trace,
    "dashboard": phase_dashboard,
    "duckdb": phase_duckdb,
}


def run_phase(name: str, *args: str) -> dict:
    """Run one phase in a child process; its last RESULT line."""
    print(f"· {name} …", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, __file__, "--phase", name, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"phase {name} failed")
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line.removeprefix("RESULT "))


def child(argv: list[str]) -> None:
    name, args = argv[0], argv[1:]
    if name == "simulate":
        phase_simulate(Path(args[0]), float(args[1]), int(args[2]), int(args[3]))
    elif name == "ingest":
        phase_ingest(Path(args[0]), args[1], Path(args[2]) if len(args) > 2 else None)
    elif name == "baseline_insert":
        phase_baseline_insert(args[0], Path(args[1]))
    elif name == "audit":
        phase_audit(args[0], date.fromisoformat(args[1]), Path(args[2]))
    elif name == "close":
        phase_close(args[0], int(args[1]), date.fromisoformat(args[2]))
    elif name == "audit_closed":
        phase_audit_closed(args[0], date.fromisoformat(args[1]), len(args) > 2 and args[2] == "whole")
    elif name == "month":
        phase_month(Path(args[0]), args[1])
    elif name == "trace":
        phase_trace(args[0], int(args[1]), int(args[2]))
    elif name == "dashboard":
        phase_dashboard(args[0], int(args[1]), date.fromisoformat(args[2]))
    elif name == "duckdb":
        phase_duckdb(args[0], Path(args[1]))


def store_url(args: argparse.Namespace, scratch: Path) -> tuple[str | None, str]:
    """The store to measure: a scratch schema of `--db` (its name, to drop), or an SQLite file
    in `--keep` or the scratch directory."""
    if args.db:
        return fresh_postgres(args.db)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    return None, f"sqlite:///{(args.keep or scratch) / 'store.db'}"


def fresh_postgres(url: str) -> tuple[str, str]:
    """A schema of its own in the PostgreSQL database at `url`, and the URL that uses it."""
    import uuid

    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    return schema, f"{url}{sep}options=-csearch_path%3D{schema}"


def drop_postgres(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--phase":
        child(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", help="`national` or a fraction of a national year")
    parser.add_argument("--data", type=Path, help="the simulated year (made here if missing; kept)")
    parser.add_argument("--db", help="a PostgreSQL URL (a scratch schema is made and dropped); default SQLite")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--skip", action="append", default=[], help="phases to skip (e.g. dashboard, duckdb)")
    parser.add_argument("--keep", type=Path, help="keep the SQLite store here (to look at its findings afterwards)")
    parser.add_argument("--years", type=int, default=1, help="consecutive years in one store (see above)")
    args = parser.parse_args()
    if args.years > 1:
        return main_years(args)
    scale = 1.0 if args.scale == "national" else float(args.scale)
    as_of = date(args.year + 1, 1, 31)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="reetrace-national-") as tmp:
        scratch = Path(tmp)
        data = args.data or scratch / "year"
        if not (data / "registry.json").exists():
            results["simulate"] = run_phase("simulate", str(data), str(scale), str(args.seed), str(args.year))
        schema, url = store_url(args, scratch)
        try:
            results["ingest"] = run_phase("ingest", str(data), url)
            results["baseline_insert"] = run_phase("baseline_insert", url, str(scratch))
            results["audit"] = run_phase("audit", url, as_of.isoformat(), str(data))
            results["month"] = run_phase("month", str(data), url)
            results["trace"] = run_phase("trace", url, "200", str(args.seed))
            if "dashboard" not in args.skip:
                results["dashboard"] = run_phase("dashboard", url, str(args.year), as_of.isoformat())
            if "duckdb" not in args.skip:
                results["duckdb"] = run_phase("duckdb", url, str(scratch))
        finally:
            if schema:
                drop_postgres(args.db, schema)
            if args.data is None:
                shutil.rmtree(data, ignore_errors=True)
    report(results, "PostgreSQL" if args.db else "SQLite", data if args.data else None)
    return 0


def closing_day(year: int) -> date:
    """The first day `year` can be closed as of (reetrace.domain.closing.earliest_close)."""
    from reetrace.domain.closing import earliest_close
    from reetrace.domain.findings import Thresholds

    return earliest_close(year, Thresholds())


def main_years(args: argparse.Namespace) -> int:
    """`--years N`: N consecutive years in one store (see the module's note)."""
    scale = 1.0 if args.scale == "national" else float(args.scale)
    if args.data is None:
        raise SystemExit("--years needs --data (the years are kept there)")
    dirs = year_dirs(args.data, args.year, args.years)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="reetrace-years-") as tmp:
        scratch = Path(tmp)
        schema, url = store_url(args, scratch)
        try:
            for k, data in enumerate(dirs):
                year = args.year + k
                if not (data / "registry.json").exists():
                    results[f"simulate {year}"] = run_phase(
                        "simulate", str(data), str(scale), str(args.seed), str(year)
                    )
                merged = scratch / f"registry-{year}.json"
                merged.write_text(json.dumps(merged_registry([d / "registry.json" for d in dirs[: k + 1]])))
                results[f"ingest {year}"] = run_phase("ingest", str(data), url, str(merged))
            last = args.year + args.years - 1
            as_of = date(last + 1, 1, 31)
            results["audit"] = run_phase("audit", url, as_of.isoformat(), str(dirs[-1]))
            for year in range(args.year, last):  # each closed from the one before it
                results[f"close {year}"] = run_phase("close", url, str(year), closing_day(year).isoformat())
            if args.years > 1:
                results["audit_closed"] = run_phase("audit_closed", url, as_of.isoformat())
            results["trace"] = run_phase("trace", url, "200", str(args.seed))
        finally:
            if schema:
                drop_postgres(args.db, schema)
    report_years(results, "PostgreSQL" if args.db else "SQLite", args.year, args.years)
    return 0


def report_years(r: dict[str, dict], database: str, first: int, years: int) -> None:
    ingests = [r[f"ingest {first + k}"] for k in range(years)]
    rates = [i["events"] / i["seconds"] for i in ingests]
    total = sum(i["events"] for i in ingests)
    print(f"\n{years} national years in one store on {database}: {total:,} events")
    for k, (i, rate) in enumerate(zip(ingests, rates, strict=True)):
        print(
            f"  ingest {first + k}  {rate:,.0f} events/s ({i['events']:,} events, {i['seconds']:,.0f} s), "
            f"{rate / rates[0]:.2f}× the first year's (target ≥ 0.8×), peak {i['peak_mb']:,.0f} MB"
        )
    a, t = r["audit"], r["trace"]
    print(
        f"  audit      {a['seconds']:,.1f} s for the audit as of {first + years}-01-31 over all {years} years "
        f"(target ≤ 30 s for year {years}), {a['findings']:,} findings, peak {a['peak_mb']:,.0f} MB"
    )
    for k in range(years - 1):
        c = r[f"close {first + k}"]
        print(
            f"  close {first + k} {c['seconds']:,.1f} s ({c['replayed']:,} events replayed, opening of "
            f"{c['events']:,} events in {c['blob_bytes'] / 2**20:,.0f} MiB), peak {c['peak_mb']:,.0f} MB"
        )
    if "audit_closed" in r:
        c = r["audit_closed"]
        same = "identical findings" if c["digest"] == a["digest"] else "FINDINGS DIFFER"
        print(
            f"  audit of {first + years - 1} from the opening of {first + years - 1}: {c['seconds']:,.1f} s "
            f"(target ≤ 30 s) against {a['seconds']:,.1f} s replaying all {years} years: {same}, "
            f"peak {c['peak_mb']:,.0f} MB (target ≤ 2,048 MB)"
        )
    print(
        f"  trace      backward trace of {t['lots']} magnet lots from every year: p50 {t['p50_ms']:.1f} ms, "
        f"p95 {t['p95_ms']:.1f} ms (target ≤ 20 ms); baseline in-memory BFS p95 {t['bfs_p95_ms']:.3f} ms"
    )


def report(r: dict[str, dict], database: str, data: Path | None) -> None:
    ingest, base, audit, month, trace = r["ingest"], r["baseline_insert"], r["audit"], r["month"], r["trace"]
    rate = ingest["events"] / ingest["seconds"]
    base_rate = base["events"] / base["seconds"]
    target_rate = 50_000 if database == "SQLite" else 30_000
    print(
        f"\nNational year on {database}: {ingest['events'] + month['events']:,} events" + (f" ({data})" if data else "")
    )
    if "simulate" in r:
        s = r["simulate"]
        print(
            f"  simulate   {s['events']:,} events in {s['seconds']:,.0f} s, peak {s['peak_mb']:,.0f} MB "
            f"(budget {BUDGET_MB:,} MB)"
        )
    print(
        f"  ingest     {rate:,.0f} events/s (target ≥ {target_rate:,}), peak {ingest['peak_mb']:,.0f} MB; "
        f"baseline plain {'executemany' if database == 'SQLite' else 'COPY'} of the same rows "
        f"{base_rate:,.0f} events/s ({rate / base_rate:.2f}×)"
    )
    line = (
        f"  audit      {audit['seconds']:,.1f} s for the full audit (target ≤ 60 s), {audit['findings']:,} "
        f"findings ({audit['detected']} of {audit['injected']} injected violations found), "
        f"peak {audit['peak_mb']:,.0f} MB"
    )
    if "duckdb" in r:
        line += (
            f"; baseline DuckDB core balance and quota queries on the Parquet export "
            f"{r['duckdb']['seconds']:,.1f} s (export itself {r['duckdb']['export_seconds']:,.0f} s)"
        )
    print(line)
    absorbed = month["absorbed"] or {}
    print(
        f"  one month  {month['seconds']:,.2f} s to ingest a monthly submission of {month['events']:,} events and "
        f"bring the findings up to date (target ≤ 1 s; {absorbed.get('subjects', 0):,} subjects, "
        f"{absorbed.get('replayed', 0):,} events replayed); baseline full audit {audit['seconds']:,.1f} s"
    )
    print(
        f"  trace      backward trace of {trace['lots']} magnet lots: p50 {trace['p50_ms']:.1f} ms, "
        f"p95 {trace['p95_ms']:.1f} ms (target ≤ 20 ms); baseline in-memory BFS p50 {trace['bfs_p50_ms']:.3f} ms, "
        f"p95 {trace['bfs_p95_ms']:.3f} ms"
    )
    if "dashboard" in r:
        d = r["dashboard"]
        print(
            f"  dashboard  national overview {d['seconds']:,.1f} s computed, {d['again_seconds'] * 1000:,.0f} ms "
            f"from its snapshot"
        )
    peaks = {k: r[k]["peak_mb"] for k in ("simulate", "ingest", "audit") if k in r}
    print(
        "  memory     peak "
        + ", ".join(f"{k} {v:,.0f} MB" for k, v in peaks.items())
        + f" (budget {BUDGET_MB:,} MB each)"
    )


if __name__ == "__main__":
    sys.exit(main())
