"""Console benchmark: how long the pages people work with take on a supervised store, beside the
full audit they would otherwise replay.

    python bench/console.py --db /path/to/store.db [--requests 20] [--days 5] [--skip-full]

The store (an SQLite file, e.g. a copy of a national year, ingested and supervised) is used as
it is, plus a regulator and an enterprise user made here (the regulator's role logs in without
a second factor on this store). A server (`reetrace serve`, a separate process) is started on a
free loopback port and driven over HTTP, logged in. Timed, p50/p95 over `--requests` requests
each: the findings list, a finding page, the dashboard, a lot page, the review queue and an
application's review page, the portal (as the enterprise), a triage action (a note, with its
form token), and the pre-review of an application (filed through the API; the pre-review runs at
filing). Then, in-process on the same store, the current findings after the date moves forward
one day without new submissions, `--days` times (the stored findings are put back a day first,
so the store stays as of today), and once after a week. Beside them: the full audit's time (a replay of
the whole ledger as of today), measured in the same run, and the catch-up from the date the
store was supervised as of to today.

Targets: p95 ≤ 500 ms for the pages, ≤ 300 ms for a triage action, ≤ 2 s for a pre-review,
≤ 500 ms for the findings after a day passes.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.domain.prereview import holds
from reetrace.services import accounts, findings, supervision, triage
from reetrace.services.audit import audit_ledger
from reetrace.services.prereview import lot_facts
from reetrace.store import tables as t
from reetrace.store.database import Store, open_store
from reetrace.store.supervision_repo import load_state, save_state

REETRACE = str(Path(sys.executable).with_name("reetrace"))
PASSWORD = "bench-console-Passw0rd!"
REGULATOR, REVIEWER, ENTERPRISE = "bench_regulator", "bench_reviewer", "bench_exporter"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [REETRACE, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            said = server.stderr.read().decode() if server.stderr else ""
            raise SystemExit(f"the server did not start: {said[-2000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not answer within 120 s")


def timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def series(n: int, call: Callable[[int], object]) -> list[float]:
    found = []
    for i in range(n):
        began = time.perf_counter()
        call(i)
        found.append(time.perf_counter() - began)
    return found


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(what: str, values: list[float], target: float, full: float | None) -> str:
    p50, p95 = statistics.median(values), pct(values, 0.95)
    verdict = "ok" if p95 <= target else "OVER"
    baseline = f"{full:8.1f} s" if full is not None else "       -"
    text = f"{what:<44}{p50 * 1000:>9.0f}{p95 * 1000:>9.0f}{target * 1000:>9.0f}  {verdict:<5}{baseline}"
    print(text, flush=True)
    return text


def ok(answer: httpx.Response) -> httpx.Response:
    if answer.status_code >= 400:
        raise SystemExit(f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text[:400]}")
    return answer


def users(store: Store, exporter: str) -> str:
    """The bench's regulator and the exporter's user (made once), and the user's API token."""
    actor = Actor.operator("bench", "console bench")
    with store.reading() as conn:
        known = set(conn.scalars(select(t.users.c.username)))
    if REGULATOR not in known:
        accounts.add_user(store, REGULATOR, PASSWORD, "regulator")
    if REVIEWER not in known:
        accounts.add_user(store, REVIEWER, PASSWORD, "reviewer")
    accounts.require_second_factor(store, actor, "reviewer", False)
    if enterprise_user(exporter) not in known:
        accounts.add_user(store, enterprise_user(exporter), PASSWORD, "enterprise", exporter)
    accounts.require_second_factor(store, actor, "regulator", False)
    return accounts.issue_token(store, enterprise_user(exporter), f"bench {secrets.token_hex(3)}")[1]


def enterprise_user(uscc: str) -> str:
    return f"{ENTERPRISE}_{uscc[-6:].lower()}"


def exporter_and_lot(store: Store, settings: Settings) -> tuple[str, str]:
    """An enterprise holding a lot now (among the latest lots made), and that lot: it applies."""
    with store.reading() as conn:
        lots = list(dict.fromkeys(conn.scalars(select(t.lots.c.lot).order_by(t.lots.c.seq.desc()).limit(3000))))
        facts = lot_facts(conn, lots, settings.thresholds.overdraw_tolerance_kg)
    for lot in lots:
        fact = facts.get(lot)
        if fact is not None and fact.custodian and holds(fact, fact.custodian):
            return fact.custodian, lot
    raise SystemExit("no enterprise holds any of the latest lots made: a national year is needed")


def application(exporter: str, lot: str, n: int) -> dict[str, object]:
    return {
        "application": {
            "format": "reetrace/license-application@1",
            "exporter": exporter,
            "license_type": "single",
            "items": [{"lot": lot}],
            "consignee": {"name": f"Bench Magnets {n} GmbH", "country": "DE"},
            "end_users": [{"name": f"Bench Magnets {n} GmbH", "country": "DE"}],
            "end_use": "Magnets for wind turbine generators",
            "destination": "DE",
            "contract_ref": f"BENCH-{n}",
            "valid_from": "2099-03-01",
            "valid_to": "2100-02-28",
            "documents": [
                {"kind": "end_user_certificate", "path": "euc.pdf"},
                {"kind": "end_use_certificate", "path": "eu.pdf"},
            ],
        },
        "files": {
            "euc.pdf": base64.b64encode(b"end user certificate").decode(),
            "eu.pdf": base64.b64encode(b"end use certificate").decode(),
        },
    }


