"""Export licenses (migrated and issued here) with what the exports under each drew down.
Enterprise users see the licenses their enterprise holds; another's answers exactly as one that
does not exist."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request

from reetrace.api import access
from reetrace.api.pagination import Page, page
from reetrace.api.security import principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.services import licenses as licenses_service

router = APIRouter(prefix="/api", tags=["licenses"])


@router.get("/licenses")
def licenses(request: Request, p: Page = Depends(page), who: Principal = Depends(principal)) -> dict[str, Any]:
    found = licenses_service.licenses(store_of(request), request.app.state.settings)
    access.read(request, who)
    return p.of([lic.as_json() for lic in found if who.sees(lic.exporter)])


@router.get("/licenses/{license_no}")
def license_(
    request: Request, license_no: str = Path(..., max_length=64), who: Principal = Depends(principal)
) -> dict[str, Any]:
    with access.looked_up(request, who, "license"):
        found = licenses_service.licenses(store_of(request), request.app.state.settings, license_no)[0]
    if not who.sees(found.exporter):
        raise access.unseen(request, who, "license", found.exporter)
    access.read(request, who, found.exporter)
    return found.as_json()
