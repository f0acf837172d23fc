"""A lot (staff): its facts, its lineage backward and forward as graphs, its origins, every
event that touched it, and its provenance certificate to download. Each read is written to the
access log with the enterprise whose lot it is."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.certificates.bundle import dumps
from reetrace.certificates.page_style import CSS
from reetrace.certificates.printable import PageWords, render_html
from reetrace.charts.lineage import LineageBox, lineage_chart
from reetrace.domain.lineage import Lineage
from reetrace.errors import InvalidInput
from reetrace.services.certify import certify, enterprise_names
from reetrace.services.credentials import lot_uri_of
from reetrace.services.dashboard import LotRecord, lot_record, today
from reetrace.services.lot_findings import blocking_around
from reetrace.services.lots import PREFIX_MAX, SHOWN, find_lots, known_lot, lot_view
from reetrace.services.triage import key_of
from reetrace.web import labels
from reetrace.web.flash import confirmation
from reetrace.web.lot_credentials import credentials_section, linkset_answer, lot_href, public_answer, wants_linkset
from reetrace.web.lot_list import lot_list
from reetrace.web.pages import Viewer, staff, viewer

router = APIRouter(include_in_schema=False)


def graph(view: Viewer, record: LotRecord, found: Lineage, backward: bool) -> str:
    t, fmt = view.gettext, view.fmt
    boxes = []
    for node in found.lots.values():
        who = labels.name_of(record.enterprises.get(node.enterprise or ""), view.language) or node.enterprise
        parts = [t(labels.LINEAGE_KIND.get(node.kind, node.kind))]
        if node.form:
            parts.append(t(labels.FORM.get(node.form, node.form)))
        if node.mass_kg is not None:
            parts.append(fmt.kg(node.mass_kg, 0))
        caption = " · ".join(parts) + (f" · {who}" if who else "")
        boxes.append(
            LineageBox(node.lot, node.depth, node.kind, caption, None if node.lot == record.lot else lot_href(node.lot))
        )
    title = t("Made from (backward trace)") if backward else t("Used for (forward trace)")
    return lineage_chart(
        boxes,
        [(e.source, e.target, e.kg) for e in found.edges],
        backward,
        {"title": title, "unit": "kg"},
        lambda v: fmt.number(v, 1),
    )


@router.get("/lots")
def find_lot(request: Request, lot: str = "", prefix: str = "", view: Viewer = Depends(staff)) -> Response:
    """Open a lot by its id; or the lots whose id begins with a prefix, above the list of every
    lot (paged, filtered, exported: reetrace.web.lot_list)."""
    store = store_of(request)
    typed, unknown = lot.strip()[:200], None
    if typed and known_lot(store, typed):
        return RedirectResponse(lot_href(typed), status_code=303)
    if typed:  # the form keeps the id, says so, and lists the lots whose id begins with it
        unknown, prefix = view.gettext("No lot has the id “%(lot)s”.") % {"lot": typed}, typed[:PREFIX_MAX]
    listed = lot_list(request, view)
    if listed["export"] is not None:
        return listed["export"]
    found: list[Any] = []
    more, error = False, None
    if prefix.strip():
        try:
            found, more = find_lots(store, prefix.strip())
        except InvalidInput:
            error = view.gettext("A lot id has at most %(n)s printable characters.") % {"n": PREFIX_MAX}
    return view.render(
        "lot_search.html",
        status_code=400 if error else 404 if unknown else 200,
        unknown=unknown,
        error=error,
        typed=typed,
        prefix=prefix.strip(),
        found=found,
        more=more,
        shown=SHOWN,
        lot_href=lot_href,
        **listed,
    )


@router.get("/lots/{lot}/certificate")
def certificate(request: Request, lot: str, view: Viewer = Depends(staff)) -> Response:
    document = certify(store_of(request), request.app.state.settings, lot)
    owner = lot_view(store_of(request), request.app.state.settings, lot).owner
    access.read(request, view.actor.principal, owner)
    filename = "certificate-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in lot) + ".json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/lots/{lot}/certificate/print")
def printable_certificate(request: Request, lot: str, view: Viewer = Depends(staff)) -> Response:
    """The certificate for people (reetrace.certificates.printable, as `reetrace certify --html`
    writes it) with its QR code; its style sheet comes from /certificates/print.css, as the
    pages' content security policy allows no inline style."""
    store, settings = store_of(request), request.app.state.settings
    document = certify(store, settings, lot)
    owner = lot_view(store, settings, lot).owner
    access.read(request, view.actor.principal, owner)
    text = dumps(document)
    names = enterprise_names(store, {e["reporter"] for e in document["events"]})
    around = blocking_around(store, settings, lot, today(settings))
    t = view.gettext
    lines = [
        " · ".join(
            x
            for x in (
                t(labels.FINDING[f.code]) if f.code in labels.FINDING else f.code,
                names.get(f.enterprise or "") or f.enterprise or "",
                f.lot or "",
            )
            if x
        )
        for f in around.upstream
    ]
    words = PageWords(
        t=t,
        form=lambda code: t(labels.FORM[code]) if code in labels.FORM else code,
        process=lambda code: t(labels.PROCESS[code]) if code in labels.PROCESS else code,
        event=lambda code: t(labels.EVENT[code]) if code in labels.EVENT else code,
        deposit=lambda code: t(labels.DEPOSIT[code]) if code in labels.DEPOSIT else code,
        lang=view.fmt.language,
    )
    page = render_html(
        document,
        names,
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
        (view.fmt.date(around.as_of), lines),
        words,
        lot_uri=lot_uri_of(store, settings, lot),
    )
    return HTMLResponse(page.replace(f"<style>{CSS}</style>", f'<link rel="stylesheet" href="{PRINT_CSS}">'))


PRINT_CSS = "/certificates/print.css"


# after the certificate's routes, which match first: a lot id may hold "/" (sent as %2F)
@router.get("/lots/{lot:path}")
def lot_page(request: Request, lot: str, view: Viewer = Depends(viewer)) -> Response:
    """The lot's URI: its linkset when asked for one; the staff's page of the lot; to anyone
    else, its credential's verify page (reetrace.web.lot_credentials)."""
    if wants_linkset(request):
        return linkset_answer(request, lot)
    if view.principal is None or not view.principal.is_staff:
        return public_answer(request, view, lot)
    store, settings = store_of(request), request.app.state.settings
    record = lot_record(store, settings, lot)
    owner = lot_view(store, settings, lot).owner
    access.read(request, view.actor.principal, owner)
    origins = sorted(record.backward["origins"], key=lambda o: -o["reo_kg"])
    return view.render(
        "lot.html",
        record=record,
        origins=origins,
        blocking=blocking_around(store, settings, record.lot, today(settings)),
        key_of=key_of,
        lot_href=lot_href,
        backward_chart=graph(view, record, record.backward_graph, True),
        forward_chart=graph(view, record, record.forward_graph, False),
        flash=confirmation(request),
        **credentials_section(request, view, record.lot),
    )


@router.get(PRINT_CSS)
def printable_style() -> Response:
    return Response(CSS, media_type="text/css")
