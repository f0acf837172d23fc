"""Customs: loading export declarations (regulators), their reconciliation with the ledger
(staff), exports with their arrival, and arrival reports (the exporting enterprise, or a
regulator)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from reetrace.api import access
from reetrace.api.language import reader_words, said
from reetrace.api.pagination import Page, page
from reetrace.api.routes.findings import today
from reetrace.api.routes.screening import require_staff
from reetrace.api.security import actor_of, principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.errors import UsageError
from reetrace.services import customs as customs_service
from reetrace.services.audit import findings_document
from reetrace.services.registry import current_registry

router = APIRouter(prefix="/api", tags=["customs"])
MAX_BYTES = 64 * 1024 * 1024
CSV_BODY = {
    "required": True,
    "description": "The CSV file (UTF-8), as docs/customs.md gives it.",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


class Arrival(BaseModel):
    model_config = ConfigDict(extra="forbid")
    arrived_on: date = Field(..., description="The day the export arrived.")
    note: str | None = Field(None, max_length=5000, description="Port, consignee's receipt …")


async def csv_body(request: Request) -> bytes:
    data = await request.body()
    if len(data) > MAX_BYTES:
        raise UsageError(f"a file is at most {MAX_BYTES // (1024 * 1024)} MiB")
    return data


@router.post("/customs/declarations", openapi_extra={"requestBody": CSV_BODY}, status_code=201)
async def load_declarations(
    request: Request,
    start: date | None = Query(
        None, alias="from", description="First day the file covers (default: its first declaration)."
    ),
    end: date | None = Query(None, alias="to", description="Last day it covers."),
    source: str = Query(
        "upload.csv", min_length=1, max_length=200, description="The file's name, recorded with the import."
    ),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Load customs export declarations, one CSV row per item (regulators): every row or none;
    the same declaration again is a no-op."""
    who.require("customs")
    data = await csv_body(request)
    done = await run_in_threadpool(
        customs_service.load_declarations,
        store_of(request),
        data,
        source,
        who.username,
        start,
        end,
        actor=actor_of(request, who),
    )
    return {
        "import": done.import_id,
        "sha256": done.sha256,
        "declarations": done.declarations,
        "items": done.items,
        "added": done.added,
        "unchanged": done.unchanged,
        "covered": {"from": done.period.start.isoformat(), "to": done.period.end.isoformat()},
    }


@router.get("/customs/findings")
def customs_findings(
    request: Request,
    response: Response,
    as_of: date | None = Query(None, description="As of the end of this day (default: today)."),
    p: Page = Depends(page),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """The customs findings (staff): declarations without exports, exports without declarations,
    quantities, fields and HS codes that do not fit; each also said in the language of
    `Accept-Language` (docs/i18n.md)."""
    require_staff(who, "read the customs reconciliation")
    day = as_of or today(request)
    found = customs_service.reconcile(store_of(request), request.app.state.settings, day)
    doc = findings_document(found, day)
    doc.pop("findings")
    access.read(request, who)
    shown = p.of(found)
    words = reader_words(request, response, current_registry(store_of(request)).enterprises)
    shown["items"] = [{**f.as_contract(), **said(words, f)} for f in shown["items"]]
    return {**doc, **shown}


@router.get("/exports")
def exports(
    request: Request,
    license: str | None = Query(None, max_length=64, description="Only exports under this license number."),
    as_of: date | None = Query(None, description="As of the end of this day (default: today)."),
    p: Page = Depends(page),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Every export with its arrival, oldest first. Enterprise users: their own."""
    day = as_of or today(request)
    lines = [
        line
        for line in customs_service.list_exports(store_of(request), request.app.state.settings, day, license)
        if who.sees(line.exporter)
    ]
    exporters = {line.exporter for line in lines}
    access.read(request, who, exporters.pop() if license is not None and len(exporters) == 1 else None)
    return {**p.of([line.as_json() for line in lines]), "as_of": day.isoformat()}


@router.post("/exports/{ref}/arrival", status_code=201)
async def arrival(
    request: Request,
    body: Arrival,
    ref: str = Path(..., max_length=220, description="The export event, <USCC>:<event_id>."),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Report that an export arrived (its exporter's users, or a regulator). One report per
    export; it is never changed."""
    who.require("report_arrival")
    exporter = ref.strip().partition(":")[0]
    if not who.sees(exporter):
        raise await run_in_threadpool(access.unseen, request, who, "export", exporter)
    with access.looked_up(request, who, "export"):
        report = await run_in_threadpool(
            customs_service.report_arrival,
            store_of(request),
            request.app.state.settings,
            ref,
            body.arrived_on,
            who.username,
            body.note,
            actor=actor_of(request, who),
        )
    return {
        "export": report.export_ref,
        "arrived_on": report.arrived_on.isoformat(),
        "by": report.by,
        "recorded_at": report.recorded_at.isoformat(),
        "note": report.note,
    }
