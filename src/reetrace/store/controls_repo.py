"""Reading and appending control-list changes, and the lot facts classification needs.
Repositories never commit: the caller's unit of work does. Changes are only ever inserted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from reetrace.domain.controls import ControlChange
from reetrace.store import chains
from reetrace.store import tables as t
from reetrace.store.timefmt import from_utc_text, to_utc_text


@dataclass(frozen=True, slots=True)
class RecordedChange:
    id: int
    change: ControlChange
    recorded_at: datetime


def record_change(conn: Connection, change: ControlChange, recorded_at: datetime) -> int:
    stored = chains.append(
        conn,
        t.control_changes,
        {
            "action": change.action,
            "code": change.code,
            "element": change.element,
            "groups": json.dumps(list(change.groups)) if change.action == "add" else None,
            "effective": change.effective.isoformat(),
            "until": change.until.isoformat() if change.until else None,
            "by": change.by,
            "why": change.why,
            "recorded_at": to_utc_text(recorded_at),
        },
    )
    return int(stored["id"])


def list_changes(conn: Connection) -> list[RecordedChange]:
    """Every recorded change, in the order it was recorded (the order it applies in)."""
    c = t.control_changes.c
    return [
        RecordedChange(
            row.id,
            ControlChange(
                action=row.action,
                code=row.code,
                effective=date.fromisoformat(row.effective),
                by=row.by,
                why=row.why,
                element=row.element,
                groups=tuple(json.loads(row.groups)) if row.groups else (),
                until=date.fromisoformat(row.until) if row.until else None,
            ),
            from_utc_text(row.recorded_at),
        )
        for row in conn.execute(select(t.control_changes).order_by(c.id))
    ]


def lot_as_created(conn: Connection, lot: str) -> tuple[str, dict[str, float]] | None:
    """The form and composition of the lot's earliest creation, or None if it is not in the ledger."""
    c = t.lots.c
    row = conn.execute(select(c.form, c.composition).where(c.lot == lot).order_by(c.seq, c.position).limit(1)).first()
    return (row.form, json.loads(row.composition)) if row else None
