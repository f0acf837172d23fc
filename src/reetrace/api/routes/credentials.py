"""Provenance credentials (docs/contract.md §11, docs/credentials.md).

Anyone, signed in or not, may fetch what checking a credential needs: the issuer's DID document
(`/.well-known/did.json`), the project's JSON-LD context, the status lists, an issued credential
by its id, a lot's linkset (RFC 9264) at the lot's URI and the resolver's description
(`/.well-known/gs1resolver`). A lot that has no credential answers as one that does not exist:
nothing is told of lots nobody asked a credential for.

Issuing one (`POST /api/lots/{lot}/credentials`) is for the regulator's staff and for a user of
an enterprise that created, held, sent or received the lot (the exporter asking for its buyer's
credential); listing a lot's credentials likewise.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Request
from fastapi.responses import JSONResponse, Response

from reetrace.api import access
from reetrace.api.routes.lots import LOT, _visible
from reetrace.api.security import actor_of, principal, store_of
from reetrace.credentials import contexts
from reetrace.domain.accounts import Principal
from reetrace.errors import Forbidden
from reetrace.services import credential_events
from reetrace.services import credentials as service
from reetrace.services.credential_links import linkset, resolver_description

router = APIRouter(tags=["credentials"])
CREDENTIAL_ID = Path(..., min_length=36, max_length=36, pattern=r"^[0-9a-f-]{36}$")
LINKSET = "application/linkset+json"
ISSUERS = ("regulator", "reviewer", "approver")  # staff who may issue; auditors and inspectors read


def _json(doc: Any, media_type: str = "application/json") -> Response:
    return Response(json.dumps(doc, ensure_ascii=False), media_type=media_type)


@router.get("/.well-known/did.json")
def did_document(request: Request) -> Response:
    """The issuer's DID document (did:web): its keys as Multikey, under assertionMethod."""
    return _json(service.did_document(store_of(request), request.app.state.settings), "application/did+json")


@router.get(service.CONTEXT_PATH)
def provenance_context() -> Response:
    """The project's JSON-LD context for the members of a credential that UNTP does not define."""
    return _json(contexts.provenance_context(), "application/ld+json")


@router.get(service.STATUS_PATH + "{number}")
def status_list(request: Request, number: int = Path(..., ge=1, le=1_000_000)) -> Response:
    """A `BitstringStatusListCredential`: bit n set = the credential at index n is revoked."""
    doc = service.status_list_credential(store_of(request), request.app.state.settings, number)
    return _json(doc, "application/vc+ld+json")


@router.get("/credentials/{credential_id}")
def credential(request: Request, credential_id: str = CREDENTIAL_ID) -> Response:
    """An issued credential, exactly as issued (its status is in its status list)."""
    row = service.credential(store_of(request), credential_id)
    return _json(row.document, "application/vc+ld+json")


@router.get("/.well-known/gs1resolver")
def gs1resolver(request: Request) -> Response:
    """The resolver's description (GS1 Digital Link resolver conformance)."""
    return _json(resolver_description(request.app.state.settings))


def lot_linkset(request: Request, lot: str) -> Response:
    """A lot's linkset (RFC 9264): its credential, its certificate bundle and its EPCIS events."""
    settings = request.app.state.settings
    row = service.lot_credential(store_of(request), lot)
    return _json(linkset(settings, lot, row), LINKSET)


def wants_linkset(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip().lower() == LINKSET for part in accept.split(","))


@router.post("/api/lots/{lot:path}/credentials", status_code=201)
def issue(
    request: Request,
    lot: str = LOT,
    securing: Literal["di", "jwt"] = Body("di", embed=True),
    who: Principal = Depends(principal),
) -> JSONResponse:
    """Issue the lot's provenance credential (UNTP Digital Product Passport, W3C VC 2.0)."""
    _visible(request, who, lot)
    if who.is_staff and who.role not in ISSUERS:
        raise Forbidden(f"{who.username} ({who.role}) may not issue credentials")
    issued = service.issue(
        store_of(request),
        request.app.state.settings,
        lot,
        securing,
        actor=actor_of(request, who),
        issued_by=who.username,
        issued_to=None if who.is_staff else who.uscc,
    )
    body = {
        "credential_id": issued.credential_id,
        "lot": issued.lot,
        "securing": issued.securing,
        "all_origins_legal": issued.all_origins_legal,
        "credential": issued.document,
    }
    return JSONResponse(body, status_code=201, headers={"Location": f"/credentials/{issued.credential_id}"})


@router.post("/api/submissions/{submission_id}/credential", status_code=201)
def issue_events(
    request: Request,
    submission_id: int = Path(..., ge=1, le=2**62),
    securing: Literal["di", "jwt"] = Body("di", embed=True),
    who: Principal = Depends(principal),
) -> JSONResponse:
    """A submission's events as a UNTP Digital Traceability Event credential, for the enterprise
    that sent it to pass to its customers (staff: any submission)."""
    if who.is_staff and who.role not in ISSUERS:
        raise Forbidden(f"{who.username} ({who.role}) may not issue credentials")
    if not who.is_staff and who.uscc is None:
        raise Forbidden(f"{who.username} ({who.role}) may not issue credentials")
    issued = credential_events.issue_events(
        store_of(request),
        request.app.state.settings,
        submission_id,
        securing,
        party=None if who.is_staff else who.uscc,
        actor=actor_of(request, who),
        issued_by=who.username,
    )
    body = {"credential_id": issued.credential_id, "securing": issued.securing, "credential": issued.document}
    return JSONResponse(body, status_code=201, headers={"Location": f"/credentials/{issued.credential_id}"})


@router.get("/api/lots/{lot:path}/credentials")
def lot_credentials(request: Request, lot: str = LOT, who: Principal = Depends(principal)) -> dict[str, Any]:
    """The lot's credentials, newest first, with their status (revoked: when and why)."""
    view = _visible(request, who, lot)
    rows = service.lot_credentials(store_of(request), lot)
    if not who.is_staff:
        rows = [r for r in rows if r.issued_to == who.uscc]
    access.read(request, who, view.owner, "credentials")
    return {
        "lot": lot,
        "credentials": [
            {
                "credential_id": r.credential_id,
                "securing": r.securing,
                "issued_at": r.issued_at,
                "revoked_at": r.revoked_at,
                "revoked_reason": r.revoked_reason,
                "href": f"/credentials/{r.credential_id}",
            }
            for r in rows
        ],
    }
