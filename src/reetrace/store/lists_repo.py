"""The console's lists read by the store one page at a time: an enterprise's submissions and
rejections, the access log with a range and a sort, the checkpoints, the control list's changes.
Each answers (rows of the page, how many match in all)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, or_, select

from reetrace.store import tables as t
from reetrace.store.timefmt import to_utc_text


def _page(
    conn: Connection,
    stmt: Select[Any],
    conditions: Sequence[ColumnElement[bool]],
    order: Sequence[Any],
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    filtered = stmt.where(*conditions)
    total = conn.scalar(select(func.count()).select_from(filtered.subquery())) or 0
    rows = list(conn.execute(filtered.order_by(*order).limit(limit).offset(offset)))
    return rows, total


def _range(column: Any, start: datetime | None, end: datetime | None) -> list[ColumnElement[bool]]:
    """A UTC-text time column within [start, end)."""
    out = []
    if start is not None:
        out.append(column >= to_utc_text(start))
    if end is not None:
        out.append(column < to_utc_text(end))
    return out


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


SUBMISSION_SORTS = {"received": "received_at", "created": "created_at", "events": "event_count", "source": "source"}


def submissions_of(
    conn: Connection,
    reporter: str,
    start: datetime | None,
    end: datetime | None,
    q: str,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """One reporter's submissions received within the range, whose source holds `q`."""
    c = t.submissions.c
    stmt = select(c.id, c.source, c.created_at, c.received_at, c.event_count)
    conditions = [c.reporter == reporter, *_range(c.received_at, start, end)]
    if q:
        conditions.append(c.source.ilike(_like(q), escape="\\"))
    column = getattr(c, SUBMISSION_SORTS[sort])
    order = [column.desc() if descending else column.asc(), c.id.desc() if descending else c.id.asc()]
    return _page(conn, stmt, conditions, order, limit, offset)


REJECTION_SORTS = {"received": "received_at", "reason": "reason_class", "source": "source"}


def rejections_of(
    conn: Connection,
    reporter: str,
    start: datetime | None,
    end: datetime | None,
    q: str,
    reason: str | None,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """One reporter's rejections (its uploads refused, its files for another enterprise)."""
    c = t.rejections.c
    stmt = select(c.id, c.received_at, c.source, c.reason, c.reason_class, c.event, c.size, c.message, c.params)
    conditions = [c.reporter == reporter, *_range(c.received_at, start, end)]
    if q:
        conditions.append(or_(c.source.ilike(_like(q), escape="\\"), c.reason.ilike(_like(q), escape="\\")))
    if reason:
        conditions.append(c.reason_class == reason)
    column = getattr(c, REJECTION_SORTS[sort])
    order = [column.desc() if descending else column.asc(), c.id.desc() if descending else c.id.asc()]
    return _page(conn, stmt, conditions, order, limit, offset)


ACCESS_SORTS = {"at": "id", "user": "username", "action": "action", "enterprise": "enterprise"}


def access_page(
    conn: Connection,
    username: str | None,
    enterprise: str | None,
    action: str | None,
    start: datetime | None,
    end: datetime | None,
    q: str,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """The access log's entries that match, one page in the order asked (ties newest first)."""
    c = t.access_log.c
    conditions = _range(c.at, start, end)
    if username:
        conditions.append(c.username == username)
    if enterprise:
        conditions.append(c.enterprise == enterprise)
    if action:
        conditions.append(c.action == action)
    if q:
        conditions.append(or_(c.what.ilike(_like(q), escape="\\"), c.detail.ilike(_like(q), escape="\\")))
    column = getattr(c, ACCESS_SORTS[sort])
    order = [column.desc() if descending else column.asc(), c.id.desc()]
    return _page(conn, select(t.access_log), conditions, order, limit, offset)


def registry_changes(conn: Connection, limit: int, offset: int) -> tuple[list[Any], int]:
    """The registry's loads as the access log wrote them down (the registry keeps no history of
    its own), newest first."""
    c = t.access_log.c
    return _page(
        conn, select(t.access_log), [c.action == "change", c.what.like("registry%")], [c.id.desc()], limit, offset
    )


def control_changes(conn: Connection, limit: int, offset: int) -> tuple[list[Any], int]:
    """The control list's changes in the order they apply, newest first."""
    c = t.control_changes.c
    return _page(conn, select(t.control_changes), [], [c.id.desc()], limit, offset)


def checkpoints(conn: Connection, limit: int, offset: int) -> tuple[list[Any], int]:
    """The log's signed checkpoints, newest first, each with how many witnesses cosigned it."""
    c = t.checkpoints.c
    cosigned = (
        select(func.count())
        .select_from(t.cosignatures)
        .where(t.cosignatures.c.checkpoint_id == c.id)
        .scalar_subquery()
        .label("cosignatures")
    )
    return _page(conn, select(c.id, c.size, c.key_id, c.signed_at, cosigned), [], [c.id.desc()], limit, offset)


def event_times(conn: Connection, events: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The time (UTC text) of each (reporter, event id) that exists."""
    c = t.events.c
    found: dict[tuple[str, str], str] = {}
    wanted = sorted(set(events))
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        ids = {e for _, e in chunk}
        for r in conn.execute(select(c.reporter, c.event_id, c.time).where(c.event_id.in_(ids))):
            found[(r.reporter, r.event_id)] = r.time
    return found


def lots_page(
    conn: Connection,
    form: str | None,
    enterprise: str | None,
    province: str | None,
    start: datetime | None,
    end: datetime | None,
    q: str,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """The lots as created (by the event that made each), filtered by form, the enterprise that
    made it, its province and the day it was made; `q` a lot id's beginning or a part of the
    enterprise's name."""
    lot, event, firm = t.lots.c, t.events.c, t.enterprises.c
    stmt = select(lot.lot, lot.form, lot.mass_kg, event.reporter, event.time, event.type).select_from(
        t.lots.join(t.events, lot.seq == event.seq).outerjoin(t.enterprises, firm.uscc == event.reporter)
    )
    conditions = _range(event.time, start, end)
    if form:
        conditions.append(lot.form == form)
    if enterprise:
        conditions.append(event.reporter == enterprise)
    if province:
        conditions.append(firm.province == province)
    if q:
        prefix = _like(q)[1:]  # the id's beginning
        conditions.append(
            or_(
                lot.lot.ilike(prefix, escape="\\"),
                firm.name.ilike(_like(q), escape="\\"),
                firm.name_en.ilike(_like(q), escape="\\"),
            )
        )
    column = {
        "lot": lot.lot,
        "created": event.time,
        "mass": lot.mass_kg,
        "enterprise": event.reporter,
        "form": lot.form,
    }[sort]
    order = [column.desc() if descending else column.asc(), lot.lot.asc(), lot.seq.asc()]
    return _page(conn, stmt, conditions, order, limit, offset)
