"""The pure rules of finding triage: the key, well-formed actions, the status they give."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reetrace.domain.triage import FindingAction, assignee_of, check_action, finding_key, messages_of, status_of
from reetrace.errors import InvalidInput

AT = datetime(2026, 11, 1, tzinfo=UTC)


def act(action: str, assignee: str | None = None) -> FindingAction:
    return FindingAction("k", action, "wang", AT, "why", assignee)


def test_the_key_is_the_first_32_hex_of_sha256_of_the_identifying_members():
    import hashlib

    key = finding_key("LOT_OVERDRAWN", "91110000MA0000001X", "L-1", None, 2026)
    assert key == hashlib.sha256(b"LOT_OVERDRAWN|91110000MA0000001X|L-1||2026").hexdigest()[:32]
    assert finding_key("LOT_OVERDRAWN", "91110000MA0000001X", "L-1", None, 2025) != key
    assert finding_key("LATE_REPORT", None, None, None, None) == hashlib.sha256(b"LATE_REPORT||||").hexdigest()[:32]


def test_status_is_the_last_decision_and_notes_decide_nothing():
    assert status_of([]) == "open"
    assert status_of([act("note"), act("assign", "li")]) == "open"
    assert status_of([act("confirm"), act("note")]) == "confirmed"
    assert status_of([act("confirm"), act("dismiss")]) == "dismissed"
    assert status_of([act("dismiss"), act("confirm"), act("note")]) == "confirmed"
    assert assignee_of([act("assign", "li"), act("note"), act("assign", "zhao")]) == "zhao"
    assert assignee_of([act("note")]) is None


@pytest.mark.parametrize(
    "action, note, assignee",
    [
        ("delete", "x", None),
        ("confirm", "  ", None),
        ("assign", "x", None),
        ("note", "x", "li"),
        ("message", " ", None),
        ("message", "x", "li"),
        ("note", "x" * 5001, None),
    ],
)
def test_malformed_actions_are_refused(action, note, assignee):
    with pytest.raises(InvalidInput):
        check_action(action, note, assignee)


def test_wellformed_actions_pass():
    check_action("assign", "take it", "li")
    check_action("dismiss", "explained", None)
    check_action("message", "please send the receipt", None)
    check_action("note", "x" * 5000, None)  # the longest note


def test_the_enterprise_reads_only_the_messages_and_they_decide_nothing():
    actions = [act("assign", "li"), act("note"), act("message"), act("confirm"), act("message")]
    assert [a.action for a in messages_of(actions)] == ["message", "message"]
    assert messages_of([act("note"), act("dismiss"), act("assign", "li")]) == []
    assert status_of([act("message")]) == "open" and assignee_of([act("message")]) is None
