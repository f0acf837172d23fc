"""Submissions: send one signed submission (docs/contract.md §4) and read what was accepted or rejected."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from reetrace.api import access
from reetrace.api.errors import error_body
from reetrace.api.language import accepted_language
from reetrace.api.pagination import Page, page
from reetrace.api.security import actor_of, principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.domain.problems import Problem
from reetrace.errors import UsageError
from reetrace.services.intake import read_stream
from reetrace.services.submit import ForeignReporter, list_rejections, list_submissions, receive_submission
from reetrace.web.i18n import Formats
from reetrace.web.words import Words

router = APIRouter(prefix="/api", tags=["submissions"])

SUBMISSION_BODY = {
    "required": True,
    "description": "The signed `reetrace/submission@1` document, exactly as signed (its bytes are kept); "
    "at most 64 MiB (beyond it a rejection, recorded with the body's digest and size).",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["format", "reporter", "key_id", "created_at", "events", "signature"],
                "properties": {
                    "format": {"type": "string", "enum": ["reetrace/submission@1"]},
                    "reporter": {"type": "string"},
                    "key_id": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "events": {"type": "array", "items": {"type": "object"}},
                    "signature": {"type": "string"},
                },
            }
        }
    },
}
ReasonClass = Literal["parse", "schema", "reporter", "key", "signature", "conflict"]
STATUS = {"accepted": 201, "duplicate": 200, "rejected": 422}


@router.post(
    "/submissions",
    openapi_extra={"requestBody": SUBMISSION_BODY},
    status_code=201,
    responses={
        200: {"description": "A duplicate: already recorded, nothing changed."},
        403: {"description": "An enterprise's user sent another enterprise's submission (recorded as a rejection)."},
        422: {"description": "Rejected (parse, schema, reporter, key, signature or conflict); recorded."},
    },
)
async def submit(request: Request, who: Principal = Depends(principal)) -> JSONResponse:
    """Ingest one signed submission. The answer is the ingest report (`reetrace/ingest-report@1`)
    for it: 201 accepted, 200 duplicate (a no-op), 422 rejected, 403 another enterprise's
    (a rejection too); a rejection also carries the error shape (`error.type` `rejected`).
    Every one is recorded with its access-log entry, in one transaction."""
    who.require("submit")
    store, settings = store_of(request), request.app.state.settings
    source = f"api/{who.uscc or 'staff'}/{who.username}"
    try:
        delivery = await read_stream(source, request.stream())  # never more than the bound held
    except ClientDisconnect:
        raise UsageError("the request body ended before it was complete") from None
    actor = actor_of(request, who)
    try:
        received = await run_in_threadpool(
            receive_submission, store, settings, delivery, actor, "POST /api/submissions", who.uscc
        )
    except ForeignReporter as exc:
        return JSONResponse({**exc.report.as_contract(), **error_body("forbidden", str(exc))}, status_code=403)
    report = received.report.as_contract()
    outcome = received.outcome
    if outcome == "rejected":
        detail = received.report.rejected[0].detail
        language = accepted_language(request.headers.get("accept-language"))
        said = Words(Formats(language)).problem(detail)
        localized = {"message": said.text, "language": said.language}
        extra: dict[str, Any] = {"localized": localized}
        if isinstance(detail, Problem):
            extra.update(message_id=detail.id, params=detail.params)
        report.update(error_body("rejected", received.report.rejected[0].reason, **extra))
        return JSONResponse(report, status_code=STATUS[outcome], headers={"Content-Language": said.language})
    return JSONResponse(report, status_code=STATUS[outcome])


@router.get("/submissions")
def submissions(
    request: Request,
    reporter: str | None = Query(None, description="Only this enterprise's (USCC)."),
    p: Page = Depends(page),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Accepted submissions, newest first, with their event counts. Enterprise users: their own."""
    if not who.is_staff:
        reporter = who.uscc
    items, total = list_submissions(store_of(request), reporter, p.limit, p.offset)
    access.read(request, who, reporter)
    return p.answer(items, total)


@router.get("/rejections")
def rejections(
    request: Request,
    reporter: str | None = Query(None, description="Only this enterprise's (USCC)."),
    reason: ReasonClass | None = Query(None, description="Only this reason class."),
    p: Page = Depends(page),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Rejected submissions with their reasons, newest first. Enterprise users: their own."""
    if not who.is_staff:
        reporter = who.uscc
    items, total = list_rejections(store_of(request), reporter, reason, p.limit, p.offset)
    access.read(request, who, reporter)
    return p.answer(items, total)
