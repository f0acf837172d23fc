"""Transparency log benchmark: what the log costs at ingest, how fast proofs are at scale, and
how long `log verify` takes on a national year.

    python bench/log.py [--events 100000] [--leaves 1000000] [--proofs 1000] [--seed 7]
    python bench/log.py --national URL [--chain-rows 1000000]

1. Ingest with the log on versus off, same data set (a demo year of at least `--events`
   events), same run: the log may cost at most 10 % of the throughput.
2. Inclusion proofs at `--leaves` leaves: a store holding a log of that many leaves is built
   (not timed), then for `--proofs` random events the time to generate the proof from the store
   (`log prove`: O(log n) stored subtree hashes, one query) and the time to verify it, each
   beside the baseline of hashing the whole tree from its leaves held in memory.
3. With `--national URL` (a store holding a national year, made as docs/simulate.md says:
   `reetrace simulate --scale national --out DIR`, `reetrace registry load DIR/registry.json`,
   `reetrace ingest --as-received created_at DIR/submissions`, and `reetrace supervise start
   --as-of 2026-01-31` for stored findings to compare), instead of 1 and 2: the full `log
   verify` (derived tables, chains, stored findings) against its baseline, the events-only
   verification (the tree, receipts and checkpoints), each in a process of its own, in the same
   run; target: the full verification within 5 minutes. `--chain-rows N` first brings the
   access log to N entries (a store whose access log holds as many already is left as it is), so
   that the chains weigh as a year of use would.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import dataset, fresh_store
from reetrace.config import Settings
from reetrace.ledger import merkle
from reetrace.services import log
from reetrace.services.ingest import ingest
from reetrace.store import tables as t
from reetrace.store.bulk import insert_rows
from reetrace.store.database import open_store
from reetrace.store.log_repo import STORED_FROM_LEVEL


def ingest_cost(events: int, seed: int, root: Path) -> None:
    demo = dataset(events, seed, root / "year")
    n = demo.event_count
    timings = {}
    for label, with_log in (("log off", False), ("log on", True), ("log off ", False), ("log on ", True)):
        store = fresh_store(root / f"{label.strip().replace(' ', '-')}-{len(timings)}.db", demo)
        start = time.perf_counter()
        report = ingest(store, [root / "year" / "submissions"], as_received_created_at=True, with_log=with_log)
        timings.setdefault(label.strip(), []).append(time.perf_counter() - start)
        store.dispose()
        assert report.events_accepted == n and not report.rejected
    off, on = min(timings["log off"]), min(timings["log on"])  # best of two runs each, interleaved
    print(f"ingest of {n:,} signed events (best of 2 runs each, interleaved):")
    print(f"  log off   {off:8.2f} s {n / off:10,.0f} events/s   (baseline)")
    print(f"  log on    {on:8.2f} s {n / on:10,.0f} events/s")
    print(f"  cost of the log: {1 - off / on:.1%} of throughput (target: at most 10 %)")


def big_log(path: Path, leaves: int) -> tuple[object, list[bytes]]:
    """A store whose log holds `leaves` leaves (minimal event rows), and the leaf hashes."""
    store = open_store(f"sqlite:///{path}")
    compact = merkle.CompactRange()
    hashes = []
    with store.writing() as conn:
        conn.execute(
            t.submissions.insert().values(
                id=1,
                digest="bench",
                reporter="R",
                key_id="k",
                created_at="t",
                received_at="t",
                signature="s",
                event_count=leaves,
            )
        )
        events, nodes = [], []
        for i in range(leaves):
            body = f'{{"event_id":"e{i}"}}'
            leaf = merkle.leaf_hash(merkle.leaf_data("R", body))
            hashes.append(leaf)
            events.append((i + 1, "R", f"e{i}", "adjust", "2026-01-01T00:00:00.000000+00:00", 1, "t", "d", body, leaf))
            nodes.extend(n for n in compact.append(leaf) if n.level >= STORED_FROM_LEVEL)
            if len(events) >= 100_000:
                insert_rows(
                    conn,
                    t.events,
                    (
                        "seq",
                        "reporter",
                        "event_id",
                        "type",
                        "time",
                        "submission_id",
                        "received_at",
                        "digest",
                        "body",
                        "leaf",
                    ),
                    events,
                )
                insert_rows(conn, t.log_nodes, ("level", "idx", "hash"), nodes)
                events, nodes = [], []
        insert_rows(
            conn,
            t.events,
            ("seq", "reporter", "event_id", "type", "time", "submission_id", "received_at", "digest", "body", "leaf"),
            events,
        )
        insert_rows(conn, t.log_nodes, ("level", "idx", "hash"), nodes)
    return store, hashes


def proofs_at_scale(leaves: int, proofs: int, seed: int, root: Path) -> None:
    store, hashes = big_log(root / "big.db", leaves)
    settings = Settings(db_url=f"sqlite:///{root / 'big.db'}", log_key_dir=root / "keys")
    note = log.publish_checkpoint(store, settings)
    checkpoint_root = merkle.CompactRange.from_nodes(0, []).root() if leaves == 0 else None
    from reetrace.ledger.note import Checkpoint

    checkpoint_root = Checkpoint.parse(note.split("\n\n")[0] + "\n").root_hash
    rng = random.Random(seed)
    generate, verify = [], []
    import base64

    for _ in range(proofs):
        index = rng.randrange(leaves)
        start = time.perf_counter()
        proof = log.inclusion_proof(store, settings, f"R:e{index}")
        generate.append(time.perf_counter() - start)
        path = [base64.b64decode(p) for p in proof["proof"]]
        start = time.perf_counter()
        merkle.verify_inclusion(hashes[index], index, leaves, path, checkpoint_root)
        verify.append(time.perf_counter() - start)
    start = time.perf_counter()
    assert merkle.root(hashes) == checkpoint_root
    rebuild = time.perf_counter() - start

    def ms(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else values[0] * 1000

    print(f"inclusion proofs at {leaves:,} leaves ({proofs} random events, proof length {len(path)}):")
    print(
        f"  generate from the store   median {ms(generate, 50):7.3f} ms   p95 {ms(generate, 95):7.3f} ms"
        "   (target: under 1 ms)"
    )
    print(
        f"  verify                    median {ms(verify, 50):7.3f} ms   p95 {ms(verify, 95):7.3f} ms"
        "   (target: under 1 ms)"
    )
    print(f"  baseline: hashing the whole tree from its {leaves:,} leaves in memory: {rebuild * 1000:,.0f} ms")
    store.dispose()


def verify_phase(url: str, events_only: bool) -> None:
    """One verification, in this process (its peak memory its own); prints a RESULT line."""
    from reetrace.services.verify import verify_store

    store = open_store(url)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    result = verify_store(store, Settings.build(url), events_only=events_only)
    seconds = time.perf_counter() - start
    own, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    doc = {
        "seconds": seconds,
        "cpu": own.ru_utime + own.ru_stime,  # this process (nothing before the timing is worth counting)
        "helpers_cpu": helpers.ru_utime + helpers.ru_stime,
        "helpers_peak_mb": helpers.ru_maxrss / 1024,
        "load": (load + os.getloadavg()[0]) / 2,
        "peak_mb": own.ru_maxrss / 1024,
        "ok": result.ok,
        "problems": result.problems[:3],
        "leaves": result.leaves,
        "checkpoints": result.checkpoints,
        "derived": result.derived,
        "chain_rows": sum(result.chains.values()),
        "findings": result.findings,
        "notes": result.notes,
    }
    print("RESULT " + json.dumps(doc), flush=True)


def add_chain_rows(url: str, rows: int) -> None:
    """Bring the access log to at least `rows` entries, appended through the chains (a store that
    holds as many already is left as it is; the commands that built it left a few)."""
    from sqlalchemy import func, select

    from reetrace.store import chains

    store = open_store(url)
    with store.reading() as conn:
        held = conn.scalar(select(func.count()).select_from(t.access_log)) or 0
        first = (conn.scalar(select(func.max(t.access_log.c.id))) or 0) + 1
    wanted = rows - held
    if wanted <= 0:
        return
    columns = ("id", "at", "username", "role", "action", "what", "enterprise", "channel", "client")
    for start in range(0, wanted, 50_000):
        with store.writing() as conn:
            chains.append_many(
                conn,
                t.access_log,
                columns,
                [
                    (
                        first + i,
                        f"2025-{1 + i * 12 // wanted:02d}-15T08:00:00.000000+00:00",
                        f"inspector{i % 40}",
                        "inspector",
                        "read",
                        f"GET /api/lots/L{i}",
                        None,
                        "api",
                        "10.0.0.7",
                    )
                    for i in range(start, min(wanted, start + 50_000))
                ],
            )
    settings = Settings.build(url)
    log.publish_checkpoint(store, settings)  # the rows' heads signed, as a running server would


def national_verify(url: str, chain_rows: int) -> None:
    if chain_rows:
        add_chain_rows(url, chain_rows)
    store = open_store(url)
    log.publish_checkpoint(store, Settings.build(url))
    store.dispose()
    runs = {}
    for label, flag in (("events only", "events"), ("full", "full")):
        done = subprocess.run(
            [sys.executable, __file__, "--verify-phase", url, flag], capture_output=True, text=True, check=True
        )
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
        runs[label] = json.loads(line[len("RESULT ") :])
    events, full = runs["events only"], runs["full"]
    n = full["leaves"]
    print(f"log verify on a national year ({n:,} events, {full['checkpoints']:,} checkpoints):")
    for label, run in (("events only (baseline)", events), ("full", full)):
        cpu = run["cpu"] + run["helpers_cpu"]
        print(
            f"  {label:22s} {run['seconds']:8.1f} s  {n / run['seconds']:10,.0f} events/s  CPU {cpu:6.1f} s "
            f"(helpers {run['helpers_cpu']:5.1f} s)  peak {max(run['peak_mb'], run['helpers_peak_mb']):,.0f} MB  "
            f"load {run['load']:.1f}  ok={run['ok']}" + ("   (target: at most 300 s)" if run is full else "")
        )
    rows = ", ".join(f"{table} {count:,}" for table, count in full["derived"].items())
    print(f"  derived rows compared: {rows}")
    print(f"  chained rows verified: {full['chain_rows']:,}; stored findings compared: {full['findings']}")
    for note in full["notes"]:
        print(f"  note: {note}")
    for problem in full["problems"] + events["problems"]:
        print(f"  PROBLEM: {problem}")
    print(f"  the full verification costs {full['seconds'] / events['seconds']:.1f} times the events-only one")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 3 and argv[0] == "--verify-phase":
        verify_phase(argv[1], argv[2] == "events")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--national", metavar="URL", help="a store holding a national year: time `log verify` on it")
    parser.add_argument("--chain-rows", type=int, default=0, help="access-log entries to append first (--national)")
    args = parser.parse_args(argv)
    if args.national:
        national_verify(args.national, args.chain_rows)
        return 0
    with tempfile.TemporaryDirectory(prefix="reetrace-bench-log-") as tmp:
        ingest_cost(args.events, args.seed, Path(tmp))
        proofs_at_scale(args.leaves, args.proofs, args.seed, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
