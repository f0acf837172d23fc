"""EPCIS 2.0 benchmark on a simulated year, each figure beside its baseline in the same run.

    python bench/epcis.py [--scale national|FRACTION] [--data DIR] [--db URL] [--seed 7]
                          [--month 6] [--lots 200] [--workers 4] [--skip capture]

1. translate  every event of one month of the year (`--month`), as its enterprise signed it,
              written as EPCIS (`to_epcis`) and read back (`from_epcis`, checked equal): µs per
              event; baseline: the §4 contract's validation of the same events (`validate_event`)
2. query      the year ingested (SQLite file, or `--db` PostgreSQL); a server started
              (`reetrace serve`); `GET /epcis/events?MATCH_anyEPCClass=<lot class>` for `--lots`
              lots drawn at random, as staff: p50/p95 (goal p95 ≤ 100 ms), each answer checked a
              valid EPCISQueryDocument; baseline: `GET /api/lots/{lot}/trace` of the same lots
3. eventIDs   the lazy fill of `epcis_ids`, every event of the year hashed (`fill_epcis_ids`):
              events/s; then `GET /epcis/events/{eventID}` of events drawn at random: p50/p95
4. capture    the month again, into a fresh store behind a fresh server, as one EPCISDocument per
              enterprise, `POST /epcis/capture` with its detached JWS, by `--workers` clients,
              each job polled to its end: events/s; baseline: the same month's signed §4
              submissions `POST /api/submissions` to another fresh store the same way (goal: EPCIS
              ≥ 0.5× of it); the documents without eventIDs (as a system that does not hash sends
              them), then with each event's hash as its eventID (each checked by the capture).
              A server without `/epcis/capture` (404/405) is said, not failed.

Smoke run in seconds: `python bench/epcis.py --scale 0.005 --lots 20`.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import text

from api import start_server
from national import drop_postgres, fresh_postgres, quantile
from reetrace.contract.submission import validate_event
from reetrace.demo.cast import signing_key
from reetrace.epcis.document import Recorded, epcis_document
from reetrace.epcis.schema import schema_errors
from reetrace.epcis.translate import from_epcis, to_epcis
from reetrace.ledger.signing import key_id, raw_public_key
from reetrace.services import accounts
from reetrace.services.epcis_query import fill_epcis_ids
from reetrace.services.ingest import ingest, submission_files
from reetrace.services.registry import load_registry
from reetrace.store.database import Store, open_store

NS = {"rt": "https://ns.reetrace.org/epcis/"}
QUERY_GOAL_MS = 100.0
CAPTURE_GOAL = 0.5


def month_files(data: Path, year: int, month: int) -> list[Path]:
    return sorted(data.glob(f"submissions/*/{year}-{month:02d}.json"))


def month_events(files: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        found.extend((doc["reporter"], event) for event in doc["events"])
    return found


# --- 1. translation ---------------------------------------------------------------------------


def bench_translate(events: list[tuple[str, dict[str, Any]]]) -> dict[str, float]:
    start = time.perf_counter()
    written = [to_epcis(reporter, event) for reporter, event in events]
    read = [from_epcis(epcis, NS) for epcis in written]
    seconds = time.perf_counter() - start
    wrong = sum(1 for (reporter, event), back in zip(events, read, strict=True) if back != (reporter, event))
    start = time.perf_counter()
    for reporter, event in events:
        validate_event(event, reporter)
    baseline = time.perf_counter() - start
    n = max(1, len(events))
    return {"events": len(events), "us": 1e6 * seconds / n, "baseline_us": 1e6 * baseline / n, "wrong": wrong}


# --- 2. query over HTTP -----------------------------------------------------------------------


def staff_token(store: Store) -> str:
    accounts.add_user(store, "bench-auditor", secrets.token_urlsafe(18), "auditor")
    return accounts.issue_token(store, "bench-auditor", "bench")[1]


def timed_get(client: httpx.Client, url: str, params: dict[str, str] | None = None) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    answer = client.get(url, params=params)
    return time.perf_counter() - start, answer


def bench_query(url: str, token: str, lots: list[str]) -> dict[str, Any]:
    epcis, trace, events = [], [], 0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300) as client:
        for lot in lots[:3]:  # warm the server's caches and connections
            client.get("/epcis/events", params={"MATCH_anyEPCClass": f"urn:reetrace:lot:{lot}"})
        for lot in lots:
            uri = lot if lot.startswith("urn:epc:class:lgtin:") else f"urn:reetrace:lot:{lot}"
            seconds, answer = timed_get(client, "/epcis/events", {"MATCH_anyEPCClass": uri, "perPage": "1000"})
            assert answer.status_code == 200, answer.text
            document = answer.json()
            assert schema_errors(document) == [], schema_errors(document)
            events += len(document["epcisBody"]["queryResults"]["resultsBody"]["eventList"])
            epcis.append(seconds)
            seconds, answer = timed_get(client, f"/api/lots/{quote(lot, safe='/')}/trace")
            assert answer.status_code == 200, answer.text
            trace.append(seconds)
    return {
        "lots": len(lots),
        "events": events,
        "p50_ms": 1000 * statistics.median(epcis),
        "p95_ms": 1000 * quantile(epcis, 0.95),
        "trace_p50_ms": 1000 * statistics.median(trace),
        "trace_p95_ms": 1000 * quantile(trace, 0.95),
    }


def bench_party(url: str, token: str, lots: list[str]) -> dict[str, float]:
    """The same lot queries as an enterprise's user (only the events it is party to), and its
    first page of every event it is party to."""
    lot_times, page_times = [], []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300) as client:
        for lot in lots:
            uri = lot if lot.startswith("urn:epc:class:lgtin:") else f"urn:reetrace:lot:{lot}"
            seconds, answer = timed_get(client, "/epcis/events", {"MATCH_anyEPCClass": uri})
            assert answer.status_code == 200, answer.text
            lot_times.append(seconds)
        for _ in range(max(5, len(lots) // 10)):
            seconds, answer = timed_get(client, "/epcis/events", {"perPage": "100"})
            assert answer.status_code == 200, answer.text
            page_times.append(seconds)
    return {
        "p50_ms": 1000 * statistics.median(lot_times),
        "p95_ms": 1000 * quantile(lot_times, 0.95),
        "page_p50_ms": 1000 * statistics.median(page_times),
        "page_p95_ms": 1000 * quantile(page_times, 0.95),
    }


def bench_lookup(url: str, token: str, event_ids: list[str]) -> dict[str, float]:
    times = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300) as client:
        for event_id in event_ids:
            seconds, answer = timed_get(client, "/epcis/events/" + quote(event_id, safe=""))
            assert answer.status_code == 200, answer.text
            times.append(seconds)
    return {"p50_ms": 1000 * statistics.median(times), "p95_ms": 1000 * quantile(times, 0.95)}


# --- 3. the lazy fill -------------------------------------------------------------------------


def bench_fill(store: Store) -> dict[str, float]:
    start = time.perf_counter()
    hashed = fill_epcis_ids(store)
    return {"events": hashed, "seconds": time.perf_counter() - start}


# --- 4. capture -------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def detached_jws(body: bytes, uscc: str, seed: int) -> str:
    """RFC 7515 Appendix F: `header..signature` over the header and the body's bytes (contract §10)."""
    key = signing_key(seed, uscc)
    header = _b64(json.dumps({"alg": "EdDSA", "kid": key_id(raw_public_key(key))}, separators=(",", ":")).encode())
    return f"{header}..{_b64(key.sign(f'{header}.{_b64(body)}'.encode()))}"


