"""Fuzz campaign: mutated signed submissions through the three doors they come in by, counted.

    python bench/fuzz.py [--inputs 2400] [--seed 7] [--db URL] [--workdir DIR]

A fresh store (SQLite by default; `--db` a PostgreSQL URL) gets the small chain of the test
suite's factory (three enterprises, a user each) and a live server (`reetrace serve`, its own
process, on a free loopback port). `--inputs` inputs, each a valid signed submission mutated by
one of the suite's mutations (tests/fuzzing.py: truncation, bit flips, stray bytes, other
encodings, numbers that are not finite, deep nesting, repeated members; signed again: times and
masses out of bounds, oversized and deep ext, wrong types, confusables, U+0000, unknown and
missing members, conflicts, replays), are sent: 40 % to POST /api/submissions over HTTP, 25 %
uploaded through the portal (signed in, with its form token), 35 % through `reetrace ingest` in
directories of 50 files. Printed per door: accepted, duplicate, rejected per reason class,
server errors (a 5xx, a dropped connection, a traceback or a non-zero exit), rejections answered
but not found in the store, and outcomes the mutation does not allow; targets: 0 server errors,
0 unrecorded rejections. Baseline, same run: a tenth as many unmutated submissions through each
door (all accepted), with their rate. Afterwards the ledger's counts must match the answers and
`reetrace log verify` must pass.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

from reetrace.services import accounts
from reetrace.services.registry import load_registry
from reetrace.store import tables as t
from reetrace.store.database import Store, open_store

# the suite's parties and mutations: the campaign and the suite fuzz with one set of operators
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from factory import World
from fuzzing import CST, MUTATIONS, REASON_CLASSES, Body, base

PASSWORD = "fuzz campaign password"
REETRACE = str(Path(sys.executable).with_name("reetrace"))
SHARES = {"api": 0.40, "portal": 0.25, "ingest": 0.35}
INGEST_BATCH = 50


@dataclass
class Tally:
    inputs: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    server_errors: int = 0
    unrecorded: int = 0
    unexpected: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, body: Body, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        if outcome not in body.expect and len(self.unexpected) < 20:
            self.unexpected.append(f"{body.label}: {outcome}")


def counts(store: Store) -> dict[str, int]:
    with store.reading() as conn:
        return {
            table.name: conn.scalar(select(func.count()).select_from(table)) or 0
            for table in (t.submissions, t.events, t.rejections, t.access_log)
        }


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
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            said = server.stderr.read().decode() if server.stderr else ""
            raise SystemExit(f"the server did not start: {said[-2000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not answer within 60 s")


class Campaign:
    def __init__(self, store: Store, url: str, env: dict[str, str], world: World, tokens: dict[str, str], seed: int):
        self.store, self.url, self.env, self.world, self.tokens = store, url, env, world, tokens
        self.rng = random.Random(seed)
        self.tag = 0
        self.parties = {"mine_user": world.mine, "plant_user": world.plant, "trader_user": world.trader}

    def inputs(self, mutated: bool) -> tuple[str, list[Body]]:
        username = self.rng.choice(sorted(self.parties))
        party = self.parties[username]
        neighbour = self.rng.choice([p for p in self.parties.values() if p is not party])
        self.tag += 1
        submission = base(party, neighbour, f"z{self.tag}", datetime.now(CST), self.rng)
        name = self.rng.choice(sorted(MUTATIONS)) if mutated else "valid"
        return username, MUTATIONS[name](submission, self.rng)

    def judge(self, tally: Tally, body: Body, outcome: str | None, before: dict[str, int]) -> None:
        """Count one answer; a rejection answered is looked for in the store."""
        if outcome is None:
            tally.server_errors += 1
            return
        after = counts(self.store)
        if outcome.startswith("rejected:") and after["rejections"] - before["rejections"] != 1:
            tally.unrecorded += 1
        tally.add(body, outcome)

    def api(self, n: int, mutated: bool) -> Tally:
        tally = Tally()
        began = time.perf_counter()
        with httpx.Client(base_url=self.url, timeout=300) as client:
            while tally.inputs < n:
                username, bodies = self.inputs(mutated)
                for body in bodies:
                    tally.inputs += 1
                    before = counts(self.store)
                    try:
                        answer = client.post(
                            "/api/submissions",
                            content=body.raw,
                            headers={"Authorization": f"Bearer {self.tokens[username]}"},
                        )
                    except httpx.HTTPError:
                        self.judge(tally, body, None, before)
                        continue
                    if answer.status_code >= 500:
                        self.judge(tally, body, None, before)
                    elif answer.status_code in (403, 422):  # 403: another enterprise's, kept as a rejection
                        reason = answer.json()["rejected"][0]["reason"].split(": ", 1)[0]
                        self.judge(tally, body, f"rejected:{reason}", before)
                    else:
                        self.judge(
                            tally, body, {201: "accepted", 200: "duplicate"}.get(answer.status_code, "?"), before
                        )
        tally.seconds = time.perf_counter() - began
        return tally

    def portal(self, n: int, mutated: bool) -> Tally:
        tally = Tally()
        began = time.perf_counter()
        sessions: dict[str, tuple[httpx.Client, str]] = {}
        try:
            while tally.inputs < n:
                username, bodies = self.inputs(mutated)
                if username not in sessions:
                    client = httpx.Client(base_url=self.url, timeout=300, headers={"Origin": self.url})
                    client.post("/login", data={"username": username, "password": PASSWORD})
                    page = client.get("/portal").text
                    sessions[username] = (client, page.split('name="form_token" value="', 1)[1].split('"', 1)[0])
                client, token = sessions[username]
                for body in bodies:
                    tally.inputs += 1
                    before = counts(self.store)
                    try:
                        answer = client.post(
                            "/portal/submissions",
                            data={"form_token": token},
                            files={"submission": ("month.json", body.raw, "application/json")},
                        )
                    except httpx.HTTPError:
                        self.judge(tally, body, None, before)
                        continue
                    after = counts(self.store)
                    if answer.status_code >= 500:
                        outcome = None
                    elif answer.status_code in (403, 422):
                        with self.store.reading() as conn:
                            kept = conn.scalar(select(t.rejections.c.reason_class).order_by(t.rejections.c.id.desc()))
                        outcome = f"rejected:{kept}" if after["rejections"] > before["rejections"] else "rejected:?"
                    else:
                        outcome = "accepted" if after["submissions"] > before["submissions"] else "duplicate"
                    self.judge(tally, body, outcome, before)
        finally:
            for client, _ in sessions.values():
                client.close()
        tally.seconds = time.perf_counter() - began
        return tally

    def ingest(self, n: int, mutated: bool, workdir: Path) -> Tally:
        tally = Tally()
        began = time.perf_counter()
        batch_number = 0
        while tally.inputs < n:
            folder = workdir / f"ingest-{'m' if mutated else 'v'}{batch_number:04d}"
            folder.mkdir(parents=True)
            batch_number += 1
            bodies: list[Body] = []
            while len(bodies) < min(INGEST_BATCH, n - tally.inputs):
                bodies += self.inputs(mutated)[1]
            for i, body in enumerate(bodies):
                (folder / f"{i:03d}.json").write_bytes(body.raw)
            tally.inputs += len(bodies)
            before = counts(self.store)
            done = subprocess.run(
                [REETRACE, "ingest", "--format", "json", str(folder)], env=self.env, capture_output=True, text=True
            )
            if done.returncode != 0 or "Traceback" in done.stderr:
                tally.server_errors += len(bodies)
                continue
            report = json.loads(done.stdout)
            after = counts(self.store)
            rejected = {Path(r["source"]).name: r["reason"].split(": ", 1)[0] for r in report["rejected"]}
            tally.unrecorded += max(0, len(rejected) - (after["rejections"] - before["rejections"]))
            accepted = report["submissions"]["accepted"]
            for i, body in enumerate(bodies):
                found = rejected.get(f"{i:03d}.json")
                if found is not None:
                    tally.add(body, f"rejected:{found}")
                elif accepted > 0 and "accepted" in body.expect:
                    accepted -= 1
                    tally.add(body, "accepted")
                else:
                    tally.add(body, "duplicate" if "duplicate" in body.expect else "accepted")
        tally.seconds = time.perf_counter() - began
        return tally


def row(door: str, tally: Tally) -> str:
    o = tally.outcomes
    classes = " ".join(f"{o.get(f'rejected:{c}', 0):>9}" for c in REASON_CLASSES)
    rate = tally.inputs / tally.seconds if tally.seconds else 0.0
    return (
        f"{door:<20}{tally.inputs:>7}{o.get('accepted', 0):>9}{o.get('duplicate', 0):>10} {classes}"
        f"{tally.server_errors:>11}{tally.unrecorded:>11}{len(tally.unexpected):>11}{rate:>10.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=2400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", default=None, help="a store URL (default: a fresh SQLite file)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="reetrace-fuzz-"))
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.db or f"sqlite:///{workdir / 'store.db'}"
    store = open_store(url)
    world = World()
    load_registry(store, world.registry())
    tokens = {}
    for username, party in (("mine_user", world.mine), ("plant_user", world.plant), ("trader_user", world.trader)):
        accounts.add_user(store, username, PASSWORD, "enterprise", party.uscc)
        tokens[username] = accounts.issue_token(store, username, "fuzz")[1]
    env = {
        **os.environ,
        "REETRACE_DB": url,
        "REETRACE_LOG_KEYS": str(workdir / "logkeys"),
        "REETRACE_SESSION_SECRET": secrets.token_hex(32),
    }
    server, server_url = start_server(env)
    campaign = Campaign(store, server_url, env, world, tokens, args.seed)
    shares = {door: max(1, round(args.inputs * share)) for door, share in SHARES.items()}
    try:
        results = []
        for mutated in (False, True):
            scale = 1 if mutated else 10
            results.append(("api", mutated, campaign.api(shares["api"] // scale, mutated)))
            results.append(("portal", mutated, campaign.portal(shares["portal"] // scale, mutated)))
            results.append(("ingest", mutated, campaign.ingest(shares["ingest"] // scale, mutated, workdir)))
    finally:
        server.terminate()
        server.wait(30)
    verify = subprocess.run([REETRACE, "log", "verify"], env=env, capture_output=True, text=True)
    final = counts(store)
    answered = {"accepted": 0, "rejected": 0, "inputs": 0}
    for _, _, tally in results:
        answered["accepted"] += tally.outcomes.get("accepted", 0)
        answered["rejected"] += sum(v for k, v in tally.outcomes.items() if k.startswith("rejected:"))
        answered["inputs"] += tally.inputs

    print(f"fuzz campaign: {args.inputs} mutated inputs, seed {args.seed}, store {url.split('?')[0]}")
    header = f"{'door':<20}{'inputs':>7}{'accepted':>9}{'duplicate':>10} " + " ".join(f"{c:>9}" for c in REASON_CLASSES)
    print(header + f"{'5xx/crash':>11}{'unrecorded':>11}{'unexpected':>11}{'inputs/s':>10}")
    for door, mutated, tally in results:
        print(row(f"{door} ({'mutated' if mutated else 'baseline'})", tally))
    mutated_total = [tally for _, m, tally in results if m]
    print(
        f"server errors: {sum(t.server_errors for t in mutated_total)} (target 0); "
        f"unrecorded rejections: {sum(t.unrecorded for t in mutated_total)} (target 0)"
    )
    for door, _, tally in results:
        for line in tally.unexpected:
            print(f"  unexpected on {door}: {line}")
    print(
        f"ledger: {final['submissions']} submissions (answered accepted: {answered['accepted']}), "
        f"{final['rejections']} rejections (answered: {answered['rejected']}), "
        f"{final['access_log']} access-log entries for {answered['inputs']} inputs; "
        f"log verify: {'passes' if verify.returncode == 0 else 'FAILS: ' + verify.stdout[-300:] + verify.stderr[-300:]}"
    )
    store.dispose()


if __name__ == "__main__":
    main()
