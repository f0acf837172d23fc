"""Submissions through the live API: accepted, duplicate (a no-op), every rejection class kept,
another enterprise's submission refused, and `reetrace submit` against the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from factory import extract, party
from reetrace.store import tables as t

REETRACE = str(Path(sys.executable).with_name("reetrace"))


def count(live, table) -> int:
    with live.store.reading() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_accepted_then_duplicate_is_a_no_op(seeded):
    sub = seeded.world.mine.submit([extract("m10", "C10", 500)], created_at="2026-02-06T10:00:00+08:00")
    with seeded.client("mine_user") as client:
        first = client.post("/api/submissions", content=json.dumps(sub))
        events = count(seeded, t.events)
        again = client.post("/api/submissions", content=json.dumps(sub))
    assert first.status_code == 201
    assert first.json()["format"] == "reetrace/ingest-report@1"
    assert first.json()["submissions"] == {"accepted": 1, "duplicate": 0, "rejected": 0}
    assert again.status_code == 200
    assert again.json()["submissions"] == {"accepted": 0, "duplicate": 1, "rejected": 0}
    assert again.json()["events"] == {"accepted": 0, "duplicate": 1}
    assert count(seeded, t.events) == events
    with seeded.client("mine_user") as client:  # a checkpoint covers the accepted event
        proof = client.get(f"/api/log/proof/{seeded.world.mine.uscc}:m10").json()
    assert proof["tree_size"] >= proof["leaf_index"] + 1


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda raw, w: b"{not json", "parse"),
        (lambda raw, w: json.dumps({**json.loads(raw), "surprise": 1}).encode(), "schema"),
        (lambda raw, w: raw.replace(b'"mass_kg":500', b'"mass_kg":501'), "signature"),
    ],
)
def test_rejections_keep_their_class(seeded, mutate, reason):
    sub = seeded.world.mine.submit([extract("m20", "C20", 500)], created_at="2026-02-07T10:00:00+08:00")
    raw = mutate(json.dumps(sub, separators=(",", ":")).encode(), seeded.world)
    before = count(seeded, t.rejections)
    with seeded.client("mine_user") as client:
        answer = client.post("/api/submissions", content=raw)
    body = answer.json()
    assert answer.status_code == 422
    assert body["submissions"]["rejected"] == 1
    assert body["rejected"][0]["reason"].startswith(f"{reason}: ")
    assert body["error"]["type"] == "rejected"
    assert count(seeded, t.rejections) == before + 1
    with seeded.client("mine_user") as client:  # the sender sees its rejection
        mine = client.get("/api/rejections", params={"reason": reason}).json()["items"]
    assert mine and mine[0]["reporter"] == seeded.world.mine.uscc


def test_conflict_is_rejected(seeded):
    w = seeded.world
    first = w.mine.submit([extract("m30", "C30", 500)], created_at="2026-02-08T10:00:00+08:00")
    other = w.mine.submit([extract("m30", "C30", 600)], created_at="2026-02-08T11:00:00+08:00")
    with seeded.client("mine_user") as client:
        assert client.post("/api/submissions", json=first).status_code == 201
        answer = client.post("/api/submissions", json=other)
    assert answer.status_code == 422
    assert answer.json()["rejected"][0]["reason"].startswith("conflict: ")


def test_another_enterprises_submission_is_refused_and_recorded(seeded):
    w = seeded.world
    sub = w.plant.submit([extract("p40", "P40", 10)], created_at="2026-02-09T10:00:00+08:00")
    before_events = count(seeded, t.events)
    with seeded.client("mine_user") as client:
        answer = client.post("/api/submissions", json=sub)
        mine = client.get("/api/rejections", params={"reason": "reporter"}).json()["items"]
    assert answer.status_code == 403
    assert answer.json()["error"]["type"] == "forbidden"
    assert answer.json()["rejected"][0]["reason"].startswith("reporter: ")
    assert count(seeded, t.events) == before_events
    assert mine and w.plant.uscc in mine[0]["reason"] and mine[0]["reporter"] == w.mine.uscc
    with seeded.store.reading() as conn:
        refused = conn.execute(select(t.access_log).where(t.access_log.c.action == "refused")).all()
    assert any(r.username == "mine_user" and r.what == "POST /api/submissions" for r in refused)


def test_unregistered_reporter_and_staff_may_not_submit(seeded):
    stranger = party(99, "mining")
    with seeded.client("regulator") as client:
        assert client.post("/api/submissions", json=stranger.submit([extract("s1", "S1", 1)])).status_code == 403
    seeded.add_user("stranger_user", "enterprise", stranger.uscc)
    with seeded.client("stranger_user") as client:
        answer = client.post("/api/submissions", json=stranger.submit([extract("s1", "S1", 1)]))
    assert answer.status_code == 422
    assert answer.json()["rejected"][0]["reason"].startswith("reporter: ")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [REETRACE, *args], capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"}
    )


def test_reetrace_submit_against_the_live_server(seeded, tmp_path):
    w = seeded.world
    good = tmp_path / "good.json"
    good.write_text(json.dumps(w.mine.submit([extract("m50", "C50", 100)], created_at="2026-02-10T10:00:00+08:00")))
    bad = tmp_path / "bad.json"
    bad.write_text(good.read_text().replace('"mass_kg": 100', '"mass_kg": 101'))
    token = seeded.tokens["mine_user"]

    accepted = _cli("submit", str(good), "--to", seeded.url, "--token", token)
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.startswith("accepted: 1 event")
    duplicate = _cli("submit", str(good), "--to", seeded.url, "--token", token)
    assert duplicate.returncode == 0 and duplicate.stdout.startswith("duplicate")
    rejected = _cli("submit", str(bad), "--to", seeded.url, "--token", token)
    assert rejected.returncode == 1
    assert "rejected: signature: does not verify" in rejected.stderr
    wrong_token = _cli("submit", str(good), "--to", seeded.url, "--token", "rt_nope")
    assert wrong_token.returncode == 1 and "401" in wrong_token.stderr
    missing = _cli("submit", str(tmp_path / "nope.json"), "--to", seeded.url, "--token", token)
    assert missing.returncode == 2
    unreachable = _cli("submit", str(good), "--to", "http://127.0.0.1:9", "--token", token)
    assert unreachable.returncode == 1 and "cannot reach the server" in unreachable.stderr


def test_an_oversized_body_is_a_rejection_kept_with_its_digest_and_size(seeded, tmp_path):
    """A body beyond 64 MiB, streamed by `reetrace submit` over a real connection: read past by
    the server, never held whole; recorded with its digest and size, not its bytes."""
    import hashlib

    from reetrace.domain.submissions import MAX_BYTES

    big = tmp_path / "big.json"
    with big.open("wb") as file:
        file.write(b'{"format": "reetrace/submission@1", "events": [')
        file.truncate(MAX_BYTES + 4096)
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    before = count(seeded, t.rejections)
    done = _cli("submit", str(big), "--to", seeded.url, "--token", seeded.tokens["mine_user"])
    assert done.returncode == 1 and "rejected: schema: 67,112,960 bytes received, more than" in done.stderr
    assert count(seeded, t.rejections) == before + 1
    with seeded.client("mine_user") as client:  # the sender sees it, with the digest and size
        listed = client.get("/api/rejections", params={"reason": "schema"}).json()["items"][0]
    assert (listed["digest"], listed["size"]) == (digest, MAX_BYTES + 4096)
    with seeded.store.reading() as conn:
        kept = conn.execute(select(t.rejections).order_by(t.rejections.c.id.desc()).limit(1)).one()
        logged = conn.execute(select(t.access_log).order_by(t.access_log.c.id.desc()).limit(1)).one()
    assert (kept.size, kept.digest, kept.raw, kept.reporter) == (MAX_BYTES + 4096, digest, None, seeded.world.mine.uscc)
    assert (logged.action, logged.what, logged.username, logged.channel) == (
        "change",
        "POST /api/submissions",
        "mine_user",
        "api",
    )
    # the near miss: a body of exactly the bound is read whole, parsed, and refused for what it holds
    exact = tmp_path / "exact.json"
    with exact.open("wb") as file:
        file.write(b'{"format": "reetrace/submission@1", "events": [')
        file.truncate(MAX_BYTES)
    done = _cli("submit", str(exact), "--to", seeded.url, "--token", seeded.tokens["mine_user"])
    assert done.returncode == 1 and "rejected: parse: not JSON" in done.stderr
