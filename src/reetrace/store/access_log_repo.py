"""Reading the access log, filtered and paged, newest first. Entries are written only through
`accounts_repo.log_access` (chained); nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from reetrace.store import tables as t
from reetrace.store.timefmt import to_utc_text


@dataclass(frozen=True, slots=True)
class AccessEntry:
    id: int
    at: str
    username: str
    role: str
    action: str
    what: str
    enterprise: str | None
    detail: str | None
    channel: str | None
    client: str | None
    os_user: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "username": self.username,
            "role": self.role,
            "action": self.action,
            "what": self.what,
            "enterprise": self.enterprise,
            "detail": self.detail,
            "channel": self.channel,
            "client": self.client,
            "os_user": self.os_user,
        }


def _conditions(username: str | None, enterprise: str | None, since: datetime | None) -> list[ColumnElement[bool]]:
    c = t.access_log.c
    conditions = []
    if username is not None:
        conditions.append(c.username == username)
    if enterprise is not None:
        conditions.append(c.enterprise == enterprise)
    if since is not None:
        conditions.append(c.at >= to_utc_text(since))
    return conditions


def access_entries(
    conn: Connection,
    username: str | None,
    enterprise: str | None,
    since: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[AccessEntry], int]:
    """The entries that match (all given filters), newest first, one page of them, and how many
    match in all."""
    c = t.access_log.c
    conditions = _conditions(username, enterprise, since)
    total = conn.scalar(select(func.count()).select_from(t.access_log).where(*conditions)) or 0
    rows = conn.execute(select(t.access_log).where(*conditions).order_by(c.id.desc()).limit(limit).offset(offset))
    entries = [
        AccessEntry(
            r.id, r.at, r.username, r.role, r.action, r.what, r.enterprise, r.detail, r.channel, r.client, r.os_user
        )
        for r in rows
    ]
    return entries, total


def last_entry_id(conn: Connection) -> int:
    """The newest entry's id (0 for an empty log): it moves with every change the log records."""
    return conn.scalar(select(func.max(t.access_log.c.id))) or 0
