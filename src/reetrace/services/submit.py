"""Use case: receive one signed submission as bytes (the HTTP API's `POST /api/submissions`, the
portal's upload).

Through the path of `ingest.receive`, the one way submission bytes enter the ledger:
authentication before the write lock, then one transaction that records the submission whole,
counts it a duplicate, or rejects it (kept with its bytes, or their digest and size when
oversized), with its access-log entry; a checkpoint of the log is signed after events were
added. Submissions arriving together share that transaction and that checkpoint
(reetrace.services.group_commit); each is answered after both.

When an enterprise's user sends it (`sender` is that enterprise's USCC), the submission must be
that enterprise's own: a submission whose reporter is another enterprise is rejected (reason
class `reporter`), recorded, and refused with `Forbidden`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.domain.submissions import Delivery
from reetrace.errors import Forbidden
from reetrace.services.group_commit import receive_one
from reetrace.services.ingest import IngestReport
from reetrace.store import tables as t
from reetrace.store.database import Store


@dataclass(frozen=True, slots=True)
class Received:
    report: IngestReport

    @property
    def outcome(self) -> str:
        if self.report.rejected:
            return "rejected"
        return "accepted" if self.report.submissions_accepted else "duplicate"


class ForeignReporter(Forbidden):
    """An enterprise's user sent a submission reported by another enterprise."""

    def __init__(self, message: str, report: IngestReport):
        super().__init__(message)
        self.report = report


def receive_submission(
    store: Store,
    settings: Settings,
    delivery: Delivery,
    actor: Actor,
    door: str,
    sender: str | None = None,
    received_at: datetime | None = None,
) -> Received:
    """Authenticate and record one submission; the report counts it accepted, duplicate or
    rejected (with the contract's reason classes). Raises `ForeignReporter` (after recording
    it) for another enterprise's submission."""
    clock = None if received_at is None else (lambda: received_at)
    report = receive_one(store, settings, delivery, actor, door, sender, clock)  # with those arriving alongside
    if report.foreign:
        raise ForeignReporter(report.rejected[0].reason, report)
    return Received(report)


def list_submissions(store: Store, reporter: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Accepted submissions, newest first, with their event counts (in the submission, and newly
    accepted from it)."""
    s, e = t.submissions.c, t.events.c
    where = [s.reporter == reporter] if reporter else []
    with store.reading() as conn:
        total = conn.scalar(select(func.count()).select_from(t.submissions).where(*where)) or 0
        accepted = select(func.count()).where(e.submission_id == s.id).scalar_subquery()
        rows = conn.execute(
            select(
                s.id,
                s.digest,
                s.reporter,
                s.key_id,
                s.created_at,
                s.received_at,
                s.source,
                s.event_count,
                accepted.label("events_accepted"),
            )
            .where(*where)
            .order_by(s.id.desc())
            .limit(limit)
            .offset(offset)
        )
        items = [
            {
                "id": r.id,
                "digest": r.digest,
                "reporter": r.reporter,
                "key_id": r.key_id,
                "created_at": r.created_at,
                "received_at": r.received_at,
                "source": r.source,
                "events": r.event_count,
                "events_accepted": r.events_accepted,
            }
            for r in rows
        ]
    return items, total


def list_rejections(
    store: Store, reporter: str | None, reason_class: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Rejected submissions, newest first, with their reasons and the digest and size of the
    bytes received (not the bytes)."""
    r = t.rejections.c
    where = []
    if reporter:
        where.append(r.reporter == reporter)
    if reason_class:
        where.append(r.reason_class == reason_class)
    with store.reading() as conn:
        total = conn.scalar(select(func.count()).select_from(t.rejections).where(*where)) or 0
        rows = conn.execute(
            select(r.id, r.received_at, r.source, r.reason, r.reason_class, r.reporter, r.event, r.digest, r.size)
            .where(*where)
            .order_by(r.id.desc())
            .limit(limit)
            .offset(offset)
        )
        items = [
            {
                "id": x.id,
                "received_at": x.received_at,
                "source": x.source,
                "reason": x.reason,
                "reason_class": x.reason_class,
                "reporter": x.reporter,
                "event": x.event,
                "digest": x.digest,
                "size": x.size,
            }
            for x in rows
        ]
    return items, total