def capture_documents(files: list[Path], seed: int, with_ids: bool) -> list[tuple[str, bytes, int, str]]:
    """(reporter, EPCISDocument bytes, event count, detached JWS) of each enterprise's month;
    its events with their event hashes as eventIDs (`with_ids`, as reetrace exports them: the
    capture checks each is the event's own) or without (as a system that does not hash sends
    them: the ids are given when first looked up)."""
    made = []
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        recorded = [Recorded(doc["reporter"], event) for event in doc["events"]]
        document = epcis_document(recorded, datetime.now(UTC))
        if not with_ids:
            for event in document["epcisBody"]["eventList"]:
                del event["eventID"]
        body = json.dumps(document, ensure_ascii=False).encode()
        made.append((doc["reporter"], body, len(recorded), detached_jws(body, doc["reporter"], seed)))
    return made


def enterprise_tokens(store: Store, usccs: set[str]) -> dict[str, str]:
    tokens = {}
    for uscc in sorted(usccs):
        accounts.add_user(store, f"u{uscc}", secrets.token_urlsafe(18), "enterprise", uscc)
        tokens[uscc] = accounts.issue_token(store, f"u{uscc}", "bench")[1]
    return tokens


def fresh_server(registry: dict, usccs: set[str], workdir: Path) -> tuple[Any, str, dict[str, str]]:
    workdir.mkdir(parents=True)
    url = f"sqlite:///{workdir / 'store.db'}"
    store = open_store(url)
    load_registry(store, registry)
    tokens = enterprise_tokens(store, usccs)
    store.dispose()
    server, address = start_server(url, workdir)
    return server, address, tokens


