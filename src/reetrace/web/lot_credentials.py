"""A lot's URI and its credentials (contract §11, docs/credentials.md "The lot's URI").

The lot's URI is `/lots/{lot}` (the lot percent-encoded) or, when its maker registered a GTIN
for its form, the GS1 Digital Link `/01/{GTIN}/10/{lot}`. What a GET on it answers:

- asked for `application/linkset+json`: the lot's linkset (RFC 9264), for anyone; a lot with no
  credential is not found (JSON);
- the regulator's staff: the staff's lot page (from a Digital Link, a redirect to it);
- anyone else: the verify page of the lot's newest credential. A lot without one answers as it
  always did — the login page, or the refusal of a page for staff — and a Digital Link as a
  page not found, so that nothing is told of lots nobody asked a credential for.

A Digital Link whose GTIN is not the lot's — neither the one its newest credential's URI carries
nor the one its maker registers now — is not found.

On the staff's lot page: the lot's credentials, and for the staff who may issue one
(`api.routes.credentials.ISSUERS`) the form that does, through `services.credentials.issue`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from reetrace.api.errors import error_body
from reetrace.api.routes.credentials import ISSUERS, lot_linkset, wants_linkset
from reetrace.api.security import store_of
from reetrace.credentials.digital_link import parse_lot_uri
from reetrace.domain.accounts import Principal
from reetrace.errors import Forbidden, NotFound, UsageError
from reetrace.services import credentials as service
from reetrace.store.credentials_repo import CredentialRow
from reetrace.web import labels
from reetrace.web.flash import done
from reetrace.web.pages import LoginRequired, SignedIn, Viewer, staff, viewer
from reetrace.web.verify import credential_page, public_viewer

router = APIRouter(include_in_schema=False)


def lot_href(lot: str) -> str:
    return "/lots/" + quote(lot, safe="")


def newest_credential(request: Request, lot: str) -> CredentialRow | None:
    try:
        return service.lot_credential(store_of(request), lot)
    except NotFound:
        return None


def linkset_answer(request: Request, lot: str) -> Response:
    """The lot's linkset; a lot without a credential is not found, in the API's JSON shape."""
    try:
        return lot_linkset(request, lot)
    except NotFound as exc:
        return JSONResponse(error_body("not_found", str(exc)), status_code=404)


def public_answer(request: Request, view: Viewer, lot: str) -> Response:
    """`/lots/{lot}` for anyone but the staff: the verify page of its newest credential, else
    what the staff's page answers them (log in; or, signed in, the refusal)."""
    row = newest_credential(request, lot)
    if row is not None:
        return credential_page(request, public_viewer(request, view.principal), row)
    if view.principal is None:
        raise LoginRequired(view.gettext("Please log in."))
    raise Forbidden(view.gettext("This page is for the regulator's staff."))


@router.get("/01/{gtin}/10/{lot:path}")
def digital_link(request: Request, gtin: str, lot: str, view: Viewer = Depends(viewer)) -> Response:
    """The lot's URI as a GS1 Digital Link (GTIN, then batch/lot)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    try:
        named, key = parse_lot_uri(raw.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        named, key = "", None
    is_staff = view.principal is not None and view.principal.is_staff
    row = newest_credential(request, named) if named else None
    if key is None or (row is None and not is_staff) or key not in _gtins(request, named, row):
        if wants_linkset(request):
            return JSONResponse(error_body("not_found", "no lot has this URI"), status_code=404)
        raise NotFound(view.gettext("No lot has this address."))
    if wants_linkset(request):
        return linkset_answer(request, named)
    if is_staff:
        return RedirectResponse(lot_href(named), status_code=303)
    assert row is not None
    return credential_page(request, public_viewer(request, view.principal), row)


def _gtins(request: Request, lot: str, row: CredentialRow | None) -> set[str]:
    """The GTINs (14 digits) that name lot `lot`: its newest credential's, its maker's now."""
    uris = [service.lot_uri_of(store_of(request), request.app.state.settings, lot)]
    if row is not None:
        subject = row.document.get("credentialSubject")
        if isinstance(subject, dict) and isinstance(subject.get("id"), str):
            uris.append(subject["id"])
    found = set()
    for uri in uris:
        try:
            named, gtin = parse_lot_uri(urlsplit(uri).path)
        except ValueError:
            continue
        if named == lot and gtin is not None:
            found.add(gtin)
    return found


# -- on the staff's lot page ---------------------------------------------------------------


@dataclass(frozen=True)
class IssuedLine:
    credential_id: str
    issued_at: str
    issued_by: str
    securing: str
    revoked_at: str | None
    reasons: list[str]  # the blocking findings a revocation names, by name


def credentials_section(request: Request, view: Viewer, lot: str) -> dict[str, Any]:
    """The lot's credentials as the staff's lot page lists them, and whether the form is shown."""
    rows = service.lot_credentials(store_of(request), lot)
    lines = []
    for r in rows:
        found = (r.revoked_reason or {}).get("findings") or []
        codes = sorted({str(f.get("code")) for f in found if isinstance(f, dict) and f.get("code")})
        names = [view.gettext(labels.FINDING[c]) if c in labels.FINDING else c for c in codes]
        lines.append(IssuedLine(r.credential_id, r.issued_at, r.issued_by, r.securing, r.revoked_at, names))
    return {"credentials": lines, "may_issue": may_issue(view.principal), "securings": service.SECURINGS}


def may_issue(who: Principal | None) -> bool:
    return who is not None and who.is_staff and who.role in ISSUERS


@router.post("/lots/{lot:path}/credentials")
def issue_credential(
    request: Request,
    lot: str,
    securing: str = Form("di"),
    form_token: str = Form(""),
    view: SignedIn = Depends(staff),
) -> Response:
    """Issue the lot's provenance credential from its page; back to the page, which lists it."""
    view.check_form(form_token)
    if not may_issue(view.principal):
        raise Forbidden(view.gettext("Your role may not issue provenance credentials."))
    if securing not in service.SECURINGS:
        raise UsageError(view.gettext("Choose how the credential is secured: di or jwt."))
    service.issue(
        store_of(request),
        request.app.state.settings,
        lot,
        securing,
        actor=view.actor,
        issued_by=view.principal.username,
    )
    return done(lot_href(lot), "issued", "#credentials")
