"""Lots: what the ledger knows of one lot, its trace (docs/contract.md §6) and its provenance
certificate. An enterprise's user sees a lot only if the enterprise created, held, sent or
received it (any other lot answers exactly as one that does not exist); of its upstream, what
`domain.disclosure` allows: origins without who reported them, a certificate with the other
enterprises' events redacted (docs/certificates.md). A forward trace shows it only the
descendants its own enterprise made."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Request

from reetrace.api import access
from reetrace.api.security import principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.domain.disclosure import trace_seen_by
from reetrace.services import certify as certify_service
from reetrace.services import trace as trace_service
from reetrace.services.lots import LotView, lot_view

router = APIRouter(prefix="/api", tags=["lots"])
LOT = Path(..., min_length=1, max_length=80, description="Lot id (may contain '/').")


def _visible(request: Request, who: Principal, lot: str) -> LotView:
    with access.looked_up(request, who, "lot"):
        view = lot_view(store_of(request), request.app.state.settings, lot)
    if not who.is_staff and who.uscc not in view.involved:
        raise access.unseen(request, who, "lot", view.owner)
    return view


# the routes with a suffix come first: a lot id may contain '/'
@router.get("/lots/{lot:path}/trace")
def trace(
    request: Request,
    lot: str = LOT,
    direction: Literal["backward", "forward"] = "backward",
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """Backward: every origin with the element mass it contributed. Forward: every lot made from it."""
    view = _visible(request, who, lot)
    doc = trace_service.trace(store_of(request), lot, direction)
    if direction == "forward" and not who.is_staff:
        mine = [d for d in doc["descendants"] if d["enterprise"] == who.uscc]
        doc = {**doc, "descendants": mine, "withheld": len(doc["descendants"]) - len(mine)}
    elif not who.is_staff and who.uscc is not None:
        doc = trace_seen_by(doc, who.uscc)
    access.read(request, who, view.owner, f"trace {direction}")
    return doc


@router.get("/lots/{lot:path}/certificate")
def certificate(request: Request, lot: str = LOT, who: Principal = Depends(principal)) -> dict[str, Any]:
    """A provenance certificate, verifiable offline with the log's key: complete
    (`reetrace/certificate@1`) for staff; for an enterprise's user, the other enterprises'
    events redacted (`reetrace/redacted-certificate@1`)."""
    view = _visible(request, who, lot)
    doc = certify_service.certify(
        store_of(request), request.app.state.settings, lot, for_enterprise=None if who.is_staff else who.uscc
    )
    access.read(request, who, view.owner, "certificate")
    return doc


@router.get("/lots/{lot:path}")
def lot_facts(request: Request, lot: str = LOT, who: Principal = Depends(principal)) -> dict[str, Any]:
    """Form, composition, creator, custodian (custody replayed) and the events touching the lot."""
    view = _visible(request, who, lot)
    access.read(request, who, view.owner)
    doc = view.doc
    if not who.is_staff:  # its own events, and the shipments to it; not what others did with the lot later
        events = [e for e in doc["events"] if who.uscc in (e["enterprise"], e.get("to"))]
        withheld = len(doc["events"]) - len(events)
        custodian = doc["custodian"] if doc["custodian"] in (who.uscc, None) else "withheld"
        known = {who.uscc} | {e["enterprise"] for e in events if e.get("to") == who.uscc}
        creator = doc["creator"]
        if creator is not None and creator["enterprise"] not in known:  # made upstream by someone it never dealt with
            creator = {**creator, "enterprise": None, "event": None}
        doc = {**doc, "events": events, "custodian": custodian, "creator": creator, "withheld_events": withheld}
    return doc
