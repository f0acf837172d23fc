"""HTTP API benchmark: signed submissions sent concurrently to a live server, beside the same
submissions ingested in-process.

    python bench/api.py [--enterprises 20] [--submissions 2000] [--events 1] [--workers 64]
                        [--processes 3] [--db postgresql://…] [--time-limit 300]

A fresh store (SQLite, or a scratch schema of the PostgreSQL database `--db`) gets a registry of
`--enterprises` mining enterprises (keys made here) and one enterprise user with an API token
each. A server (`reetrace serve --workers N`, `--processes` processes) is started on a free
loopback port. Timed: `--submissions` signed submissions of `--events` extractions each, POSTed
to /api/submissions by `--workers` concurrent clients (asyncio, one kept-alive connection each),
each enterprise with its own token; then a tenth of them sent again (duplicates: no-ops). Printed:
throughput and p50/p95 latency beside the targets for one-event submissions from 64 clients
(≥ 500 submissions/s, p95 ≤ 200 ms), how many groups the server wrote them in (checkpoints
signed), and the ledger checked to hold every event exactly once.
Baseline, same run and disk: the same submission files ingested in-process into another fresh
store (`services.ingest`, the path of `reetrace ingest`, one transaction per batch).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from stdnum.cn import uscc as uscc_code

from national import drop_postgres, fresh_postgres  # bench/ is the script's own directory
from reetrace.ledger.signing import key_id, raw_public_key
from reetrace.ledger.submission import sign_submission
from reetrace.services import accounts
from reetrace.services.ingest import ingest
from reetrace.services.log import verify_log
from reetrace.services.registry import load_registry
from reetrace.store import tables as t
from reetrace.store.database import Store, open_store

CST = timezone(timedelta(hours=8))
COMPOSITION = {"Ce": 0.2, "La": 0.1, "Nd": 0.07, "Pr": 0.02}


def enterprises(n: int) -> list[tuple[str, Ed25519PrivateKey]]:
    found = []
    for i in range(n):
        body = f"91150000MA{i:07d}"
        found.append((body + uscc_code.calc_check_digit(body), Ed25519PrivateKey.generate()))
    return found


def registry(parties: list[tuple[str, Ed25519PrivateKey]], year: int) -> dict:
    return {
        "format": "reetrace/registry@1",
        "quotas": [],
        "licenses": [],
        "enterprises": [
            {
                "uscc": uscc,
                "name": f"Bench Mine {i}",
                "province": "Inner Mongolia",
                "qualifications": [{"kind": "mining", "valid_from": f"{year}-01-01", "valid_to": f"{year}-12-31"}],
                "keys": [
                    {
                        "key_id": key_id(raw_public_key(key)),
                        "public_key": base64.b64encode(raw_public_key(key)).decode(),
                        "valid_from": f"{year - 1}-01-01T00:00:00+08:00",
                        "revoked_at": None,
                    }
                ],
                "sites": [{"code": "M1", "kind": "mine", "name": "Pit 1"}],
            }
            for i, (uscc, key) in enumerate(parties)
        ],
    }


def submissions(parties, count: int, events: int, now: datetime) -> list[tuple[str, bytes, int]]:
    """(reporter, signed bytes, event count), round-robin over the enterprises."""
    made = []
    for n in range(count):
        uscc, key = parties[n % len(parties)]
        when = (now - timedelta(days=1, minutes=n)).isoformat(timespec="seconds")
        batch = [
            {
                "event_id": f"b{n}-{e}",
                "type": "extract",
                "time": when,
                "deposit": "rock",
                "outputs": [
                    {"lot": f"L{n}-{e}-{uscc[-6:]}", "form": "ore", "mass_kg": 1000.0 + e, "composition": COMPOSITION}
                ],
            }
            for e in range(events)
        ]
        created = now.isoformat(timespec="seconds")
        made.append((uscc, json.dumps(sign_submission(uscc, key, created, batch)).encode(), events))
    return made


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_url: str, workdir: Path, processes: int = 1) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = workdir / "server.log"
    env = {
        **os.environ,
        "REETRACE_DB": db_url,
        "REETRACE_SESSION_SECRET": secrets.token_hex(32),
        "REETRACE_LOG_KEYS": str(workdir / "logkeys"),
    }
    server = subprocess.Popen(
        [sys.executable, "-c", "from reetrace.cli import app; app()", "serve", "--port", str(port)]
        + (["--workers", str(processes)] if processes > 1 else []),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),  # a file, not a pipe: a pipe nobody reads stalls the server once it is full
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not answer within 60 s")


def send_all(
    url: str, tokens: dict[str, str], work: list[tuple[str, bytes, int]], workers: int, time_limit: float
) -> tuple[float, list[float], dict[int, int]]:
    """POST every submission, `workers` clients at once, each on its own kept-alive connection.
    The clients are coroutines of one thread writing HTTP/1.1 by hand: the load generator shares
    the machine's two cores with the server, and a pool of 64 threads of httpx spent 1.5-2.6 ms
    of processor a request on its own (as much as the server), where this spends a tenth of it."""
    return asyncio.run(asyncio.wait_for(_send_all(url, tokens, work, workers), time_limit))


async def _send_all(
    url: str, tokens: dict[str, str], work: list[tuple[str, bytes, int]], workers: int
) -> tuple[float, list[float], dict[int, int]]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    requests = [
        (
            f"POST /api/submissions HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {tokens[reporter]}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n"
        ).encode()
        + raw
        for reporter, raw, _ in work
    ]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    pending = iter(requests)

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for request in pending:  # shared: each request goes to whichever client is free
                began = time.perf_counter()
                writer.write(request)
                status, close = await _answer(reader)
                latencies.append(time.perf_counter() - began)
                statuses[status] = statuses.get(status, 0) + 1
                if close:
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(workers)))
    return time.perf_counter() - started, latencies, statuses


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """An HTTP/1.1 response's status, read to its end, and whether the server closes the connection."""
    status = int((await reader.readline()).split(b" ", 2)[1])
    length, close = 0, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = value.strip().lower() == b"close"
        elif name == b"transfer-encoding":
            raise SystemExit(f"unexpected transfer-encoding {value.strip()!r}: answers here carry a length")
    await reader.readexactly(length)
    return status, close


