"""The transparency log (docs/contract.md §8): the latest signed checkpoint, the verifier key, and
inclusion and consistency proofs. Checkpoints, the key and consistency proofs hold no
enterprise's data; an inclusion proof names an event, so an enterprise's user gets proofs of
its own enterprise's events only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import PlainTextResponse

from reetrace.api import access
from reetrace.api.security import principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.services import log

router = APIRouter(prefix="/api/log", tags=["transparency log"])


@router.get("/checkpoint", response_class=PlainTextResponse)
def checkpoint(request: Request, who: Principal = Depends(principal)) -> str:
    """The latest signed checkpoint (C2SP signed note), as text."""
    note = log.latest_checkpoint(store_of(request), request.app.state.settings)
    access.read(request, who)
    return note


@router.get("/key", response_class=PlainTextResponse)
def key(request: Request, who: Principal = Depends(principal)) -> str:
    """The log's verifier key: `<origin>+<hex key id>+<base64(0x01 || public key)>`."""
    key = log.verifier_key(store_of(request), request.app.state.settings)
    access.read(request, who)
    return key + "\n"


@router.get("/proof/{event:path}")
def proof(
    request: Request,
    event: str = Path(..., max_length=220, description="<USCC>:<event_id>"),
    size: int | None = Query(None, ge=1, le=2**62, description="Tree size (default: the latest checkpoint)."),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Inclusion proof of an event (`reetrace/inclusion-proof@1`)."""
    reporter = event.partition(":")[0]
    if not who.sees(reporter):
        raise access.unseen(request, who, "event", reporter)
    with access.looked_up(request, who, "event"):
        doc = log.inclusion_proof(store_of(request), request.app.state.settings, event, size)
    access.read(request, who, reporter)
    return doc


@router.get("/consistency")
def consistency(
    request: Request,
    old: int = Query(..., ge=1, le=2**62),
    new: int = Query(..., ge=1, le=2**62),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Consistency proof between two tree sizes (`reetrace/consistency-proof@1`)."""
    proof = log.consistency_proof(store_of(request), old, new)
    access.read(request, who)
    return proof
