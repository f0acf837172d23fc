"""Use cases: findings with their triage (key, status, assignee, actions), and a triage action.

Findings are recomputed by the audit; triage actions are appended to `finding_actions` and never
updated or deleted, each with who, when and why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, select

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.domain.findings import Finding
from reetrace.domain.triage import FindingAction, assignee_of, check_action, finding_key, status_of
from reetrace.errors import NotFound
from reetrace.services import findings as current_findings
from reetrace.services.access_log import note_change
from reetrace.store import chains
from reetrace.store import tables as t
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

    def as_json(self, with_actions: bool = False) -> dict[str, Any]:
        doc = {
            "key": self.key,
            **self.finding.as_contract(),
            "status": self.status,
            "assignee": assignee_of(self.actions),
        }
        if with_actions:
            doc["actions"] = [
                {"action": a.action, "by": a.by, "at": a.at.isoformat(), "note": a.note, "assignee": a.assignee}
                for a in self.actions
            ]
        return doc


def key_of(finding: Finding) -> str:
    return finding_key(finding.code, finding.enterprise, finding.lot, finding.event, finding.year)


def _actions(conn: Connection, keys: list[str] | None = None) -> dict[str, list[FindingAction]]:
    c = t.finding_actions.c
    query = select(t.finding_actions).order_by(c.id)
    if keys is not None:
        query = query.where(c.finding.in_(keys))
    found: dict[str, list[FindingAction]] = defaultdict(list)
    for r in conn.execute(query):
        found[r.finding].append(
            FindingAction(r.finding, r.action, r.by, datetime.fromisoformat(r.at), r.note, r.assignee)
        )
    return found


def triaged_findings(store: Store, settings: Settings, as_of: date) -> list[TriagedFinding]:
    """Every finding as of `as_of`, with its key and the triage actions recorded on it."""
    findings = current_findings.current(store, settings, as_of)
    with store.reading() as conn:
        actions = _actions(conn)
    return [TriagedFinding(k, f, actions.get(k, [])) for f in findings for k in [key_of(f)]]


def triaged_finding(store: Store, settings: Settings, key: str, as_of: date) -> TriagedFinding:
    for found in triaged_findings(store, settings, as_of):
        if found.key == key:
            return found
    raise NotFound(f"no finding {key} as of {as_of.isoformat()}")


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
    today), written to the access log with it, naming `actor`."""
    check_action(action, note, assignee)
    now = now or datetime.now(UTC)
    local = timezone(timedelta(hours=settings.thresholds.utc_offset_hours))
    found = triaged_finding(store, settings, key, as_of or now.astimezone(local).date())
    with store.writing() as conn:
        chains.append(
            conn,
            t.finding_actions,
            {
                "finding": key,
                "action": action,
                "by": by,
                "at": to_utc_text(now),
                "assignee": assignee.strip() if assignee else None,
                "note": note.strip(),
            },
        )
        actions = _actions(conn, [key])[key]
        to = f" to {assignee.strip()}" if assignee else ""
        note_change(conn, actor, f"triage {action}", found.finding.enterprise, f"finding {key}{to}: {note.strip()}")
    return TriagedFinding(key, found.finding, actions)
