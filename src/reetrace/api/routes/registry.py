"""The registry: enterprises (with qualifications, keys, sites), quota use, and loading a
registry document (regulators)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool

from reetrace.api import access
from reetrace.api.pagination import Page, page
from reetrace.api.security import actor_of, principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.domain.registry import Registry
from reetrace.errors import not_found
from reetrace.services import audit as audit_service
from reetrace.services import registry as registry_service

router = APIRouter(prefix="/api", tags=["registry"])


def enterprise_json(registry: Registry, uscc: str) -> dict[str, Any]:
    e = registry.enterprises[uscc]
    return {
        "uscc": e.uscc,
        "name": e.name,
        "name_en": e.name_en,
        "province": e.province,
        "group": e.group,
        "qualifications": [
            {"kind": q.kind, "valid_from": q.valid_from.isoformat(), "valid_to": q.valid_to.isoformat()}
            for q in registry.qualifications.get(uscc, [])
        ],
        "keys": [
            {
                "key_id": k.key_id,
                "valid_from": k.valid_from.isoformat(),
                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
            }
            for k in sorted(registry.keys.values(), key=lambda k: k.key_id)
            if k.uscc == uscc
        ],
        "sites": [
            {"code": s.code, "kind": s.kind, "name": s.name, "province": s.province}
            for (u, _), s in sorted(registry.sites.items())
            if u == uscc
        ],
        "quotas": [
            {"year": q.year, "kind": q.kind, "category": q.category, "tonnes_reo": q.tonnes_reo}
            for q in sorted(registry.quotas.values(), key=lambda q: (q.year, q.kind, q.category))
            if q.uscc == uscc
        ],
    }


@router.get("/registry/enterprises")
def enterprises(request: Request, p: Page = Depends(page), who: Principal = Depends(principal)) -> dict[str, Any]:
    """Registered enterprises. Enterprise users: their own."""
    registry = registry_service.current_registry(store_of(request))
    usccs = sorted(u for u in registry.enterprises if who.sees(u))
    access.read(request, who)
    return p.of([enterprise_json(registry, u) for u in usccs])


@router.get("/registry/enterprises/{uscc}")
def enterprise(
    request: Request, uscc: str = Path(..., max_length=64), who: Principal = Depends(principal)
) -> dict[str, Any]:
    """One enterprise: qualifications, keys, sites and quotas."""
    if not who.sees(uscc):
        raise access.unseen(request, who, "enterprise", uscc)
    registry = registry_service.current_registry(store_of(request))
    if uscc not in registry.enterprises:
        raise not_found("enterprise")
    access.read(request, who, uscc)
    return enterprise_json(registry, uscc)


@router.get("/quota-use/{year}")
def quota_use(
    request: Request,
    year: int = Path(..., ge=1900, le=9999),
    p: Page = Depends(page),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """REO extracted and separated in a year beside each quota (tonnes). Enterprise users: their own."""
    rows = audit_service.quota_use(store_of(request), year, request.app.state.settings.thresholds.utc_offset_hours)
    access.read(request, who)
    return p.of(
        [
            {
                "uscc": r.uscc,
                "name": r.name,
                "kind": r.kind,
                "category": r.category,
                "quota_tonnes": r.quota_tonnes,
                "used_tonnes": round(r.used_tonnes, 3),
            }
            for r in rows
            if who.sees(r.uscc)
        ]
    )


@router.post("/registry")
async def load_registry(
    request: Request,
    document: dict[str, Any] = Body(..., description="A `reetrace/registry@1` document; loading is an upsert by key."),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Load a registry document (regulators)."""
    who.require("registry")
    counts = await run_in_threadpool(
        registry_service.load_registry, store_of(request), document, actor=actor_of(request, who)
    )
    return {"loaded": counts}
