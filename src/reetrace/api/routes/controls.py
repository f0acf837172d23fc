"""The dual-use control list: the entries on a day with the changes recorded to them, a
regulator's change (add, suspend, end), and the control codes a lot falls under on a day."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from reetrace.api import access
from reetrace.api.pagination import Page, page
from reetrace.api.routes.findings import today
from reetrace.api.routes.lots import LOT, _visible
from reetrace.api.security import actor_of, principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.domain.controls import ControlEntry
from reetrace.services import controls as controls_service
from reetrace.store.controls_repo import RecordedChange

router = APIRouter(prefix="/api", tags=["controls"])


class ControlChangeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    action: Literal["add", "suspend", "end"]
    code: str = Field(..., min_length=1, max_length=32, description="The control code, e.g. 1C914.")
    effective: date = Field(..., alias="from", description="The day the change takes effect.")
    until: date | None = Field(None, description="Suspend only: the day it applies again (exclusive; default open).")
    element: str | None = Field(None, max_length=8, description="Add only: the element, e.g. Ho.")
    groups: list[str] = Field(
        default_factory=list,
        max_length=8,
        description="Add only: the group letters (a metal/alloy/magnet, b oxide, c compounds).",
    )
    why: str = Field(..., min_length=1, max_length=5000, description="Why: the announcement or decision.")


def _change_json(r: RecordedChange) -> dict[str, Any]:
    c = r.change
    return {
        "id": r.id,
        "action": c.action,
        "code": c.code,
        "effective": c.effective.isoformat(),
        "until": c.until.isoformat() if c.until else None,
        "element": c.element,
        "groups": list(c.groups),
        "by": c.by,
        "why": c.why,
        "recorded_at": r.recorded_at.isoformat(),
    }


def _entry_json(entry: ControlEntry, day: date, changes: list[RecordedChange]) -> dict[str, Any]:
    return {
        "code": entry.code,
        "element": entry.element,
        "groups": list(entry.groups),
        "in_force": entry.in_force(day),
        "effective_from": entry.effective_from.isoformat(),
        "ended_on": entry.ended_on.isoformat() if entry.ended_on else None,
        "suspensions": [
            {"from": s.start.isoformat(), "until": s.end.isoformat() if s.end else None} for s in entry.suspensions
        ],
        "changes": [_change_json(r) for r in changes if r.change.code == entry.code],
    }


@router.get("/controls")
def controls(
    request: Request,
    on: date | None = Query(None, description="The day (default: today)."),
    all: bool = Query(False, description="Also entries not in force that day."),
    p: Page = Depends(page),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """The control list's entries in force on a day, with their dates and the changes recorded to them."""
    day = on or today(request)
    listed, changes = controls_service.control_history(store_of(request), request.app.state.settings)
    entries = [_entry_json(e, day, changes) for e in listed.entries if all or e.in_force(day)]
    access.read(request, who)
    return {**p.of(entries), "on": day.isoformat()}


@router.post("/controls/changes", status_code=201)
async def change(request: Request, body: ControlChangeBody, who: Principal = Depends(principal)) -> dict[str, Any]:
    """Record a change to the control list (regulators); it is checked against the list as it
    stands and never edited afterwards."""
    who.require("controls")
    recorded = await run_in_threadpool(
        controls_service.change_control,
        store_of(request),
        request.app.state.settings,
        body.action,
        body.code,
        effective=body.effective,
        by=who.username,
        why=body.why,
        element=body.element,
        groups=tuple(body.groups),
        until=body.until,
        actor=actor_of(request, who),
    )
    return _change_json(recorded)


# listed before the lots router (routes/__init__.py): `/lots/{lot:path}` would take this path
@router.get("/lots/{lot:path}/classification", tags=["lots"])
def classification(
    request: Request,
    lot: str = LOT,
    on: date | None = Query(None, description="The day (default: today)."),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """The control codes a lot falls under on a day, from its form and composition as created."""
    view = _visible(request, who, lot)
    found = controls_service.classify_lot(store_of(request), request.app.state.settings, lot, on or today(request))
    access.read(request, who, view.owner)
    return found.as_json()
