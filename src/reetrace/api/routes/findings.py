"""Findings of the audit with their triage: list and filter, one with its actions, and the
append-only triage actions of regulators and inspectors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from reetrace.api import access
from reetrace.api.language import reader_words, said
from reetrace.api.pagination import Page, page
from reetrace.api.security import actor_of, principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.services import triage
from reetrace.services.registry import current_registry

router = APIRouter(prefix="/api", tags=["findings"])
Severity = Literal["critical", "high", "medium", "low"]
Status = Literal["open", "confirmed", "dismissed"]


class TriageAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["assign", "confirm", "dismiss", "note", "message"]
    note: str = Field(
        ...,
        min_length=1,
        max_length=5000,
        description="Why, recorded with the action and internal; for `message`, the text the enterprise reads.",
    )
    assignee: str | None = Field(None, max_length=64, description="Who is to handle it (assign only).")
    as_of: date | None = Field(None, description="Find the finding in the audit as of this day (default: today).")


def today(request: Request) -> date:
    offset = request.app.state.settings.thresholds.utc_offset_hours
    return datetime.now(UTC).astimezone(timezone(timedelta(hours=offset))).date()


def _visible(who: Principal, found: triage.TriagedFinding) -> bool:
    return who.sees(found.finding.enterprise)


@router.get("/findings")
def findings(
    request: Request,
    response: Response,
    code: str | None = Query(None, max_length=64),
    severity: Severity | None = None,
    enterprise: str | None = Query(None, max_length=64),
    year: int | None = None,
    as_of: date | None = Query(None, description="Audit as of this day (default: today)."),
    status: Status | None = None,
    p: Page = Depends(page),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Every finding (docs/contract.md §5) with its key, triage status and assignee, and what a
    person reads of it in the language of `Accept-Language` (docs/i18n.md). Enterprise users:
    only findings on their own enterprise, without the assignee."""
    day = as_of or today(request)
    found = [
        f
        for f in triage.triaged_findings(store_of(request), request.app.state.settings, day)
        if _visible(who, f)
        and (code is None or f.finding.code == code)
        and (severity is None or f.finding.severity == severity)
        and (enterprise is None or f.finding.enterprise == enterprise)
        and (year is None or f.finding.year == year)
        and (status is None or f.status == status)
    ]
    access.read(request, who, enterprise)
    shown = p.of(found)
    words = reader_words(request, response, current_registry(store_of(request)).enterprises)
    shown["items"] = [{**f.as_json(for_enterprise=not who.is_staff), **said(words, f.finding)} for f in shown["items"]]
    return {**shown, "as_of": day.isoformat()}


@router.get("/findings/{key}")
def finding(
    request: Request,
    response: Response,
    key: str = Path(..., max_length=64),
    as_of: date | None = None,
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """One finding with every triage action recorded on it. Enterprise users: only the messages
    written to it (`messages`), never the notes or the assignee."""
    with access.looked_up(request, who, "finding"):
        found = triage.triaged_finding(store_of(request), request.app.state.settings, key, as_of or today(request))
    if not _visible(who, found):
        raise access.unseen(request, who, "finding", found.finding.enterprise)
    access.read(request, who, found.finding.enterprise)
    words = reader_words(request, response, current_registry(store_of(request)).enterprises)
    return {**found.as_json(with_actions=True, for_enterprise=not who.is_staff), **said(words, found.finding)}


@router.post("/findings/{key}/actions", status_code=201)
async def act(
    request: Request, body: TriageAction, key: str = Path(..., max_length=64), who: Principal = Depends(principal)
) -> dict[str, Any]:
    """Record a triage action (regulators, inspectors): assign (to a user who triages), confirm,
    dismiss or note, with an internal note; or a message to the finding's enterprise, which it
    reads on its portal. Actions are never changed or deleted; the status is the last confirm or
    dismiss."""
    who.require("triage")
    done = await run_in_threadpool(
        triage.act,
        store_of(request),
        request.app.state.settings,
        key,
        body.action,
        who.username,
        body.note,
        body.assignee,
        body.as_of,
        actor=actor_of(request, who),
    )
    return done.as_json(with_actions=True)
