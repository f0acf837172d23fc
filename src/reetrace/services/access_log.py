"""Use cases on the access log: writing down a change in the transaction that makes it, and
reading the log (docs/access-log.md).

Every use case that changes the store takes the actor (who, through which door) and calls
`note_change` inside its own `store.writing()` transaction, so the change and its entry are
committed together or not at all. The doors (API routes, console pages, CLI commands) always
pass an actor; a caller with no one acting through a door (a test's set-up, a benchmark) passes
none and writes no entry. Reads are written down by the doors (`api.access`, the CLI's
`access-log`), after the read and before its answer leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlalchemy import Connection

from reetrace.domain.accounts import OPERATOR, Actor, Principal
from reetrace.errors import Forbidden, UsageError
from reetrace.services.accounts import note_access
from reetrace.store import access_log_repo as repo
from reetrace.store.access_log_repo import AccessEntry
from reetrace.store.database import Store

AUDITING_ROLES = ("regulator", "auditor")  # the roles that may read the access log


def note_change(
    conn: Connection, actor: Actor | None, what: str, enterprise: str | None = None, detail: str | None = None
) -> None:
    """Write down a change inside the transaction that makes it (nothing when no actor acts)."""
    if actor is not None:
        note_access(conn, actor, "change", what, enterprise, detail)


def may_read_log(who: Principal) -> bool:
    """Regulators and auditors read the access log; so does the operator at the command line,
    who holds the store itself."""
    return who.role in AUDITING_ROLES or who.role == OPERATOR


@dataclass(frozen=True, slots=True)
class LogFilter:
    """Which entries to read: by user, by enterprise, from a moment on (each optional)."""

    username: str | None = None
    enterprise: str | None = None
    since: datetime | None = None


def since_moment(text: str, utc_offset_hours: int) -> datetime:
    """A `--since`/`since=` value: a day (its start, in the configured time zone) or an RFC 3339
    time with an offset."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time(), timezone(timedelta(hours=utc_offset_hours)))
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"since must be a day YYYY-MM-DD or a time with an offset, not {text!r}") from None
    if moment.tzinfo is None:
        raise UsageError(f"since {text!r} needs an offset, e.g. {value}+08:00")
    try:
        moment.astimezone(UTC)  # the log's times are UTC: 0001-01-01 at +08:00 has none
    except OverflowError:
        raise UsageError(f"since {text!r} is out of range") from None
    return moment


def read_log(store: Store, who: Principal, chosen: LogFilter, limit: int, offset: int) -> tuple[list[AccessEntry], int]:
    """One page of the entries that match, newest first, and how many match in all."""
    if not may_read_log(who):
        raise Forbidden(f"{who.username} ({who.role}) may not read the access log")
    with store.reading() as conn:
        return repo.access_entries(conn, chosen.username, chosen.enterprise, chosen.since, limit, offset)
