"""Use cases: EPCIS captures (contract §10, docs/epcis.md "Capture") — receive one, and read the
capture jobs.

A capture enters the ledger by the path of `ingest.receive`, the one way submission bytes do:
it is authenticated before the write lock (reetrace.services.intake_epcis), then recorded in
one transaction as a submission whose events are the document's, translated, or as a
rejection; its job row and its access-log entry are written in that same transaction
(reetrace.services.capture_jobs), and a checkpoint is signed when events were added. Captures
and submissions arriving together share that transaction and checkpoint
(reetrace.services.group_commit). Jobs are
never running: a capture is done when its answer leaves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.domain.captures import ROLLBACK
from reetrace.domain.submissions import Delivery, Rejection
from reetrace.errors import StoreError
from reetrace.services.group_commit import receive_one
from reetrace.services.lists import Window
from reetrace.store import epcis_repo as repo
from reetrace.store.database import Store


@dataclass(frozen=True, slots=True)
class Captured:
    """What became of one capture: its job, and the rejection it was, if it was refused."""

    job: dict[str, Any]
    rejection: Rejection | None


def receive_capture(
    store: Store,
    settings: Settings,
    delivery: Delivery,
    actor: Actor,
    door: str,
    sender: str | None = None,
    received_at: datetime | None = None,
) -> Captured:
    """Authenticate and record one capture (`delivery` with its envelope), sent by a user of
    `sender` (the enterprise whose key must sign it), through `door`."""
    clock = None if received_at is None else (lambda: received_at)
    report = receive_one(store, settings, delivery, actor, door, sender, clock)  # with those arriving alongside
    if len(report.captures) != 1:
        raise StoreError(f"the capture was recorded as {len(report.captures)} jobs, not one")
    job = capture_job(store, report.captures[0])
    assert job is not None  # written in the transaction that just committed
    return Captured(job, report.rejected[0] if report.rejected else None)


def job_answer(row: Any) -> dict[str, Any]:
    """A job as the API answers it (the EPCIS capture job's members, and the ledger's counts)."""
    return {
        "captureID": str(row.id),
        "createdAt": row.received_at,
        "finishedAt": row.received_at,
        "running": False,
        "success": bool(row.success),
        "captureErrorBehaviour": ROLLBACK,
        "errors": json.loads(row.errors),
        "enterprise": row.enterprise,
        "username": row.username,
        "eventCount": row.event_count,
        "accepted": row.accepted,
    }


def capture_job(store: Store, job_id: int) -> dict[str, Any] | None:
    """One job (None: there is none of this id)."""
    with store.reading() as conn:
        row = repo.capture_job(conn, job_id)
    return None if row is None else job_answer(row)


def capture_jobs(store: Store, enterprise: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Jobs, newest first: one enterprise's, or (None) every one's."""
    with store.reading() as conn:
        rows, total = repo.capture_jobs(conn, enterprise, limit, offset)
    return [job_answer(r) for r in rows], total


def jobs_page(store: Store, enterprise: str, w: Window) -> tuple[list[dict[str, Any]], int]:
    """One enterprise's jobs as the portal lists them (a time range, a search, a sort)."""
    with store.reading() as conn:
        rows, total = repo.capture_jobs(conn, enterprise, w.limit, w.offset, w.start, w.end, w.q, w.sort, w.descending)
    return [job_answer(r) for r in rows], total
