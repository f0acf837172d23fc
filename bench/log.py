"""Transparency log benchmark: what the log costs at ingest, and how fast proofs are at scale.

    python bench/log.py [--events 100000] [--leaves 1000000] [--proofs 1000] [--seed 7]

1. Ingest with the log on versus off, same data set (a demo year of at least `--events`
   events), same run: the log may cost at most 10 % of the throughput.
2. Inclusion proofs at `--leaves` leaves: a store holding a log of that many leaves is built
   (not timed), then for `--proofs` random events the time to generate the proof from the store
   (`log prove`: O(log n) stored subtree hashes, one query) and the time to verify it, each
   beside the baseline of hashing the whole tree from its leaves held in memory.
"""

from __future__ import annotations

import argparse
import random
import statistics
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reetrace-bench-log-") as tmp:
        ingest_cost(args.events, args.seed, Path(tmp))
        proofs_at_scale(args.leaves, args.proofs, args.seed, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
