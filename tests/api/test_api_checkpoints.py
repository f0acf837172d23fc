"""The server signs a checkpoint after every request that may change something and moved the
log or a chain, before the response ends; reads are left to its periodic checkpoint."""

from __future__ import annotations

from sqlalchemy import func, select

from factory import extract
from reetrace.ledger import chains as formula
from reetrace.services import log
from reetrace.store import chains
from reetrace.store import tables as t


def latest(live) -> tuple[int, dict[str, tuple[int, bytes]]]:
    with live.store.reading() as conn:
        count = conn.scalar(select(func.count()).select_from(t.checkpoints))
        note = conn.scalar(select(t.checkpoints.c.note).order_by(t.checkpoints.c.id.desc()).limit(1))
    return count, formula.parse_extensions(log.peek(note).extensions)


def test_a_rejected_submission_is_covered_by_a_checkpoint_when_its_answer_arrives(seeded):
    tampered = seeded.world.trader.submit([extract("x8", "X8", 10)])
    tampered["events"][0]["outputs"][0]["mass_kg"] = 12
    with seeded.client("trader_user") as client:
        assert client.post("/api/submissions", json=tampered).status_code == 422
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
