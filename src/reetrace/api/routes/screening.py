"""Restricted-party screening: the lists loaded, loading a list (regulators), and screening a
name against every loaded list (staff; the answer is docs/contract.md §9's)."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from reetrace.api import access
from reetrace.api.pagination import Page, page
from reetrace.api.security import actor_of, principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.errors import Forbidden, UsageError
from reetrace.services import screening as screening_service

router = APIRouter(prefix="/api/screening", tags=["screening"])
MAX_BYTES = 256 * 1024 * 1024
LIST_BODY = {
    "required": True,
    "description": "The list: FollowTheMoney entities, one JSON object a line.",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


def require_staff(who: Principal, what: str) -> None:
    if not who.is_staff:
        raise Forbidden(f"{who.username} ({who.role}) may not {what}")


@router.get("/lists")
def lists(request: Request, p: Page = Depends(page), who: Principal = Depends(principal)) -> dict[str, Any]:
    """The lists loaded: name, version (the file's SHA-256), when, and how many entities."""
    found = screening_service.list_versions(store_of(request))
    access.read(request, who)
    return p.of(
        [{**v.as_contract(), "source": v.source, "loaded_by": v.loaded_by, "skipped": dict(v.skipped)} for v in found]
    )


@router.post("/lists/{name}", openapi_extra={"requestBody": LIST_BODY}, status_code=201)
async def load(
    request: Request, name: str = Path(..., min_length=1, max_length=100), who: Principal = Depends(principal)
) -> dict[str, Any]:
    """Load (or replace) the list `name` from FollowTheMoney JSON lines (regulators): the whole
    body is checked first; a bad line loads nothing."""
    who.require("screening")
    data = await request.body()
    if len(data) > MAX_BYTES:
        raise UsageError(f"a list is at most {MAX_BYTES // (1024 * 1024)} MiB")

    def load_file() -> screening_service.LoadReport:
        with tempfile.TemporaryDirectory(prefix="reetrace-list-") as folder:
            path = FilePath(folder) / f"{name}.jsonl"
            path.write_bytes(data)
            return screening_service.load_list(
                store_of(request), path, name, loaded_by=who.username, actor=actor_of(request, who)
            )

    report = await run_in_threadpool(load_file)
    return report.as_json()


@router.get("")
def screen(
    request: Request,
    name: str = Query(..., min_length=1, max_length=500),
    country: str | None = Query(None, max_length=8, description="ISO 3166 alpha-2 (narrows the matches)."),
    threshold: float | None = Query(None, ge=0, le=1, description="Lowest score reported (default 0.8)."),
    birth_date: str | None = Query(
        None, max_length=10, description="The party's birth date, YYYY, YYYY-MM or YYYY-MM-DD (weighs in the score)."
    ),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Screen a name against every loaded list (staff): the `reetrace/screening@1` result, each
    match with the explanation of its score."""
    require_staff(who, "screen names")
    result = screening_service.screen(store_of(request), name, country, threshold, birth_date).as_contract()
    access.read(request, who)
    return result
