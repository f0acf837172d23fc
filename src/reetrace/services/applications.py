"""Use cases: submit a license application, re-run its pre-review, read it, list the queue with
the review clock, and answer a request for information.

An application may name only lots its exporter holds when it is filed (`domain.prereview.holds`,
the custody the pre-review judges); otherwise it is refused, in the same words whether the lot
does not exist, is another enterprise's or was used up, and nothing is stored. Every change is
written to the access log in the transaction that makes it. An enterprise reads its applications
through `domain.disclosure`: never another enterprise's name, application or upstream events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from reetrace.config import Settings
from reetrace.contract.application import from_body, read_application, to_domain
from reetrace.domain.accounts import Actor
from reetrace.domain.applications import Application, problems
from reetrace.domain.clock import ClockReading, Workdays, read_clock
from reetrace.domain.disclosure import prereview_seen_by
from reetrace.domain.prereview import unheld_items
from reetrace.domain.workflow import ReviewStep, accepted_on, check_step, pauses, state_of
from reetrace.errors import InvalidInput, NotFound, UsageError
from reetrace.services.accounts import note_access, record_access
from reetrace.services.application_documents import digest, read_documents
from reetrace.services.calendar import CHINA
from reetrace.services.prereview import lot_facts, run_pre_review
from reetrace.store import applications_repo as repo
from reetrace.store import tables as t
from reetrace.store.database import Store


@dataclass(frozen=True, slots=True)
class Submitted:
    number: str
    report: dict[str, Any]  # the pre-review as recorded (staff see it so)

    @property
    def verdict(self) -> str:
        return str(self.report["verdict"])

    @property
    def blocking(self) -> int:
        return len(self.report["blocking"])

    @property
    def red_flags(self) -> int:
        return len(self.report["red_flags"])

    def seen_by_applicant(self, applicant: str) -> Submitted:
        return Submitted(self.number, prereview_seen_by(self.report, applicant))


@dataclass(frozen=True, slots=True)
class QueueEntry:
    number: str
    exporter: str
    license_type: str
    destination: str
    state: str
    submitted_at: datetime
    clock: ClockReading | None
    verdict: str | None

    def as_json(self) -> dict[str, Any]:
        c = self.clock
        return {
            "number": self.number,
            "exporter": self.exporter,
            "license_type": self.license_type,
            "destination": self.destination,
            "state": self.state,
            "submitted_at": self.submitted_at.isoformat(),
            "pre_review": self.verdict,
            "clock": None
            if c is None
            else {
                "accepted_on": c.accepted_on.isoformat(),
                "working_days_used": c.used,
                "working_days_left": c.remaining,
                "due": c.due.isoformat() if c.due else None,
                "stopped": c.stopped,
                "overdue": c.overdue,
                "provisional": c.provisional,
            },
        }


def _local(moment: datetime, settings: Settings) -> date:
    return moment.astimezone(timezone(timedelta(hours=settings.thresholds.utc_offset_hours))).date()


NOT_HELD = "an application may name only lots its exporter holds when it is filed"


def _refuse_unheld(conn: Connection, settings: Settings, application: Application) -> None:
    """Refuse an application naming a lot its exporter does not hold, saying nothing of the lot."""
    lots = lot_facts(conn, application.lots, settings.thresholds.overdraw_tolerance_kg)
    unheld = unheld_items(application, lots)
    if unheld:
        items = ", ".join(map(str, unheld))
        raise InvalidInput(
            f"item{'s' if len(unheld) > 1 else ''} {items}: {NOT_HELD}",
            message_id="error.application.not_held",
            params={"items": unheld},
        )


def submit_application(
    store: Store, settings: Settings, path: Path, by: str, now: datetime | None = None, *, actor: Actor
) -> Submitted:
    """Read, check and record an application with its documents and its pre-review."""
    if not by.strip():
        raise UsageError("say who submits the application (--by)")
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise InvalidInput(f"{path}: not JSON ({exc})") from None
    model = read_application(data)
    documents = read_documents(path.parent, [(d.kind, d.path, d.sha256) for d in model.documents])
    application = to_domain(model, [d for d, _ in documents])
    found = problems(application)
    if found:
        raise InvalidInput(
            "the application is incomplete: " + "; ".join(found),
            message_id="error.application.incomplete",
            params={"count": len(found)},
        )
    now = now or datetime.now(UTC)
    day = _local(now, settings)
    try:
        with store.reading() as conn:
            if conn.scalar(select(t.enterprises.c.uscc).where(t.enterprises.c.uscc == application.exporter)) is None:
                raise InvalidInput(
                    f"exporter {application.exporter} is not a registered enterprise",
                    message_id="error.application.unknown_exporter",
                    params={"exporter": application.exporter},
                )
            _refuse_unheld(conn, settings, application)  # before the costly pre-review
    except InvalidInput as exc:
        # the refusal is kept in a transaction of its own: nothing else is written
        record_access(store, actor, "refused", "application", application.exporter, str(exc), now)
        raise
    ledger_size, report = run_pre_review(store, settings, application, None, day)
    body = model.model_dump(mode="json", exclude={"documents"}) | {
        "documents": [
            {"kind": d.kind, "filename": d.filename, "sha256": d.sha256, "size": d.size} for d, _ in documents
        ]
    }
    with store.writing() as conn:
        _refuse_unheld(conn, settings, application)  # again, under the write lock
        number = repo.next_number(conn, day.year)
        report["application"] = number
        canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        repo.insert_application(
            conn,
            repo.StoredApplication(
                number,
                application.exporter,
                application.license_type,
                application.destination,
                now,
                by.strip(),
                body,
                digest(canonical),
            ),
        )
        for document, content in documents:
            repo.add_document(conn, number, document.kind, document.filename, document.sha256, content, now)
        repo.add_step(
            conn, number, ReviewStep("submit", by.strip(), now, "", "submitted", {"body_sha256": digest(canonical)})
        )
        repo.add_prereview(conn, number, now, ledger_size, report)
        note_access(
            conn,
            actor,
            "change",
            f"application {number}",
            application.exporter,
            f"filed with {len(documents)} document(s); pre-review {report['verdict']}",
            now,
        )
    return Submitted(number, report)


def stored_application(store: Store, number: str) -> tuple[repo.StoredApplication, Application]:
    with store.reading() as conn:
        stored = repo.get_application(conn, number)
    if stored is None:
        raise NotFound(f"application {number} does not exist")
    return stored, from_body(stored.body)


def refresh_pre_review(
    store: Store, settings: Settings, number: str, now: datetime | None = None, *, actor: Actor
) -> dict[str, Any]:
    """Run the pre-review again (the ledger, the lists or the control list may have changed) and
    record it beside the earlier ones."""
    stored, application = stored_application(store, number)
    now = now or datetime.now(UTC)
    ledger_size, report = run_pre_review(store, settings, application, number, _local(now, settings))
    report["application"] = number
    with store.writing() as conn:
        repo.add_prereview(conn, number, now, ledger_size, report)
        note_access(
            conn, actor, "change", f"application {number}", stored.exporter, f"pre-review {report['verdict']}", now
        )
    return report


def clock_of(
    steps: list[ReviewStep], as_of: date, settings: Settings, workdays: Workdays = CHINA
) -> ClockReading | None:
    def local(moment: datetime) -> date:
        return _local(moment, settings)

    start = accepted_on(steps, local)
    if start is None:
        return None
    decided = next((local(s.at) for s in steps if s.state in ("approved", "denied", "withdrawn")), None)
    return read_clock(start, pauses(steps, local), min(as_of, decided) if decided else as_of, workdays)


def application_view(
    store: Store, settings: Settings, number: str, as_of: date | None = None, applicant: str | None = None
) -> dict[str, Any]:
    """Everything about one application: the document, its documents, the steps, the clock and
    the latest pre-review; as its `applicant` may see it when one is given (staff see all)."""
    with store.reading() as conn:
        stored = repo.get_application(conn, number)
        if stored is None:
            raise NotFound(f"application {number} does not exist")
        steps = repo.steps_of(conn, [number])[number]
        documents = repo.list_documents(conn, number)
        latest = repo.latest_prereview(conn, number)
        runs = repo.prereview_count(conn, number)
        license_rows = [r for r in repo.license_rows(conn) if r.application == number]
    as_of = as_of or _local(datetime.now(UTC), settings)
    clock = clock_of(steps, as_of, settings)
    entry = QueueEntry(
        number,
        stored.exporter,
        stored.license_type,
        stored.destination,
        state_of(steps),
        stored.submitted_at,
        clock,
        latest[2]["verdict"] if latest else None,
    )
    report = latest[2] if latest else None
    if report is not None and applicant is not None:
        report = prereview_seen_by(report, applicant)
        entry = replace(entry, verdict=report["verdict"])
    return {
        **entry.as_json(),
        "submitted_by": stored.submitted_by,
        "body_sha256": stored.body_sha256,
        "application": stored.body,
        "documents": [
            {
                "id": d.id,
                "kind": d.kind,
                "filename": d.filename,
                "sha256": d.sha256,
                "size": d.size,
                "added_at": d.added_at.isoformat(),
            }
            for d in documents
        ],
        "steps": [
            {"action": s.action, "state": s.state, "by": s.by, "at": s.at.isoformat(), "why": s.why, "detail": s.detail}
            for s in steps
        ],
        "pre_review": None
        if latest is None
        else {"run_at": latest[0].isoformat(), "ledger_size": latest[1], "runs": runs, "report": report},
        "license": license_rows[0].license_no if license_rows else None,
    }


def queue(
    store: Store,
    settings: Settings,
    as_of: date | None = None,
    state: str | None = None,
    exporter: str | None = None,
    applicant: str | None = None,
) -> list[QueueEntry]:
    """Applications with their state, clock and pre-review verdict; open ones first, the nearest
    deadline first. With `applicant`, only its own, each verdict as it may see it."""
    as_of = as_of or _local(datetime.now(UTC), settings)
    with store.reading() as conn:
        apps = repo.list_applications(conn, applicant or exporter)
        if applicant is not None:
            apps = [a for a in apps if a.exporter == applicant]
        steps = repo.steps_of(conn, [a.number for a in apps])
        reports = {a.number: (p[2] if (p := repo.latest_prereview(conn, a.number)) else None) for a in apps}
    verdicts = {
        number: None
        if report is None
        else (prereview_seen_by(report, applicant) if applicant is not None else report)["verdict"]
        for number, report in reports.items()
    }
    entries = []
    for a in apps:
        s = steps[a.number]
        current = state_of(s)
        if state and current != state:
            continue
        entries.append(
            QueueEntry(
                a.number,
                a.exporter,
                a.license_type,
                a.destination,
                current,
                a.submitted_at,
                clock_of(s, as_of, settings),
                verdicts[a.number],
            )
        )

    def order(e: QueueEntry) -> tuple[Any, ...]:
        is_open = e.state in ("submitted", "accepted", "under_review", "info_requested")
        left = e.clock.remaining if e.clock and not e.clock.stopped else 10_000
        return (not is_open, left, e.number)

    return sorted(entries, key=order)


def due(store: Store, settings: Settings, as_of: date | None = None, within: int = 5) -> list[QueueEntry]:
    """Open applications that are overdue, or due within `within` working days."""
    return [
        e
        for e in queue(store, settings, as_of)
        if e.state in ("accepted", "under_review") and e.clock and not e.clock.stopped and e.clock.remaining <= within
    ]


def provide_information(
    store: Store,
    settings: Settings,
    number: str,
    by: str,
    acting_for: str,
    note: str,
    documents: list[tuple[str, Path]],
    now: datetime | None = None,
    *,
    actor: Actor,
) -> str:
    """The applicant answers a request for information, with documents; the clock runs again."""
    read = read_documents(Path.cwd(), [(kind, str(path), None) for kind, path in documents])
    now = now or datetime.now(UTC)
    with store.writing() as conn:
        stored = repo.get_application(conn, number)
        if stored is None:
            raise NotFound(f"application {number} does not exist")
        steps = repo.steps_of(conn, [number])[number]
        state = check_step("provide_info", steps, stored.exporter, applicant=acting_for)
        for document, content in read:
            repo.add_document(conn, number, document.kind, document.filename, document.sha256, content, now)
        repo.add_step(
            conn,
            number,
            ReviewStep(
                "provide_info", by, now, note, state, {"documents": [d.sha256 for d, _ in read], "for": acting_for}
            ),
        )
        note_access(
            conn,
            actor,
            "change",
            f"application {number}",
            stored.exporter,
            f"information provided with {len(read)} document(s)",
            now,
        )
    return state