def post_all(url: str, work: list[tuple[str, str, bytes, dict[str, str]]], workers: int) -> tuple[float, list[int]]:
    """POST each (reporter, path, body, headers); the seconds until every answer (and every
    capture job) is in, and the statuses."""
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    with httpx.Client(base_url=url, timeout=600, limits=limits) as client:

        def post(item: tuple[str, str, bytes, dict[str, str]]) -> int:
            _, path, body, headers = item
            answer = client.post(path, content=body, headers=headers)
            if answer.status_code == 202 and "location" in answer.headers:
                while True:  # the job, to its end
                    job = client.get(answer.headers["location"], headers={"Authorization": headers["Authorization"]})
                    if job.status_code != 200 or not job.json().get("running"):
                        return 202 if job.status_code == 200 and job.json().get("success") else job.status_code
                    time.sleep(0.02)
            return answer.status_code

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            statuses = list(pool.map(post, work))
        return time.perf_counter() - start, statuses


def capture_throughput(data: Path, files: list[Path], seed: int, workers: int, scratch: Path) -> dict[str, Any]:
    """The month as EPCIS captures beside the same month as §4 submissions, each into a fresh
    store behind a fresh server: events/s each. `available` False when the server has no
    `/epcis/capture` (it answered 404 or 405)."""
    registry = json.loads((data / "registry.json").read_text(encoding="utf-8"))
    usccs = {json.loads(p.read_text(encoding="utf-8"))["reporter"] for p in files}
    rates: dict[bool, float] = {}
    for with_ids in (False, True):
        documents = capture_documents(files, seed, with_ids)
        events = sum(n for _, _, n, _ in documents)
        server, url, tokens = fresh_server(registry, usccs, scratch / f"capture-{'ids' if with_ids else 'plain'}")
        try:
            probe = httpx.post(f"{url}/epcis/capture", content=b"{}", headers={"Authorization": "Bearer x"}, timeout=60)
            if probe.status_code in (404, 405):
                return {"available": False, "status": probe.status_code}
            work = [
                (
                    uscc,
                    "/epcis/capture",
                    body,
                    {
                        "Authorization": f"Bearer {tokens[uscc]}",
                        "Content-Type": "application/ld+json",
                        "JWS-Signature": jws,
                    },
                )
                for uscc, body, _, jws in documents
            ]
            seconds, statuses = post_all(url, work, workers)
            rates[with_ids] = events / seconds
        finally:
            server.terminate()
            server.wait(30)
    server, url, tokens = fresh_server(registry, usccs, scratch / "submissions")
    try:
        subs = []
        for path in files:
            raw = path.read_bytes()
            uscc = json.loads(raw)["reporter"]
            headers = {"Authorization": f"Bearer {tokens[uscc]}", "Content-Type": "application/json"}
            subs.append((uscc, "/api/submissions", raw, headers))
        base_seconds, base_statuses = post_all(url, subs, workers)
    finally:
        server.terminate()
        server.wait(30)
    return {
        "available": True,
        "documents": len(documents),
        "events": events,
        "rate": rates[False],
        "rate_with_ids": rates[True],
        "statuses": sorted(set(statuses)),
        "baseline_rate": events / base_seconds,
        "baseline_statuses": sorted(set(base_statuses)),
    }


# --- the run ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", help="`national` or a fraction of a national year")
    parser.add_argument("--data", type=Path, help="the simulated year (made here if missing; kept)")
    parser.add_argument("--db", help="a PostgreSQL URL (a scratch schema is made and dropped); default SQLite")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--month", type=int, default=6, help="the month translated and captured")
    parser.add_argument("--lots", type=int, default=200, help="lots queried over HTTP")
    parser.add_argument("--workers", type=int, default=4, help="concurrent clients of the capture")
    parser.add_argument("--skip", action="append", default=[], help="parts to skip: query, fill, capture")
    args = parser.parse_args()
    scale = 1.0 if args.scale == "national" else float(args.scale)
    with tempfile.TemporaryDirectory(prefix="reetrace-epcis-") as tmp:
        scratch = Path(tmp)
        data = args.data or scratch / "year"
        if not (data / "registry.json").exists():
            from reetrace.simulate import simulate

            print("· simulate …", file=sys.stderr, flush=True)
            simulate(data, seed=args.seed, scale=scale, year=args.year)
        files = month_files(data, args.year, args.month)
        print("· translate …", file=sys.stderr, flush=True)
        translate = bench_translate(month_events(files))
        print(
            f"\nEPCIS on a simulated year (scale {args.scale}, {'PostgreSQL' if args.db else 'SQLite'})\n"
            f"  translate  {translate['events']:,} events of {args.year}-{args.month:02d}: to EPCIS and back "
            f"{translate['us']:.1f} µs/event ({translate['wrong']} not the same); baseline §4 contract "
            f"validation {translate['baseline_us']:.1f} µs/event ({translate['us'] / translate['baseline_us']:.2f}×)",
            flush=True,
        )
        if not {"query", "fill"} <= set(args.skip):
            ledger(args, data, scratch)
        if "capture" not in args.skip:
            print("· capture …", file=sys.stderr, flush=True)
            report_capture(capture_throughput(data, files, args.seed, args.workers, scratch))
        if args.data is None:
            shutil.rmtree(data, ignore_errors=True)
    return 0


