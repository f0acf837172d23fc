"""The fuzz suite: Hypothesis mutations of valid signed submissions (tests/fuzzing.py) sent
through each door submissions come in by — the API's POST /api/submissions, the portal's
upload, `reetrace ingest` — on SQLite and PostgreSQL. For each input: accepted, a duplicate, or
rejected with one of the contract's reason classes (the class the mutation must give, where it
must give one); the ledger's counts of submissions, events and rejections moved exactly as the
answer says, each rejection kept with the bytes' digest and size, and one access-log entry per
input; never a 5xx or a traceback. Afterwards `reetrace log verify` passes.

The default run is short; `REETRACE_FUZZ_EXAMPLES=N` asks N examples of the API (half as many
of the portal, a quarter of batches through the command line).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from api_data import PASSWORD
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from factory import World
from fuzzing import CST, MUTATIONS, REASON_CLASSES, Base, Body, base
from reetrace.api.app import create_app
from reetrace.config import Settings
from reetrace.services import accounts, registry
from reetrace.store import tables as t
from reetrace.store.database import Store, open_store

EXAMPLES = int(os.environ.get("REETRACE_FUZZ_EXAMPLES", "36"))
REETRACE = str(Path(sys.executable).with_name("reetrace"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
_tags = itertools.count()


@dataclass
class Doors:
    app: object
    store: Store
    settings: Settings
    url: str
    world: World
    tokens: dict[str, str]
    sent: int = 0  # inputs sent through every door, each one access-log entry

    def parties(self):
        return {"mine_user": self.world.mine, "plant_user": self.world.plant, "trader_user": self.world.trader}


@pytest.fixture(scope="module")
def doors(module_store_url, tmp_path_factory) -> Iterator[Doors]:
    settings = Settings(db_url=module_store_url, log_key_dir=tmp_path_factory.mktemp("logkeys"))
    store = open_store(module_store_url)
    world = World()
    registry.load_registry(store, world.registry())
    tokens = {}
    for username, party in (("mine_user", world.mine), ("plant_user", world.plant), ("trader_user", world.trader)):
        accounts.add_user(store, username, PASSWORD, "enterprise", party.uscc)
        tokens[username] = accounts.issue_token(store, username, "fuzz")[1]
    app = create_app(settings, store, session_secret=b"s" * 32)
    yield Doors(app, store, settings, module_store_url, world, tokens)
    store.dispose()


def counts(store: Store) -> dict[str, int]:
    with store.reading() as conn:
        return {
            table.name: conn.scalar(select(func.count()).select_from(table)) or 0
            for table in (t.submissions, t.events, t.rejections, t.access_log)
        }


def last_rejection(store: Store):
    with store.reading() as conn:
        return conn.execute(select(t.rejections).order_by(t.rejections.c.id.desc()).limit(1)).one()


def inputs(doors: Doors, rng: random.Random, name: str) -> tuple[str, Base, list[Body]]:
    username = rng.choice(sorted(doors.parties()))
    party = doors.parties()[username]
    neighbour = rng.choice([p for p in doors.parties().values() if p is not party])
    submission = base(party, neighbour, f"f{next(_tags)}", datetime.now(CST), rng)
    return username, submission, MUTATIONS[name](submission, rng)


def check_one(doors: Doors, body: Body, outcome: str, before: dict[str, int], events_added: int) -> None:
    """The outcome is one the contract knows and the mutation allows, and the store moved by
    exactly what it says."""
    after = counts(doors.store)
    moved = {k: after[k] - before[k] for k in after}
    assert outcome in body.expect, (body.label, outcome)
    assert moved["access_log"] == 1, body.label
    if outcome == "accepted":
        assert moved == {"submissions": 1, "events": events_added, "rejections": 0, "access_log": 1} and events_added
    elif outcome == "duplicate":
        assert moved == {"submissions": 0, "events": 0, "rejections": 0, "access_log": 1}
    else:
        assert moved == {"submissions": 0, "events": 0, "rejections": 1, "access_log": 1}, (body.label, moved)
        kept = last_rejection(doors.store)
        assert f"rejected:{kept.reason_class}" == outcome and kept.reason.startswith(f"{kept.reason_class}: ")
        assert kept.size == len(body.raw) and bytes(kept.raw) == body.raw
        if kept.reason_class not in ("conflict", "reporter"):  # these may name the signed message
            assert kept.digest == hashlib.sha256(body.raw).hexdigest()
        assert kept.digest is not None
        assert "cannot be checked" not in kept.reason  # authentication's last guard was never needed


@FUZZ
@given(st.sampled_from(sorted(MUTATIONS)), st.randoms(use_true_random=False))
def test_the_api(doors, name, rng):
    username, _, bodies = inputs(doors, rng, name)
    client = TestClient(doors.app, raise_server_exceptions=True)  # a crash fails here, with its traceback
    for body in bodies:
        before = counts(doors.store)
        answer = client.post(
            "/api/submissions", content=body.raw, headers={"Authorization": f"Bearer {doors.tokens[username]}"}
        )
        doors.sent += 1
        assert answer.status_code in (200, 201, 403, 422), (body.label, answer.status_code, answer.text[:300])
        report = answer.json()
        if answer.status_code == 403:  # another enterprise's: refused, and kept as a rejection
            assert report["rejected"][0]["reason"].startswith("reporter: ") and report["error"]["type"] == "forbidden"
            outcome = "rejected:reporter"
        elif answer.status_code == 422:
            reason = report["rejected"][0]["reason"]
            assert reason.split(": ", 1)[0] in REASON_CLASSES and report["error"]["type"] == "rejected"
            outcome = "rejected:" + reason.split(": ", 1)[0]
        else:
            outcome = "accepted" if answer.status_code == 201 else "duplicate"
        check_one(doors, body, outcome, before, report["events"]["accepted"])


@settings(FUZZ, max_examples=max(EXAMPLES // 2, 4))
@given(st.sampled_from(sorted(MUTATIONS)), st.randoms(use_true_random=False))
def test_the_portal_upload(doors, name, rng):
    username, _, bodies = inputs(doors, rng, name)
    # a browser on the site itself: its forms carry the site's Origin
    client = TestClient(doors.app, raise_server_exceptions=True, headers={"Origin": "http://testserver"})
    signed_in = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert signed_in.status_code == 303
    form_token = client.get("/portal").text.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    for body in bodies:
        before = counts(doors.store)
        answer = client.post(
            "/portal/submissions",
            data={"form_token": form_token},
            files={"submission": (f"{body.label[:20] or 'month'}.json", body.raw, "application/json")},
        )
        doors.sent += 1
        assert answer.status_code in (200, 403, 422), (body.label, answer.status_code)
        after = counts(doors.store)
        if after["rejections"] > before["rejections"]:
            kept = last_rejection(doors.store)
            outcome = f"rejected:{kept.reason_class}"
            assert answer.status_code == (403 if "may submit only its own reports" in kept.reason else 422)
        else:
            outcome = "accepted" if after["submissions"] > before["submissions"] else "duplicate"
            assert answer.status_code == 200
        check_one(doors, body, outcome, before, after["events"] - before["events"])


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 3))
@given(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_reetrace_ingest(doors, tmp_path_factory, names, rng):
    folder = tmp_path_factory.mktemp("ingest")
    bodies: list[Body] = []
    for name in names:
        bodies += inputs(doors, rng, name)[2]
    for i, body in enumerate(bodies):
        (folder / f"{i:03d}.json").write_bytes(body.raw)
    before = counts(doors.store)
    env = {**os.environ, "REETRACE_DB": doors.url, "REETRACE_LOG_KEYS": str(doors.settings.log_key_dir)}
    done = subprocess.run(
        [REETRACE, "ingest", "--format", "json", str(folder)], env=env, capture_output=True, text=True, timeout=300
    )
    doors.sent += len(bodies)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    report = json.loads(done.stdout)
    after = counts(doors.store)
    rejected = {Path(r["source"]).name: r["reason"].split(": ", 1)[0] for r in report["rejected"]}
    for i, body in enumerate(bodies):
        found = rejected.get(f"{i:03d}.json")
        if found is None:
            assert body.expect & {"accepted", "duplicate"}, body.label
        else:
            assert found in REASON_CLASSES and f"rejected:{found}" in body.expect, (body.label, found)
    assert after["submissions"] - before["submissions"] == report["submissions"]["accepted"]
    assert after["events"] - before["events"] == report["events"]["accepted"]
    assert after["rejections"] - before["rejections"] == report["submissions"]["rejected"] == len(rejected)
    assert after["access_log"] - before["access_log"] == len(bodies)


def test_the_log_verifies_after_the_fuzzing(doors):
    env = {**os.environ, "REETRACE_DB": doors.url, "REETRACE_LOG_KEYS": str(doors.settings.log_key_dir)}
    done = subprocess.run([REETRACE, "log", "verify"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert doors.sent > EXAMPLES  # the suite ran through every door
    assert counts(doors.store)["access_log"] >= doors.sent
