"""The server signs a checkpoint after every request that may change something and moved the
log or a chain, before the response ends (where only chains moved, at most one every few
seconds); reads are left to its periodic checkpoint."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from starlette.testclient import TestClient

from factory import extract
from reetrace.api.app import create_app
from reetrace.ledger import chains as formula
from reetrace.services import log
from reetrace.store import chains
from reetrace.store import tables as t


def latest(live) -> tuple[int, dict[str, tuple[int, bytes]]]:
    with live.store.reading() as conn:
        count = conn.scalar(select(func.count()).select_from(t.checkpoints))
        note = conn.scalar(select(t.checkpoints.c.note).order_by(t.checkpoints.c.id.desc()).limit(1))
    return count, formula.parse_extensions(log.peek(note).extensions)


def server(live, spacing: float) -> TestClient:
    """The same store served with checkpoints spaced `spacing` seconds apart."""
    settings = replace(live.app.state.settings, checkpoint_spacing_seconds=spacing)
    return TestClient(create_app(settings, live.store, session_secret=b"s" * 32))


def tampered(live, event_id: str) -> dict:
    doc = live.world.trader.submit([extract(event_id, event_id.upper(), 10)])
    doc["events"][0]["outputs"][0]["mass_kg"] = 12  # no longer what was signed
    return doc


def test_a_rejected_submission_is_covered_by_a_checkpoint_when_its_answer_arrives(seeded):
    bearer = {"Authorization": f"Bearer {seeded.tokens['trader_user']}"}
    with server(seeded, 0) as client:
        assert client.post("/api/submissions", json=tampered(seeded, "x8"), headers=bearer).status_code == 422
    _, signed = latest(seeded)
    with seeded.store.reading() as conn:
        assert signed["rejections"] == chains.heads(conn)["rejections"]
        assert signed["rejections"][0] == conn.scalar(select(func.count()).select_from(t.rejections))


def test_a_read_signs_nothing_by_itself(seeded):
    before, _ = latest(seeded)
    with seeded.client("regulator") as client:
        assert client.get("/api/lots/DYO-1").status_code == 200
        assert client.get("/api/log/key").status_code == 200
    assert latest(seeded)[0] == before


def test_a_flood_of_rejections_signs_one_checkpoint_per_spacing_not_one_each(seeded):
    bearer = {"Authorization": f"Bearer {seeded.tokens['trader_user']}"}
    with server(seeded, 3600) as client:
        before, _ = latest(seeded)
        for n in range(8):
            assert client.post("/api/submissions", json=tampered(seeded, f"f{n}"), headers=bearer).status_code == 422
        assert latest(seeded)[0] - before <= 1  # the first may sign; the rest wait for the periodic one
        # the near miss: a submission that adds events is checkpointed at once, whatever the spacing
        accepted = seeded.world.trader.submit([extract("f-ok", "F-OK", 10)])
        assert client.post("/api/submissions", json=accepted, headers=bearer).status_code == 201
    with seeded.store.reading() as conn:  # the latest stored, not one signed on asking
        size = conn.scalar(select(func.count()).select_from(t.events))
        signed = conn.scalar(select(func.max(t.checkpoints.c.size)))
    assert signed == size