def ledger(args: argparse.Namespace, data: Path, scratch: Path) -> None:
    """Parts 2 and 3, on the year ingested."""
    schema = None
    if args.db:
        schema, url = fresh_postgres(args.db)
    else:
        url = f"sqlite:///{scratch / 'year.db'}"
    try:
        store = open_store(url)
        load_registry(store, json.loads((data / "registry.json").read_text(encoding="utf-8")))
        print("· ingest …", file=sys.stderr, flush=True)
        start = time.perf_counter()
        report = ingest(store, submission_files([data / "submissions"]), as_received_created_at=True)
        print(f"  ingest     {report.events_accepted:,} events in {time.perf_counter() - start:,.0f} s", flush=True)
        store.analyze()
        token = staff_token(store)
        rng = random.Random(args.seed)
        with store.reading() as conn:
            lots = [lot for (lot,) in conn.execute(text("SELECT lot FROM lots ORDER BY seq"))]
            busiest = conn.scalar(
                text("SELECT reporter FROM events GROUP BY reporter ORDER BY count(*) DESC, reporter LIMIT 1")
            )
        party_token = enterprise_tokens(store, {busiest})[busiest]
        sample = rng.sample(lots, min(args.lots, len(lots)))
        server, address = start_server(url, scratch / "server")
        try:
            if "query" not in args.skip:
                print("· query …", file=sys.stderr, flush=True)
                q = bench_query(address, token, sample)
                print(
                    f"  query      MATCH_anyEPCClass of {q['lots']} lots ({q['events']:,} events): p50 "
                    f"{q['p50_ms']:.1f} ms, p95 {q['p95_ms']:.1f} ms (goal ≤ {QUERY_GOAL_MS:.0f} ms); baseline "
                    f"GET /api/lots/{{lot}}/trace p50 {q['trace_p50_ms']:.1f} ms, p95 {q['trace_p95_ms']:.1f} ms",
                    flush=True,
                )
                e = bench_party(address, party_token, sample)
                print(
                    f"             the same as the user of the enterprise reporting most events: p50 "
                    f"{e['p50_ms']:.1f} ms, p95 {e['p95_ms']:.1f} ms; its first page of 100 events p50 "
                    f"{e['page_p50_ms']:.1f} ms, p95 {e['page_p95_ms']:.1f} ms",
                    flush=True,
                )
            if "fill" not in args.skip:
                print("· fill …", file=sys.stderr, flush=True)
                fill = bench_fill(store)
                with store.reading() as conn:
                    ids = [i for (i,) in conn.execute(text("SELECT epcis_id FROM epcis_ids"))]
                looked = bench_lookup(address, token, rng.sample(ids, min(args.lots, len(ids))))
                print(
                    f"  eventIDs   lazy fill {fill['events']:,} events in {fill['seconds']:,.1f} s, "
                    f"{fill['events'] / max(fill['seconds'], 1e-9):,.0f} events/s; then GET /epcis/events/{{eventID}} "
                    f"p50 {looked['p50_ms']:.1f} ms, p95 {looked['p95_ms']:.1f} ms",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(30)
            store.dispose()
    finally:
        if schema:
            drop_postgres(args.db, schema)


def report_capture(c: dict[str, Any]) -> None:
    if not c["available"]:
        print(
            f"  capture    not available: POST /epcis/capture answered {c['status']} (this server has no "
            f"EPCIS capture yet); nothing measured"
        )
        return
    ratio = c["rate"] / c["baseline_rate"]
    with_ids = c["rate_with_ids"] / c["baseline_rate"]
    print(
        f"  capture    {c['events']:,} events in {c['documents']} EPCIS documents: {c['rate']:,.0f} events/s "
        f"(statuses {c['statuses']}); baseline the same month as §4 submissions via POST /api/submissions "
        f"{c['baseline_rate']:,.0f} events/s (statuses {c['baseline_statuses']}); {ratio:.2f}× "
        f"(goal ≥ {CAPTURE_GOAL}×)\n"
        f"             the same documents with each event's hash as its eventID (each checked to be the "
        f"event's own): {c['rate_with_ids']:,.0f} events/s, {with_ids:.2f}×"
    )


if __name__ == "__main__":
    sys.exit(main())
