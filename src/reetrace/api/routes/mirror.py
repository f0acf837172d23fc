"""Mirror statistics: partner countries' imports from China, loaded by regulators, against the
declared exports (staff), as JSON rows or an SVG chart of the largest gaps."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from reetrace.api import access
from reetrace.api.routes.customs import CSV_BODY, csv_body
from reetrace.api.routes.screening import require_staff
from reetrace.api.security import actor_of, principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.domain.mirror import mirror_document
from reetrace.services import mirror as mirror_service

router = APIRouter(prefix="/api/mirror", tags=["customs"])
YEAR = Query(None, ge=1900, le=9999, description="Only this year.")


@router.post("/statistics", openapi_extra={"requestBody": CSV_BODY}, status_code=201)
async def load(
    request: Request,
    source: str = Query(
        "upload.csv", min_length=1, max_length=200, description="The file's name, recorded with the rows."
    ),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Load partner import statistics (`year,partner,hs6,kg,value`; regulators): every row or
    none; a (year, partner, hs6) loaded before is replaced."""
    who.require("customs")
    data = await csv_body(request)
    done = await run_in_threadpool(
        mirror_service.load_mirror_statistics, store_of(request), data, source, actor=actor_of(request, who)
    )
    return {
        "rows": done.rows,
        "added": done.added,
        "replaced": [{"year": y, "partner": partner, "hs6": hs6} for y, partner, hs6 in done.replaced],
    }


@router.get("")
def report(request: Request, year: int | None = YEAR, who: Principal = Depends(principal)) -> dict[str, Any]:
    """Partner-recorded imports against declared exports per HS6 × partner × year, largest gap
    first (staff): `reetrace/mirror-report@1`."""
    require_staff(who, "read the mirror statistics")
    document = mirror_document(mirror_service.mirror_report(store_of(request), year), year)
    access.read(request, who)
    return document


@router.get("/chart.svg", response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
def chart(
    request: Request,
    year: int | None = YEAR,
    top: int = Query(15, ge=1, le=100, description="Rows."),
    who: Principal = Depends(principal),
) -> Response:
    """An SVG bar chart of the largest gaps (staff)."""
    require_staff(who, "read the mirror statistics")
    svg = mirror_service.mirror_svg(mirror_service.mirror_report(store_of(request), year), year, top)
    access.read(request, who)
    return Response(svg, media_type="image/svg+xml")
