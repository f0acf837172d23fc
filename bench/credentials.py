"""Provenance credentials benchmark on the magnet lots of a simulated year, each figure beside its
baseline in the same run (docs/contract.md §11).

    python bench/credentials.py [--scale national|FRACTION] [--data DIR] [--db URL] [--seed 7]
                                [--lots 200] [--keep DIR]

The year is simulated (skipped when `--data` holds one already), ingested into a fresh store
(SQLite file, or `--db` PostgreSQL; `--keep DIR` keeps the SQLite store and its keys there, and a
store already there is used again), and supervision started (`reetrace supervise start`: the full
audit, findings stored), so that issuing reads the stored findings as a server does rather than
auditing the whole ledger for each credential. `--lots` magnet lots (form `magnet`) are drawn at
random.

1. issue      `services.credentials.issue` of each lot, secured both ways (`di`: Data Integrity
              eddsa-jcs-2022; `jwt`: vc+jwt): credentials/s, and where the time goes (findings
              read, checkpoint, provenance and lineage read, passport built and schema-checked,
              signed, the rest: recorded); the credentials' sizes as served (bytes)
2. verify     each credential, pure and offline (`credentials.verify.verify` with the DID
              document and the status from the status list credential, its proof checked too),
              then as `reetrace credential verify` does it with the store
              (`services.credential_verify.verify_credential_file`): credentials/s
3. baseline   bare Ed25519 (cryptography) sign and verify of payloads the size of a credential's
              hash input (its canonical JCS form), and of the 64 bytes eddsa-jcs-2022 signs
4. page       a server started (`reetrace serve`); `GET /verify/{credential_id}` of every issued
              credential as a phone asks for it (phone User-Agent, Accept-Language, Accept
              text/html), one connection kept alive: p50/p95 (goal p95 ≤ 300 ms). A server without
              the page (it answers 404) is said, and `GET /credentials/{credential_id}` plus
              `verify_credential_file` in this process measured in its place

Smoke run in seconds: `python bench/credentials.py --scale 0.005 --lots 20`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from api import start_server
from national import drop_postgres, fresh_postgres, quantile
from reetrace.config import Settings
from reetrace.credentials import verify as checks
from reetrace.credentials.data_integrity import canonical
from reetrace.credentials.status_list import StatusEntry
from reetrace.services import credentials as issuing
from reetrace.services import findings, supervision
from reetrace.services.credential_verify import verify_credential_file
from reetrace.services.ingest import ingest, submission_files
from reetrace.services.registry import load_registry
from reetrace.store.database import Store, open_store

SECURINGS = ("di", "jwt")
PAGE_GOAL_MS = 300.0
PHONE = {
    "User-Agent": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    ),
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "de-DE,de;q=0.9,en;q=0.8",
}
# what `issue` calls, timed where it calls them: (label, object, attribute)
ISSUE_PARTS = (
    ("findings", issuing.current_findings, "current"),
    ("checkpoint", issuing, "publish_checkpoint"),
    ("provenance", issuing, "provenance"),
    ("lineage", issuing.lineage_of, "provenance"),
    ("build", issuing, "passport"),
    ("schema", issuing, "validate_passport"),
    ("sign", issuing, "secure"),
)


def progress(what: str) -> None:
    print(f"· {what} …", file=sys.stderr, flush=True)


def rate(count: int, seconds: float) -> float:
    return count / max(seconds, 1e-9)


# --- the year, in a store with its findings supervised ----------------------------------------


def prepared_store(data: Path, url: str, settings: Settings) -> dict[str, Any]:
    """The year ingested into the store at `url` (unless it holds events already) and supervision
    started as of today (the day issuing reads the findings for)."""
    store = open_store(url)
    try:
        with store.reading() as conn:
            held = conn.scalar(text("SELECT count(*) FROM events"))
        done: dict[str, Any] = {"events": held, "ingest_seconds": None}
        if not held:
            progress("ingest")
            load_registry(store, json.loads((data / "registry.json").read_text(encoding="utf-8")))
            start = time.perf_counter()
            report = ingest(
                store, submission_files([data / "submissions"]), as_received_created_at=True, settings=settings
            )
            done |= {"events": report.events_accepted, "ingest_seconds": time.perf_counter() - start}
            store.analyze()
        progress("supervise start (the full audit)")
        start = time.perf_counter()
        done["findings"] = supervision.start(store, settings, findings.today(settings))
        done["audit_seconds"] = time.perf_counter() - start
        return done
    finally:
        store.dispose()


def magnet_lots(store: Store) -> list[str]:
    with store.reading() as conn:
        return [lot for (lot,) in conn.execute(text("SELECT lot FROM lots WHERE form = 'magnet' ORDER BY seq"))]


# --- 1. issue ---------------------------------------------------------------------------------


@contextmanager
def timed_parts(spent: dict[str, float]) -> Iterator[None]:
    """While open, each of ISSUE_PARTS adds the seconds it takes to `spent[label]`."""

    def timing(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - start

        return timed

    with ExitStack() as stack:
        for label, owner, name in ISSUE_PARTS:
            stack.enter_context(mock.patch.object(owner, name, timing(label, getattr(owner, name))))
        yield


def bench_issue(store: Store, settings: Settings, lots: list[str], securing: str) -> dict[str, Any]:
    spent: dict[str, float] = defaultdict(float)
    issued = []
    with timed_parts(spent):
        start = time.perf_counter()
        for lot in lots:
            issued.append(issuing.issue(store, settings, lot, securing, issued_by="bench"))
        seconds = time.perf_counter() - start
    sizes = [len(json.dumps(i.document, ensure_ascii=False).encode("utf-8")) for i in issued]
    return {
        "issued": issued,
        "rate": rate(len(issued), seconds),
        "seconds": seconds,
        "spent": dict(spent),
        "legal": sum(1 for i in issued if i.all_origins_legal),
        "size_p50": statistics.median(sizes),
        "size_min": min(sizes),
        "size_max": max(sizes),
    }


# --- 2. verify --------------------------------------------------------------------------------


def bench_verify_pure(documents: list[dict[str, Any]], did_document: Any, status_list: Any) -> dict[str, Any]:
    read_status = checks.status_from_list(status_list, did_document)

    def status_of(entry: StatusEntry) -> tuple[bool, str]:
        return read_status(entry), "file"

    start = time.perf_counter()
    reports = [checks.verify(document, did_document, status_of=status_of) for document in documents]
    seconds = time.perf_counter() - start
    return {"rate": rate(len(documents), seconds), "failed": sum(1 for r in reports if not r.ok)}


def bench_verify_file(documents: list[dict[str, Any]], store: Store, settings: Settings) -> dict[str, Any]:
    start = time.perf_counter()
    reports = [verify_credential_file(d, settings=settings, store=store, online=False) for d in documents]
    seconds = time.perf_counter() - start
    sources = sorted({r.status_source or "none" for r in reports})
    return {"rate": rate(len(documents), seconds), "failed": sum(1 for r in reports if not r.ok), "sources": sources}


# --- 3. baseline ------------------------------------------------------------------------------


def bench_ed25519(size: int, rounds: int) -> dict[str, float]:
    """Bare Ed25519 sign and verify of `rounds` random payloads of `size` bytes: per second."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    payloads = [os.urandom(size) for _ in range(rounds)]
    start = time.perf_counter()
    signatures = [key.sign(p) for p in payloads]
    signed = time.perf_counter() - start
    start = time.perf_counter()
    for payload, signature in zip(payloads, signatures, strict=True):
        public.verify(signature, payload)
    verified = time.perf_counter() - start
    return {"size": size, "sign": rate(rounds, signed), "verify": rate(rounds, verified)}


