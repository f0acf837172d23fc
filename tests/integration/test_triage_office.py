"""Triage as an office works, over a real store (SQLite and PostgreSQL): notes and the assignee
stay internal, a message is written to the enterprise apart from them and is all it reads; a
finding is assigned only to a user who triages; a message is a chained action like the others,
verified by `log verify` and named when rewritten."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from factory import extract, ship
from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.errors import InvalidInput
from reetrace.services import accounts, log, triage
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.store import tables as t

AS_OF = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 2, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
INTERNAL = "内部：疑似虚假报关，核查前勿告知企业"
MESSAGE = "请于 7 月 10 日前补报 1 月的收货记录。"


@pytest.fixture
def settings(store_url, tmp_path):
    return Settings(db_url=store_url, log_key_dir=tmp_path / "logkeys")


@pytest.fixture
def finding(store, world, write_json, settings):
    """A finding on the mine (a shipment its buyer never reported receiving), with users of
    every role that might be named as an assignee."""
    load_registry(store, world.registry())
    m, p = world.mine, world.plant
    mine = m.submit([extract("m1", "C1", 1000), ship("m2", ["C1"], p.uscc, "S1")])
    ingest(store, [write_json("subs/mine.json", mine)], as_received_created_at=True)
    for name, role, uscc in (
        ("inspector", "inspector", None),
        ("regulator", "regulator", None),
        ("auditor", "auditor", None),
        ("gone", "inspector", None),
        ("mine_user", "enterprise", m.uscc),
    ):
        accounts.add_user(store, name, PASSWORD, role, uscc)
    accounts.disable_user(store, Actor.operator("tests"), "gone")
    found = [f for f in triage.triaged_findings(store, settings, AS_OF) if f.finding.enterprise == m.uscc]
    assert found, "the mine must have a finding for the tests to mean anything"
    return found[0]


def act(store, settings, key, action, note, assignee=None):
    return triage.act(store, settings, key, action, "inspector", note, assignee, AS_OF, NOW)


def test_the_enterprise_reads_the_message_and_nothing_of_the_notes_or_the_assignee(store, settings, finding):
    act(store, settings, finding.key, "assign", INTERNAL, "inspector")
    act(store, settings, finding.key, "note", INTERNAL)
    done = act(store, settings, finding.key, "message", MESSAGE)
    staff = done.as_json(with_actions=True)
    assert staff["assignee"] == "inspector"
    assert [a["action"] for a in staff["actions"]] == ["assign", "note", "message"]
    seen = done.as_json(with_actions=True, for_enterprise=True)
    assert seen["messages"] == [{"at": NOW.isoformat(), "text": MESSAGE}]
    assert "assignee" not in seen and "actions" not in seen
    assert INTERNAL not in str(seen) and "inspector" not in str(seen)
    listed = done.as_json(for_enterprise=True)
    assert "assignee" not in listed and "messages" not in listed
    again = triage.triaged_finding(store, settings, finding.key, AS_OF)
    assert [m.note for m in again.messages] == [MESSAGE] and again.assignee == "inspector"


def test_a_finding_is_assigned_only_to_an_enabled_user_who_triages(store, settings, finding):
    assert triage.triagers(store) == ["inspector", "regulator"]
    for nobody in ("auditor", "gone", "mine_user", "no_such_user"):
        with pytest.raises(InvalidInput, match="is not a user who triages"):
            act(store, settings, finding.key, "assign", "take it", nobody)
    assert act(store, settings, finding.key, "assign", "take it", "regulator").assignee == "regulator"


@pytest.mark.parametrize(
    "action, note, assignee, says",
    [
        ("message", "   ", None, "a message needs its text"),
        ("message", "see me", "inspector", "only assign names an assignee"),
        ("message", "x" * 5001, None, "at most 5000 characters"),
        ("shout", "x", None, "action must be one of"),
    ],
)
def test_a_malformed_message_is_refused_and_nothing_is_written(store, settings, finding, action, note, assignee, says):
    with pytest.raises(InvalidInput, match=says):
        act(store, settings, finding.key, action, note, assignee)
    assert triage.triaged_finding(store, settings, finding.key, AS_OF).actions == []


def test_a_message_is_chained_and_verified_like_every_action(store, settings, finding):
    act(store, settings, finding.key, "note", INTERNAL)
    act(store, settings, finding.key, "message", MESSAGE)
    log.publish_checkpoint(store, settings)
    result = log.verify_log(store, settings=settings)
    assert result.ok, result.problems
    assert result.chains["finding_actions"] == 2
    with store.engine.begin() as conn:  # the message rewritten behind the application's back
        c = t.finding_actions.c
        conn.execute(update(t.finding_actions).where(c.action == "message").values(note="一切正常"))
    result = log.verify_log(store, settings=settings)
    assert not result.ok
    assert result.problems == ["finding_actions: row [2] differs from what was chained (link 2): it was changed"]
