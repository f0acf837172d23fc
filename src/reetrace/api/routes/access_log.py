"""The access log (regulators and auditors): every change, every staff read and every refusal,
newest first, filtered by user, enterprise and time, paged. Reading it is itself written down."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from reetrace.api import access
from reetrace.api.pagination import Page, page
from reetrace.api.security import principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.services import access_log

router = APIRouter(prefix="/api", tags=["accounts"])


@router.get("/access-log")
def entries(
    request: Request,
    user: str | None = Query(None, max_length=64, description="Only this user's entries."),
    enterprise: str | None = Query(None, max_length=64, description="Only entries on this enterprise (USCC)."),
    since: str | None = Query(
        None, max_length=40, description="From this day (YYYY-MM-DD) or time (RFC 3339 with an offset) on."
    ),
    p: Page = Depends(page),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Entries newest first, each with who (username, role), through which door (channel, the
    client's address, the operating-system user at the command line), what, on which enterprise,
    and the detail (a change's particulars, a read's filter)."""
    offset = request.app.state.settings.thresholds.utc_offset_hours
    chosen = access_log.LogFilter(user, enterprise, access_log.since_moment(since, offset) if since else None)
    found, total = access_log.read_log(store_of(request), who, chosen, p.limit, p.offset)
    access.read(request, who, enterprise)
    return p.answer([e.as_json() for e in found], total)