def hash_input_size(document: dict[str, Any]) -> int:
    """The bytes eddsa-jcs-2022 hashes for a credential: its canonical form without the proof."""
    return len(canonical({k: v for k, v in document.items() if k != "proof"}))


# --- 4. the verify page -----------------------------------------------------------------------


def bench_page(address: str, credential_ids: list[str], store: Store, settings: Settings) -> dict[str, Any]:
    """`GET /verify/{id}` as a phone asks for it; when the server has no such page (404), `GET
    /credentials/{id}` and the credential verified here with the store, in its place."""
    times = []
    with httpx.Client(base_url=address, headers=PHONE, timeout=300, follow_redirects=False) as client:
        probe = client.get(f"/verify/{credential_ids[0]}")
        page = probe.status_code != 404
        for ident in credential_ids[:3]:  # warm the server's caches and the connection
            client.get(f"/verify/{ident}" if page else f"/credentials/{ident}")
        statuses: dict[int, int] = defaultdict(int)
        failed = 0
        for ident in credential_ids:
            start = time.perf_counter()
            if page:
                answer = client.get(f"/verify/{ident}")
            else:
                answer = client.get(f"/credentials/{ident}")
                if answer.status_code == 200:
                    report = verify_credential_file(answer.json(), settings=settings, store=store, online=False)
                    failed += not report.ok
            times.append(time.perf_counter() - start)
            statuses[answer.status_code] += 1
            if page and answer.status_code == 200 and "text/html" not in answer.headers.get("content-type", ""):
                failed += 1
    return {
        "page": page,
        "probe": probe.status_code,
        "requests": len(times),
        "statuses": dict(sorted(statuses.items())),
        "failed": failed,
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * quantile(times, 0.95),
    }


