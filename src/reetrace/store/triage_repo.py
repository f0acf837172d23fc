"""Triage: the actions recorded on findings (appended through `chains.append`, read here) and
the people who may be handed a finding. Repositories never commit: the caller's unit of work
does."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from reetrace.domain.accounts import MAY
from reetrace.domain.triage import FindingAction
from reetrace.store import chains
from reetrace.store import tables as t


def actions_on(conn: Connection, keys: list[str] | None = None) -> dict[str, list[FindingAction]]:
    """The actions recorded on the findings `keys` (None: on every finding), in the order taken."""
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


def add_action(conn: Connection, values: Mapping[str, Any]) -> None:
    """Append an action to its hash chain (under the write lock)."""
    chains.append(conn, t.finding_actions, values)


def triagers(conn: Connection) -> list[str]:
    """The usernames a finding may be assigned to: enabled users of a role that triages."""
    roles = sorted(role for role, may in MAY.items() if "triage" in may)
    c = t.users.c
    query = select(c.username).where(c.role.in_(roles), c.disabled_at.is_(None)).order_by(c.username)
    return list(conn.scalars(query))
