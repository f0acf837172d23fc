"""Triage of findings: a regulator's or inspector's actions on a finding, and the status they give.

A finding has no row of its own (the audit recomputes findings from the ledger), so it is named
by a key made from what identifies it: SHA-256 of ``code|enterprise|lot|event|year``, first 32
hex digits. Actions are only appended; the status is the last confirm or dismiss ("open" before
any), the assignee the last assign.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reetrace.errors import InvalidInput

ACTIONS = ("assign", "confirm", "dismiss", "note")
STATUSES = ("open", "confirmed", "dismissed")
KEY_LENGTH = 32


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
        raise InvalidInput(
            f"{action} needs a note saying why", message_id="error.triage.note_needed", params={"action": action}
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
