"""Stored findings keep their message id and parameters (migration 0017), on SQLite and
PostgreSQL; a row stored before findings carried them reads back without, and is said by its
English detail."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from reetrace.domain.findings import Finding
from reetrace.store import tables as t
from reetrace.store.supervision_repo import replace_all, stored_findings
from reetrace.web.i18n import Formats
from reetrace.web.words import Words

OVERDRAWN = Finding(
    "LOT_OVERDRAWN",
    "high",
    "91150200MA0000001X",
    "ND-1",
    "91150200MA0000001X:c1",
    2026,
    "91150200MA0000001X takes 950.000 kg from lot ND-1, which holds only 900.000 kg (excess 50.000 kg).",
    {"held_kg": 900.0, "taken_kg": 950.0, "excess_kg": 50.0},
    "LOT_OVERDRAWN",
    {"reporter": "91150200MA0000001X", "taken_kg": 950.0, "lot": "ND-1", "held_kg": 900.0, "excess_kg": 50.0},
)
KEY = (0, datetime(2026, 3, 1, tzinfo=UTC), "LOT_OVERDRAWN", "91150200MA0000001X", "ND-1", "91150200MA0000001X:c1")


def test_a_stored_finding_keeps_its_message_and_parameters(store):
    with store.writing() as conn:
        replace_all(conn, [(KEY, OVERDRAWN)])
    with store.reading() as conn:
        (back,) = stored_findings(conn)
    assert (back.message, dict(back.params)) == ("LOT_OVERDRAWN", dict(OVERDRAWN.params))
    assert back.as_contract() == OVERDRAWN.as_contract()
    said = Words(Formats("zh-Hans")).finding(back)
    assert said.language == "zh-Hans" and said.text.startswith("91150200MA0000001X 从批次 ND-1 取用 950.000 kg")


def test_a_finding_stored_before_messages_is_said_by_its_detail(store):
    with store.writing() as conn:
        replace_all(conn, [(KEY, OVERDRAWN)])
        conn.execute(update(t.supervised_findings).values(message=None, params=None))
    with store.reading() as conn:
        (back,) = stored_findings(conn)
    assert (back.message, dict(back.params)) == ("", {})
    assert back == OVERDRAWN  # the same finding: the message is not part of what it is
    said = Words(Formats("zh-Hans")).finding(back)
    assert (said.text, said.language) == (OVERDRAWN.detail, "en")