# --- the run ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", help="`national` or a fraction of a national year")
    parser.add_argument("--data", type=Path, help="the simulated year (made here if missing; kept)")
    parser.add_argument("--db", help="a PostgreSQL URL (a scratch schema is made and dropped); default SQLite")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--lots", type=int, default=200, help="magnet lots drawn at random")
    parser.add_argument("--keep", type=Path, help="keep the SQLite store and its keys here (used again next time)")
    args = parser.parse_args()
    scale = 1.0 if args.scale == "national" else float(args.scale)
    with tempfile.TemporaryDirectory(prefix="reetrace-credentials-") as tmp:
        scratch = Path(tmp)
        data = args.data or scratch / "year"
        if not (data / "registry.json").exists():
            from reetrace.simulate import simulate

            progress("simulate")
            simulate(data, seed=args.seed, scale=scale, year=args.year)
        home = args.keep or scratch
        home.mkdir(parents=True, exist_ok=True)
        schema = None
        if args.db:
            schema, url = fresh_postgres(args.db)
        else:
            url = f"sqlite:///{home / 'store.db'}"
        try:
            run(args, data, url, home)
        finally:
            if schema:
                drop_postgres(args.db, schema)
            if args.data is None:
                shutil.rmtree(data, ignore_errors=True)
    return 0


def run(args: argparse.Namespace, data: Path, url: str, home: Path) -> None:
    # the server is given `<home>/logkeys` as REETRACE_LOG_KEYS: the issuer's key is kept there too
    settings = replace(Settings.build(url), log_key_dir=home / "logkeys")
    prepared = prepared_store(data, url, settings)
    store = open_store(url)
    try:
        magnets = magnet_lots(store)
        lots = random.Random(args.seed).sample(magnets, min(args.lots, len(magnets)))
        print(
            f"\nProvenance credentials on a simulated year (scale {args.scale}, "
            f"{'PostgreSQL' if args.db else 'SQLite'}): {prepared['events']:,} events, "
            f"{len(magnets):,} magnet lots, {len(lots)} drawn",
            flush=True,
        )
        ingested = (
            f"ingested in {prepared['ingest_seconds']:,.0f} s; "
            if prepared["ingest_seconds"] is not None
            else "the kept store; "
        )
        print(
            f"  store      {ingested}supervision started (full audit {prepared['audit_seconds']:,.1f} s, "
            f"{prepared['findings']:,} findings stored): issuing reads the stored findings, as a server does",
            flush=True,
        )
        if not lots:
            print("  no magnet lot in this year: nothing to issue")
            return
        issued = {}
        for securing in SECURINGS:
            progress(f"issue {securing}")
            issued[securing] = bench_issue(store, settings, lots, securing)
        documents = {s: [i.document for i in issued[s]["issued"]] for s in SECURINGS}
        did_document = issuing.did_document(store, settings)
        status_list = issuing.status_list_credential(store, settings, 1)
        progress("verify")
        pure = {s: bench_verify_pure(documents[s], did_document, status_list) for s in SECURINGS}
        with_store = {s: bench_verify_file(documents[s], store, settings) for s in SECURINGS}
        progress("bare Ed25519")
        size = int(statistics.median(hash_input_size(d) for d in documents["di"]))
        rounds = max(2000, 4 * len(lots))
        bare, bare_hash = bench_ed25519(size, rounds), bench_ed25519(64, rounds)
        report_issue(issued, bare)
        report_verify(pure, with_store, bare, bare_hash)
        progress("serve")
        server, address = start_server(url, home)
        try:
            ids = [i.credential_id for s in SECURINGS for i in issued[s]["issued"]]
            report_page(bench_page(address, ids, store, settings))
        finally:
            server.terminate()
            server.wait(30)
    finally:
        store.dispose()