def ledger_counts(store: Store) -> tuple[int, int, int]:
    with store.reading() as conn:
        events = conn.scalar(select(func.count()).select_from(t.events))
        distinct = conn.scalar(
            select(func.count()).select_from(select(t.events.c.reporter, t.events.c.event_id).distinct().subquery())
        )
        subs = conn.scalar(select(func.count()).select_from(t.submissions))
    return events, distinct, subs


def baseline(url: str, files: Path, doc: dict, work: list[tuple[str, bytes, int]]) -> float:
    """Seconds to ingest the same submissions as files, in-process, into the fresh store at `url`."""
    files.mkdir()
    for n, (_, raw, _) in enumerate(work):
        (files / f"{n:05d}.json").write_bytes(raw)
    store = open_store(url)
    load_registry(store, doc)
    began = time.perf_counter()
    report = ingest(store, [files])
    seconds = time.perf_counter() - began
    store.dispose()
    assert report.submissions_accepted == len(work), report.as_contract()
    return seconds


@contextlib.contextmanager
def fresh_store(db: str | None, workdir: Path, name: str) -> Iterator[str]:
    """The URL of a fresh store: an SQLite file in `workdir`, or a scratch schema of the
    PostgreSQL database `db`, dropped after."""
    if db is None:
        yield f"sqlite:///{workdir / name}"
        return
    schema, url = fresh_postgres(db)
    try:
        yield url
    finally:
        drop_postgres(db, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--events", type=int, default=1)
    parser.add_argument("--workers", type=int, default=64, help="concurrent clients")
    parser.add_argument("--processes", type=int, default=3, help="server processes (reetrace serve --workers)")
    parser.add_argument("--db", help="a PostgreSQL URL (a scratch schema is made and dropped); default SQLite")
    parser.add_argument("--time-limit", type=float, default=300.0)
    args = parser.parse_args()
    if args.submissions < 1 or args.enterprises < 1 or args.workers < 1 or args.processes < 1:
        parser.error("counts must be positive")

    now = datetime.now(CST)
    parties = enterprises(args.enterprises)
    doc = registry(parties, now.year)
    work = submissions(parties, args.submissions, args.events, now)
    total_events = sum(n for _, _, n in work)
    with tempfile.TemporaryDirectory(prefix="reetrace-bench-api-") as tmp, contextlib.ExitStack() as stores:
        workdir = Path(tmp)
        db_url = stores.enter_context(fresh_store(args.db, workdir, "store.db"))
        store = open_store(db_url)
        load_registry(store, doc)
        tokens = {}
        for uscc, _ in parties:
            accounts.add_user(store, f"u{uscc}", secrets.token_urlsafe(16), "enterprise", uscc)
            tokens[uscc] = accounts.issue_token(store, f"u{uscc}", "bench")[1]
        server, url = start_server(db_url, workdir, args.processes)
        try:
            print(
                f"server {url} ({store.dialect}, {args.processes} processes): {len(work)} signed submissions "
                f"({total_events} events) from {len(parties)} enterprises, {args.workers} concurrent clients"
            )
            seconds, latencies, statuses = send_all(url, tokens, work, args.workers, args.time_limit)
            again = work[::10]
            _, _, repeat_statuses = send_all(url, tokens, again, args.workers, args.time_limit)
        finally:
            server.terminate()
            server.wait(30)
        q = statistics.quantiles(latencies, n=100)
        print(
            f"API: {len(work) / seconds:,.1f} submissions/s, {total_events / seconds:,.0f} events/s "
            f"({seconds:.2f} s; target ≥ 500/s for one-event submissions from 64 clients); latency p50 "
            f"{q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms (target ≤ 200 ms); "
            f"statuses {dict(sorted(statuses.items()))}"
        )
        print(
            f"re-sent {len(again)} submissions: statuses {dict(sorted(repeat_statuses.items()))} "
            f"(200 = duplicate, a no-op)"
        )
        events, distinct, subs = ledger_counts(store)
        verified = verify_log(store)
        store.dispose()
        exact = events == distinct == total_events and subs == len(work)
        print(
            f"ledger: {events} events ({distinct} distinct) for {total_events} submitted, {subs} submissions "
            f"for {len(work)} sent: {'every event exactly once' if exact else 'MISMATCH'}; log verify: "
            f"{'ok' if verified.ok else verified.problems[0]} ({verified.leaves} leaves, "
            f"{verified.checkpoints} checkpoints)"
        )
        base = baseline(
            stores.enter_context(fresh_store(args.db, workdir, "baseline.db")), workdir / "files", doc, work
        )
        print(
            f"baseline, in-process ingest of the same files: {total_events / base:,.0f} events/s "
            f"({base:.2f} s); the API reaches {base / seconds:.2f}x of it"
        )
        if not exact or not verified.ok or set(statuses) != {201} or set(repeat_statuses) != {200}:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
