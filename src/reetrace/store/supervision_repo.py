"""Supervised findings and the state they hold for (tables `supervised_findings`, `supervision`).

Findings are stored with their subject (reetrace.domain.supervision) and the audit's sort key, so
a subject's findings can be replaced whole and the stored set read back in the audit's order.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from reetrace.domain.findings import Finding
from reetrace.domain.supervision import subject_of
from reetrace.store import tables as t
from reetrace.store.bulk import insert_rows, select_in

_TIME = "%Y-%m-%dT%H:%M:%S.%f%z"
FINDING_COLUMNS = (
    "subject",
    "code",
    "severity",
    "enterprise",
    "lot",
    "event",
    "year",
    "detail",
    "evidence",
    "sort_kind",
    "sort_time",
    "sort_order",
    "nth",
    "message",
    "params",
)
Keyed = tuple[tuple[Any, ...], Finding]


@dataclass(frozen=True, slots=True)
class SupervisionState:
    as_of: date
    thresholds: str  # digest of the thresholds the findings were judged by
    ledger_size: int  # events taken into account
    stale: bool
    built_at: str
    updated_at: str


def load_state(conn: Connection) -> SupervisionState | None:
    row = conn.execute(select(t.supervision).where(t.supervision.c.id == 1)).first()
    if row is None:
        return None
    return SupervisionState(
        date.fromisoformat(row.as_of), row.thresholds, row.ledger_size, bool(row.stale), row.built_at, row.updated_at
    )


def save_state(conn: Connection, state: SupervisionState) -> None:
    values = {
        "as_of": state.as_of.isoformat(),
        "thresholds": state.thresholds,
        "ledger_size": state.ledger_size,
        "stale": int(state.stale),
        "built_at": state.built_at,
        "updated_at": state.updated_at,
    }
    if conn.execute(update(t.supervision).where(t.supervision.c.id == 1).values(**values)).rowcount == 0:
        conn.execute(t.supervision.insert().values(id=1, **values))


def mark_stale(conn: Connection) -> None:
    """Something the findings depend on besides the ledger changed (registry, control list,
    customs records): the stored findings no longer hold until they are rebuilt."""
    conn.execute(update(t.supervision).values(stale=1, updated_at=now_text()))


def event_count(conn: Connection) -> int:
    """The ledger's size: acceptance order is gap-free from 1, so its last position (read from the
    primary key, where a count would read every row)."""
    return conn.scalar(select(func.max(t.events.c.seq))) or 0


def _rows(keyed: Iterable[Keyed], keep: Collection[str] | None, code: str | None = None) -> list[tuple[Any, ...]]:
    rows = []
    last_key: tuple[Any, ...] | None = None
    nth = 0
    for key, finding in keyed:
        nth = nth + 1 if key == last_key else 0
        last_key = key
        subject = subject_of(finding)
        if (keep is not None and subject not in keep) or (code is not None and finding.code != code):
            continue
        if key[0] == 0:
            sort_time, order = key[1].strftime(_TIME), list(key[2:])
        else:
            sort_time, order = "", list(key[1:])
        rows.append(
            (
                subject,
                finding.code,
                finding.severity,
                finding.enterprise,
                finding.lot,
                finding.event,
                finding.year,
                finding.detail,
                json.dumps(finding.evidence, ensure_ascii=False),
                key[0],
                sort_time,
                json.dumps(order, ensure_ascii=False),
                nth,
                finding.message or None,
                json.dumps(finding.params, ensure_ascii=False) if finding.message else None,
            )
        )
    return rows


def replace_all(conn: Connection, keyed: Sequence[Keyed]) -> int:
    conn.execute(delete(t.supervised_findings))
    rows = _rows(keyed, None)
    insert_rows(conn, t.supervised_findings, FINDING_COLUMNS, rows)
    return len(rows)


def replace_subjects(conn: Connection, subjects: Collection[str], keyed: Sequence[Keyed]) -> tuple[int, int]:
    """Replace the findings of `subjects` with those of `keyed` that belong to them; returns
    (removed, written)."""
    removed = 0
    ordered = sorted(subjects)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        ids = [i for (i,) in select_in(conn, "SELECT id FROM supervised_findings WHERE subject IN_LIST", (), chunk)]
        if ids:
            conn.execute(delete(t.supervised_findings).where(t.supervised_findings.c.id.in_(ids)))
            removed += len(ids)
    rows = _rows(keyed, set(subjects))
    insert_rows(conn, t.supervised_findings, FINDING_COLUMNS, rows)
    return removed, len(rows)


def replace_code(conn: Connection, subjects: Collection[str], code: str, keyed: Sequence[Keyed]) -> tuple[int, int]:
    """Replace the findings of `code` about `subjects` with those of `keyed`: what a rule judged
    again on time alone (the subjects' other findings stand); returns (removed, written)."""
    removed = 0
    c = t.supervised_findings.c
    ordered = sorted(subjects)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        removed += conn.execute(delete(t.supervised_findings).where(c.code == code, c.subject.in_(chunk))).rowcount
    rows = _rows(keyed, set(subjects), code)
    insert_rows(conn, t.supervised_findings, FINDING_COLUMNS, rows)
    return removed, len(rows)


def refs_with(conn: Connection, code: str) -> list[str]:
    """The events (`USCC:event_id`) that have a stored finding of `code`."""
    c = t.supervised_findings.c
    return [ref for ref in conn.scalars(select(c.event).where(c.code == code).distinct()) if ref]


def stored_findings(conn: Connection) -> list[Finding]:
    """The stored findings in the audit's order."""
    c = t.supervised_findings.c
    keyed = []
    for row in conn.execute(
        select(
            c.code,
            c.severity,
            c.enterprise,
            c.lot,
            c.event,
            c.year,
            c.detail,
            c.evidence,
            c.sort_kind,
            c.sort_time,
            c.sort_order,
            c.nth,
            c.message,
            c.params,
        )
    ):
        order = tuple(json.loads(row.sort_order))
        key = (0, row.sort_time, *order) if row.sort_kind == 0 else (1, *order)
        # a row stored before findings carried their message has none: it is shown by its detail
        finding = Finding(
            row.code,
            row.severity,
            row.enterprise,
            row.lot,
            row.event,
            row.year,
            row.detail,
            json.loads(row.evidence),
            row.message or "",
            json.loads(row.params) if row.params else {},
        )
        keyed.append(((key, row.nth), finding))
    keyed.sort(key=lambda pair: pair[0])
    return [finding for _, finding in keyed]


def now_text() -> str:
    """Now, to the microsecond: a rebuild tells by it whether a change came in while it ran."""
    return datetime.now().astimezone().isoformat(timespec="microseconds")
