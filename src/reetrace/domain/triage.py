"""Triage of findings: a regulator's or inspector's actions on a finding, and the status they give.

A finding has no row of its own (the audit recomputes findings from the ledger), so it is named
by a key made from what identifies it: SHA-256 of ``code|enterprise|lot|event|year``, first 32
hex digits. Actions are only appended; the status is the last confirm or dismiss ("open" before
any), the assignee the last assign.

What an action says is the office's own, never shown to the enterprise: notes, reasons and the
assignee are internal. Only a `message` is written to the enterprise, and it is all the
enterprise sees of the triage (`messages_of`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reetrace.errors import InvalidInput

ACTIONS = ("assign", "confirm", "dismiss", "note", "message")
TO_ENTERPRISE = ("message",)  # the actions whose text the enterprise reads
STATUSES = ("open", "confirmed", "dismissed")
KEY_LENGTH = 32
NOTE_LENGTH = 5000  # the longest note or message


def finding_key(code: str, enterprise: str | None, lot: str | None, event: str | None, year: int | None) -> str:
    parts = (code, enterprise or "", lot or "", event or "", "" if year is None else str(year))
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:KEY_LENGTH]


@dataclass(frozen=True, slots=True)
class FindingAction:
    finding: str
    action: str
    by: str
    at: datetime
    note: str
    assignee: str | None = None


def check_action(action: str, note: str, assignee: str | None) -> None:
    """InvalidInput unless the action is well formed: a known action, with a note, and an
    assignee exactly when it assigns."""
    if action not in ACTIONS:
        raise InvalidInput(
            f"action must be one of {', '.join(ACTIONS)}, not {action!r}", message_id="error.triage.unknown_action"
        )
    if not note.strip():
        if action == "message":
            raise InvalidInput("a message needs its text", message_id="error.triage.message_needed")
        raise InvalidInput(
            f"{action} needs a note saying why", message_id="error.triage.note_needed", params={"action": action}
        )
    if len(note) > NOTE_LENGTH:
        raise InvalidInput(
            f"a note or message is at most {NOTE_LENGTH} characters",
            message_id="error.triage.note_too_long",
            params={"limit": NOTE_LENGTH},
        )
    if action == "assign" and not (assignee and assignee.strip()):
        raise InvalidInput("assign needs an assignee", message_id="error.triage.assignee_needed")
    if action != "assign" and assignee:
        raise InvalidInput("only assign names an assignee", message_id="error.triage.assignee_not_wanted")


def status_of(actions: Sequence[FindingAction]) -> str:
    decided = [a for a in actions if a.action in ("confirm", "dismiss")]
    if not decided:
        return "open"
    return "confirmed" if decided[-1].action == "confirm" else "dismissed"


def assignee_of(actions: Sequence[FindingAction]) -> str | None:
    assigned = [a for a in actions if a.action == "assign"]
    return assigned[-1].assignee if assigned else None


def messages_of(actions: Sequence[FindingAction]) -> list[FindingAction]:
    """What the enterprise may read of a finding's triage: the messages written to it."""
    return [a for a in actions if a.action in TO_ENTERPRISE]
