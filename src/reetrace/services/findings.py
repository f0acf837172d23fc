"""The findings as people read them: the one function every reader calls (pages, the API,
triage, the portal, the pre-review, the dashboard, `reetrace audit`).

`current(store, settings)` answers the findings as of today from the supervised findings
(reetrace.services.supervision): when the day has changed since they were last brought up to
date, only what the days passed can change is re-evaluated first
(reetrace.services.supervision_clock), in milliseconds. Any other date, or a store whose
supervised findings do not hold (stale after a bulk load, other thresholds, never started), needs
the whole ledger replayed: that runs as a background job with its progress, and until it is done
a reader is told `Computing` (a page says the findings are being computed). A small ledger (up to
`INLINE_EVENTS` events) is replayed in place, as that takes less than starting a job. With
`wait` (the command line), the replay is done in place whatever the size.

A finished job's findings are kept for the ledger they were computed on (its size), the date and
the thresholds; a job for today on a supervised store rebuilds the supervised findings instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from reetrace.config import Settings
from reetrace.domain.findings import Finding
from reetrace.errors import Computing, ReetraceError
from reetrace.services import supervision, supervision_changes
from reetrace.services.audit import check_day, replay_ledger
from reetrace.services.supervision_clock import advance
from reetrace.store.database import Store
from reetrace.store.supervision_repo import SupervisionState, event_count, load_state, stored_findings

# Up to this many events a full replay takes well under a second: done in place.
INLINE_EVENTS = 50_000


@dataclass(slots=True)
class Job:
    """A full audit running in the background, or its result."""

    day: date
    size: int  # the ledger's size it is computed on
    total: int
    done: int = 0
    result: list[Finding] | None = None
    failed: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)


_jobs: dict[tuple[str, str, date], Job] = {}
_lock = threading.Lock()


def today(settings: Settings) -> date:
    """Today in the audit's zone."""
    return datetime.now(UTC).astimezone(timezone(timedelta(hours=settings.thresholds.utc_offset_hours))).date()


def _holds(state: SupervisionState | None, settings: Settings, size: int) -> bool:
    return (
        state is not None
        and not state.stale
        and state.thresholds == supervision.thresholds_digest(settings.thresholds)
        and state.ledger_size == size
    )


def current(
    store: Store, settings: Settings, day: date | None = None, *, now: date | None = None, wait: bool = False
) -> list[Finding]:
    """Every finding as of the end of `day` (default today, or `now` where a caller fixes the
    clock), in the audit's order. Raises `Computing` while a background job computes them (never
    with `wait`)."""
    now = now or today(settings)
    day = check_day(day or now)
    with store.reading() as conn:
        state = load_state(conn)
        size = event_count(conn)
        if _holds(state, settings, size) and state is not None and state.as_of == day:
            return stored_findings(conn)
    if _holds(state, settings, size) and state is not None and state.as_of < day <= now:
        with store.writing() as conn:
            advance(conn, settings, day)  # again under the write lock: another reader may have done it
            again = load_state(conn)
            if again is not None and again.as_of == day and again.ledger_size == event_count(conn):
                return stored_findings(conn)
    if wait or size <= INLINE_EVENTS:
        with store.reading() as conn:
            return [finding for _, finding in replay_ledger(conn, settings, day)]
    return _from_job(store, settings, day, size, rebuild=state is not None and day == now)


def _from_job(store: Store, settings: Settings, day: date, size: int, rebuild: bool) -> list[Finding]:
    key = (str(store.engine.url), supervision.thresholds_digest(settings.thresholds), day)
    with _lock:
        job = _jobs.get(key)
        if job is not None and job.size == size and job.result is not None:
            return job.result
        if job is not None and job.failed is not None:
            del _jobs[key]  # the next reader starts it again
            raise ReetraceError(f"computing the findings as of {day.isoformat()} failed: {job.failed}")
        if job is None or (job.size != size and job.thread is not None and not job.thread.is_alive()):
            job = _jobs[key] = Job(day, size, size)
            job.thread = threading.Thread(target=_run, args=(store, settings, job, rebuild), daemon=True)
            job.thread.start()
    raise Computing(day, job.done, job.total)


def _run(store: Store, settings: Settings, job: Job, rebuild: bool) -> None:
    def progress(n: int) -> None:
        job.done = n

    try:
        if rebuild:
            supervision_changes.rebuild(store, settings, job.day, progress)
            job.done = job.total
            job.result = None  # read from the supervised findings, now rebuilt
            with _lock:
                _jobs.pop(next(k for k, v in _jobs.items() if v is job), None)
            return
        with store.reading() as conn:
            found = [finding for _, finding in replay_ledger(conn, settings, job.day, progress)]
        job.done = job.total
        job.result = found
    except Exception as exc:  # the job's failure is the reader's to see, not the thread's to hide
        job.failed = str(exc)
        raise


def jobs() -> list[Job]:
    """The background jobs of this process, running or done."""
    with _lock:
        return list(_jobs.values())
