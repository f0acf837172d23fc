"""License applications, their documents, pre-reviews and review steps; officials; the licenses
issued on them. Rows are only inserted. Repositories never commit: the caller's unit of work does."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from reetrace.domain.registry import License
from reetrace.domain.workflow import Official, ReviewStep
from reetrace.store import chains
from reetrace.store import tables as t
from reetrace.store.timefmt import from_utc_text, to_utc_text


@dataclass(frozen=True, slots=True)
class StoredApplication:
    number: str
    exporter: str
    license_type: str
    destination: str
    submitted_at: datetime
    submitted_by: str
    body: dict[str, Any]
    body_sha256: str


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: int
    kind: str
    filename: str
    sha256: str
    size: int
    added_at: datetime


# --- officials ------------------------------------------------------------------------------


def add_official(conn: Connection, official: Official, added_at: datetime) -> None:
    chains.append(
        conn,
        t.officials,
        dict(
            name=official.name,
            roles=json.dumps(list(official.roles)),
            enterprise=official.enterprise,
            added_at=to_utc_text(added_at),
        ),
    )


def get_official(conn: Connection, name: str) -> Official | None:
    row = conn.execute(select(t.officials).where(t.officials.c.name == name)).first()
    return Official(row.name, tuple(json.loads(row.roles)), row.enterprise) if row else None


def list_officials(conn: Connection) -> list[Official]:
    return [
        Official(r.name, tuple(json.loads(r.roles)), r.enterprise)
        for r in conn.execute(select(t.officials).order_by(t.officials.c.name))
    ]


# --- applications ---------------------------------------------------------------------------


def next_number(conn: Connection, year: int) -> str:
    """The next application number of the year; called under the write lock."""
    prefix = f"EA{year}-"
    c = t.license_applications.c
    last = conn.scalar(select(func.max(c.number)).where(c.number.like(f"{prefix}%")))
    return f"{prefix}{(int(last.removeprefix(prefix)) if last else 0) + 1:06d}"


def insert_application(conn: Connection, app: StoredApplication) -> None:
    chains.append(
        conn,
        t.license_applications,
        dict(
            number=app.number,
            exporter=app.exporter,
            license_type=app.license_type,
            destination=app.destination,
            submitted_at=to_utc_text(app.submitted_at),
            submitted_by=app.submitted_by,
            body=json.dumps(app.body, ensure_ascii=False, sort_keys=True),
            body_sha256=app.body_sha256,
        ),
    )


def _application(row: Any) -> StoredApplication:
    return StoredApplication(
        row.number,
        row.exporter,
        row.license_type,
        row.destination,
        from_utc_text(row.submitted_at),
        row.submitted_by,
        json.loads(row.body),
        row.body_sha256,
    )


def get_application(conn: Connection, number: str) -> StoredApplication | None:
    row = conn.execute(select(t.license_applications).where(t.license_applications.c.number == number)).first()
    return _application(row) if row else None


def list_applications(conn: Connection, exporter: str | None = None) -> list[StoredApplication]:
    query = select(t.license_applications).order_by(t.license_applications.c.number)
    if exporter:
        query = query.where(t.license_applications.c.exporter == exporter)
    return [_application(r) for r in conn.execute(query)]


def add_document(
    conn: Connection, number: str, kind: str, filename: str, sha256: str, content: bytes, added_at: datetime
) -> None:
    chains.append(
        conn,
        t.application_documents,
        dict(
            application=number,
            kind=kind,
            filename=filename,
            sha256=sha256,
            size=len(content),
            content=content,
            added_at=to_utc_text(added_at),
        ),
    )


def list_documents(conn: Connection, number: str) -> list[StoredDocument]:
    c = t.application_documents.c
    return [
        StoredDocument(r.id, r.kind, r.filename, r.sha256, r.size, from_utc_text(r.added_at))
        for r in conn.execute(
            select(c.id, c.kind, c.filename, c.sha256, c.size, c.added_at).where(c.application == number).order_by(c.id)
        )
    ]


def document_content(conn: Connection, number: str, document_id: int) -> tuple[StoredDocument, bytes] | None:
    c = t.application_documents.c
    row = conn.execute(select(t.application_documents).where(c.application == number, c.id == document_id)).first()
    if row is None:
        return None
    document = StoredDocument(row.id, row.kind, row.filename, row.sha256, row.size, from_utc_text(row.added_at))
    return document, row.content


# --- steps and pre-reviews -----------------------------------------------------------------


def add_step(conn: Connection, number: str, step: ReviewStep) -> None:
    chains.append(
        conn,
        t.application_steps,
        dict(
            application=number,
            action=step.action,
            state=step.state,
            by=step.by,
            at=to_utc_text(step.at),
            why=step.why,
            detail=json.dumps(step.detail, ensure_ascii=False, sort_keys=True),
        ),
    )


def steps_of(conn: Connection, numbers: Iterable[str]) -> dict[str, list[ReviewStep]]:
    numbers = list(numbers)
    found: dict[str, list[ReviewStep]] = {n: [] for n in numbers}
    c = t.application_steps.c
    for chunk in (numbers[i : i + 500] for i in range(0, len(numbers), 500)):
        for r in conn.execute(select(t.application_steps).where(c.application.in_(chunk)).order_by(c.id)):
            found[r.application].append(
                ReviewStep(r.action, r.by, from_utc_text(r.at), r.why, r.state, json.loads(r.detail))
            )
    return found


def add_prereview(conn: Connection, number: str, run_at: datetime, ledger_size: int, report: dict[str, Any]) -> None:
    chains.append(
        conn,
        t.prereviews,
        dict(
            application=number,
            run_at=to_utc_text(run_at),
            ledger_size=ledger_size,
            verdict=report["verdict"],
            report=json.dumps(report, ensure_ascii=False, sort_keys=True),
        ),
    )


def latest_prereview(conn: Connection, number: str) -> tuple[datetime, int, dict[str, Any]] | None:
    c = t.prereviews.c
    row = conn.execute(select(t.prereviews).where(c.application == number).order_by(c.id.desc()).limit(1)).first()
    return (from_utc_text(row.run_at), row.ledger_size, json.loads(row.report)) if row else None


def prereview_count(conn: Connection, number: str) -> int:
    return conn.scalar(select(func.count()).select_from(t.prereviews).where(t.prereviews.c.application == number)) or 0


# --- licenses issued -----------------------------------------------------------------------


def insert_license(conn: Connection, license: License, license_type: str, issued_on: str, application: str) -> None:
    chains.append(
        conn,
        t.licenses,
        dict(
            license_no=license.license_no,
            exporter=license.exporter,
            consignee=license.consignee,
            end_user=license.end_user,
            destination=license.destination,
            valid_from=license.valid_from.isoformat(),
            valid_to=license.valid_to.isoformat(),
            items=json.dumps([{"element": i.element, "form": i.form, "max_kg": i.max_kg} for i in license.items]),
            source="review",
            license_type=license_type,
            issued_on=issued_on,
            application=application,
        ),
    )


def next_license_number(conn: Connection, year: int, license_type: str) -> str:
    prefix = f"RE{year}{'S' if license_type == 'single' else 'G'}"
    c = t.licenses.c
    last = conn.scalar(select(func.max(c.license_no)).where(c.license_no.like(f"{prefix}%"), c.source == "review"))
    return f"{prefix}{(int(last.removeprefix(prefix)) if last else 0) + 1:06d}"


def license_rows(conn: Connection, license_no: str | None = None) -> list[Any]:
    query = select(t.licenses).order_by(t.licenses.c.license_no)
    if license_no:
        query = query.where(t.licenses.c.license_no == license_no)
    return list(conn.execute(query))