def logged_in(url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=600, headers={"Origin": url})
    answer = client.post("/login", data={"username": username, "password": PASSWORD})
    where = answer.headers.get("location", "")
    if answer.status_code != 303 or where.startswith("/login"):
        raise SystemExit(f"{username} could not log in: {answer.status_code} {where} {answer.text[:300]}")
    return client


def back(store: Store, day: date) -> None:
    """The stored findings taken as being as of `day`: the next read as of today moves them
    forward, re-judging what those days can change (they were right as of today, and stay so)."""
    with store.writing() as conn:
        state = load_state(conn)
        if state is None:
            raise SystemExit("the store is not supervised")
        save_state(conn, replace(state, as_of=day))


def form_token(page: str) -> str:
    return page.split('name="form_token" value="', 1)[1].split('"', 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, type=Path, help="an SQLite store (a copy: it is written to)")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--skip-full", action="store_true", help="do not time the full audit")
    args = parser.parse_args()
    url = f"sqlite:///{args.db}"
    settings = Settings(db_url=url)
    store = open_store(url)
    today = findings.today(settings)
    with store.reading() as conn:
        state = load_state(conn)
        events = conn.scalar(select(t.events.c.seq).order_by(t.events.c.seq.desc()).limit(1)) or 0
    print(f"store: {args.db} ({events:,} events); supervised as of {state.as_of if state else 'never'}; today {today}")
    if state is None or state.stale:
        print(f"supervise start as of {today}: {timed(lambda: supervision.start(store, settings, today)):.1f} s")
    caught = timed(lambda: findings.current(store, settings, today, wait=True))
    print(f"catch-up from {state.as_of if state else today} to {today} (first read): {caught * 1000:.0f} ms")
    kept = findings.current(store, settings, today)
    keys = [triage.key_of(f) for f in kept]
    exporter, lot = exporter_and_lot(store, settings)
    token = users(store, exporter)

    env = {
        **os.environ,
        "REETRACE_DB": url,
        "REETRACE_LOG_KEYS": f"{args.db}.logkeys",
        "REETRACE_SESSION_SECRET": secrets.token_hex(32),
    }
    server, server_url = start_server(env)
    n = args.requests
    rows: list[str] = []
    try:
        staff = logged_in(server_url, REGULATOR)
        firm = logged_in(server_url, enterprise_user(exporter))
        reviewer = logged_in(server_url, REVIEWER)
        api = httpx.Client(base_url=server_url, timeout=600, headers={"Authorization": f"Bearer {token}"})
        began = time.perf_counter()
        first = staff.get("/")  # starts the dashboard's pass over the year in the background
        print(f"dashboard, first view: {first.status_code} in {(time.perf_counter() - began) * 1000:.0f} ms")
        full = None
        if not args.skip_full:
            full = timed(lambda: audit_ledger(store, settings, today, full=True))
            print(f"full audit as of {today}: {full:.1f} s")
        while staff.get("/").status_code == 503:
            time.sleep(5)
        print(f"dashboard's pass over the year, in the background: done after {time.perf_counter() - began:.0f} s")
        rows.append(line("findings list  GET /findings", series(n, lambda i: ok(staff.get("/findings"))), 0.5, full))
        rows.append(
            line(
                "finding page   GET /findings/{key}",
                series(n, lambda i: ok(staff.get(f"/findings/{keys[i % len(keys)]}"))),
                0.5,
                full,
            )
        )
        rows.append(line("dashboard      GET /", series(n, lambda i: ok(staff.get("/"))), 0.5, full))
        rows.append(
            line("lot page       GET /lots/{lot}", series(n, lambda i: ok(staff.get(f"/lots/{lot}"))), 0.5, full)
        )
        filed: list[str] = []

        def file(i: int) -> None:
            filed.append(ok(api.post("/api/applications", json=application(exporter, lot, i))).json()["number"])

        prereview = series(max(3, n // 4), file)
        rows.append(line("pre-review     POST /api/applications", prereview, 2.0, full))
        rows.append(line("review queue   GET /review", series(n, lambda i: ok(reviewer.get("/review"))), 0.5, full))
        rows.append(
            line(
                "review page    GET /review/{number}",
                series(n, lambda i: ok(reviewer.get(f"/review/{filed[i % len(filed)]}"))),
                0.5,
                full,
            )
        )
        rows.append(
            line("portal         GET /portal (enterprise)", series(n, lambda i: ok(firm.get("/portal"))), 0.5, full)
        )
        key = keys[0]
        token_of_form = form_token(ok(staff.get(f"/findings/{key}")).text)

        def note(i: int) -> None:
            answer = staff.post(
                f"/findings/{key}/triage",
                data={"action": "note", "note": f"bench note {i}", "form_token": token_of_form},
                follow_redirects=False,
            )
            if answer.status_code != 303:
                raise SystemExit(f"triage answered {answer.status_code}: {answer.text[:400]}")

        rows.append(line("triage action  POST /findings/{key}/triage", series(n, note), 0.3, full))
    finally:
        server.terminate()
        server.wait(30)

    def day_passes(i: int, days: int = 1) -> None:
        back(store, today - timedelta(days=days))
        findings.current(store, settings, today)

    moved = series(args.days, day_passes)
    rows.append(line(f"findings after a day passes (x{args.days})", moved, 0.5, full))
    week = timed(lambda: day_passes(0, 7))
    store.dispose()
    print(f"\n{'':<44}{'p50 ms':>9}{'p95 ms':>9}{'target':>9}  {'':<5}full audit")
    for row in rows:
        print(row)
    print(f"\nfindings after a week passes: {week * 1000:.0f} ms")
    print("(a day's move is timed in-process, the store's findings put back a day each time; the rest over HTTP)")


if __name__ == "__main__":
    main()