def report_issue(issued: dict[str, dict[str, Any]], bare: dict[str, float]) -> None:
    for securing in SECURINGS:
        i = issued[securing]
        n = len(i["issued"])
        spent = i["spent"]
        parts = {
            "findings": spent.get("findings", 0.0),
            "checkpoint": spent.get("checkpoint", 0.0),
            "provenance+lineage read": spent.get("provenance", 0.0) + spent.get("lineage", 0.0),
            "passport built": spent.get("build", 0.0),
            "schema": spent.get("schema", 0.0),
            "signed": spent.get("sign", 0.0),
        }
        parts["recorded and the rest"] = i["seconds"] - sum(parts.values())
        split = ", ".join(f"{name} {1000 * s / n:.1f}" for name, s in parts.items())
        print(
            f"  issue {securing:<4} {i['rate']:,.1f} credentials/s ({n} in {i['seconds']:,.1f} s, {i['legal']} with "
            f"every origin legal); baseline bare Ed25519 sign {bare['sign']:,.0f}/s "
            f"({bare['sign'] / i['rate']:,.0f}× the issue rate)\n"
            f"             ms per credential: {split}\n"
            f"             size as served {i['size_p50']:,.0f} bytes (median; {i['size_min']:,}–{i['size_max']:,})",
            flush=True,
        )


def report_verify(
    pure: dict[str, dict[str, Any]],
    with_store: dict[str, dict[str, Any]],
    bare: dict[str, float],
    bare_hash: dict[str, float],
) -> None:
    for securing in SECURINGS:
        p, f = pure[securing], with_store[securing]
        print(
            f"  verify {securing:<3} pure, offline, status from the status list: {p['rate']:,.1f} credentials/s "
            f"({p['failed']} did not verify); verify_credential_file with the store (status from "
            f"{', '.join(f['sources'])}): {f['rate']:,.1f}/s ({f['failed']} did not verify); baseline bare "
            f"Ed25519 verify {bare['verify']:,.0f}/s ({bare['verify'] / p['rate']:,.0f}× the pure rate)",
            flush=True,
        )
    print(
        f"  baseline   bare Ed25519 (cryptography) on {bare['size']:,}-byte payloads (a credential's canonical "
        f"JCS form, the hash input): sign {bare['sign']:,.0f}/s, verify {bare['verify']:,.0f}/s; on the 64 bytes "
        f"eddsa-jcs-2022 signs: sign {bare_hash['sign']:,.0f}/s, verify {bare_hash['verify']:,.0f}/s",
        flush=True,
    )


def report_page(p: dict[str, Any]) -> None:
    if p["page"]:
        print(
            f"  page       GET /verify/{{credential_id}} as a phone, {p['requests']} credentials: p50 "
            f"{p['p50_ms']:.1f} ms, p95 {p['p95_ms']:.1f} ms (goal ≤ {PAGE_GOAL_MS:.0f} ms); statuses "
            f"{p['statuses']}, {p['failed']} not HTML",
            flush=True,
        )
        return
    print(
        f"  page       not available: GET /verify/{{credential_id}} answered {p['probe']} (this server has no "
        f"verify page yet); in its place GET /credentials/{{credential_id}} as a phone plus "
        f"verify_credential_file in this process, {p['requests']} credentials: p50 {p['p50_ms']:.1f} ms, "
        f"p95 {p['p95_ms']:.1f} ms (goal ≤ {PAGE_GOAL_MS:.0f} ms for the page); statuses {p['statuses']}, "
        f"{p['failed']} did not verify",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
