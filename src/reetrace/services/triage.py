"""Use cases: findings with their triage (key, status, assignee, actions), and a triage action.

Findings are recomputed by the audit; triage actions are appended to `finding_actions` (a hash
chain) and never updated or deleted, each with who, when and why. Notes and the assignee are
the office's own; the enterprise reads only the messages written to it (`as_json(for_enterprise=
True)`, `messages`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.domain.findings import Finding
from reetrace.domain.triage import FindingAction, assignee_of, check_action, finding_key, messages_of, status_of
from reetrace.errors import InvalidInput, NotFound
from reetrace.services import findings as current_findings
from reetrace.services.access_log import note_change
from reetrace.store import triage_repo
from reetrace.store.database import Store
from reetrace.store.timefmt import to_utc_text


@dataclass(frozen=True, slots=True)
class TriagedFinding:
    key: str
    finding: Finding
    actions: list[FindingAction] = field(default_factory=list)

    @property
    def status(self) -> str:
        return status_of(self.actions)

    @property
    def assignee(self) -> str | None:
        return assignee_of(self.actions)

    @property
    def messages(self) -> list[FindingAction]:
        """What the enterprise reads of the triage: the messages written to it."""
        return messages_of(self.actions)

    def as_json(self, with_actions: bool = False, for_enterprise: bool = False) -> dict[str, Any]:
        """The finding as the API answers it; `for_enterprise`: without the assignee, and with
        only the messages written to the enterprise in place of the actions."""
        doc = {"key": self.key, **self.finding.as_contract(), "status": self.status}
        if for_enterprise:
            if with_actions:
                doc["messages"] = [{"at": a.at.isoformat(), "text": a.note} for a in self.messages]
            return doc
        doc["assignee"] = self.assignee
        if with_actions:
            doc["actions"] = [
                {"action": a.action, "by": a.by, "at": a.at.isoformat(), "note": a.note, "assignee": a.assignee}
                for a in self.actions
            ]
        return doc


def key_of(finding: Finding) -> str:
    return finding_key(finding.code, finding.enterprise, finding.lot, finding.event, finding.year)


def triagers(store: Store) -> list[str]:
    """Who a finding may be assigned to: the enabled users who triage."""
    with store.reading() as conn:
        return triage_repo.triagers(conn)


def triaged_findings(store: Store, settings: Settings, as_of: date) -> list[TriagedFinding]:
    """Every finding as of `as_of`, with its key and the triage actions recorded on it."""
    findings = current_findings.current(store, settings, as_of)
    with store.reading() as conn:
        actions = triage_repo.actions_on(conn)
    return [TriagedFinding(k, f, actions.get(k, [])) for f in findings for k in [key_of(f)]]


def triaged_finding(store: Store, settings: Settings, key: str, as_of: date) -> TriagedFinding:
    for found in triaged_findings(store, settings, as_of):
        if found.key == key:
            return found
    raise NotFound(f"no finding {key} as of {as_of.isoformat()}", message_id="error.no_finding")


def act(
    store: Store,
    settings: Settings,
    key: str,
    action: str,
    by: str,
    note: str,
    assignee: str | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
    *,
    actor: Actor | None = None,
) -> TriagedFinding:
    """Record a triage action on the finding `key` (which must exist as of `as_of`, default
    today), written to the access log with it, naming `actor`. An assignee must be a user who
    triages; a message is written to the finding's enterprise, which reads it on its portal."""
    check_action(action, note, assignee)
    now = now or datetime.now(UTC)
    local = timezone(timedelta(hours=settings.thresholds.utc_offset_hours))
    found = triaged_finding(store, settings, key, as_of or now.astimezone(local).date())
    if action == "message" and found.finding.enterprise is None:
        raise InvalidInput("this finding names no enterprise to write to")
    with store.writing() as conn:
        if assignee and assignee.strip() not in triage_repo.triagers(conn):
            raise InvalidInput(f"{assignee.strip()} is not a user who triages findings")
        triage_repo.add_action(
            conn,
            {
                "finding": key,
                "action": action,
                "by": by,
                "at": to_utc_text(now),
                "assignee": assignee.strip() if assignee else None,
                "note": note.strip(),
            },
        )
        actions = triage_repo.actions_on(conn, [key])[key]
        to = f" to {assignee.strip()}" if assignee else ""
        note_change(conn, actor, f"triage {action}", found.finding.enterprise, f"finding {key}{to}: {note.strip()}")
    return TriagedFinding(key, found.finding, actions)
