"""A lot (staff): its facts, its lineage backward and forward as graphs, its origins, every
event that touched it, and its provenance certificate to download. Each read is written to the
access log with the enterprise whose lot it is."""

from __future__ import annotations

import json
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.charts.lineage import LineageBox, lineage_chart
from reetrace.domain.lineage import Lineage
from reetrace.services.certify import certify
from reetrace.services.dashboard import LotRecord, lot_record
from reetrace.services.lots import lot_view
from reetrace.web import labels
from reetrace.web.lot_list import lot_list
from reetrace.web.pages import Viewer, staff

router = APIRouter(include_in_schema=False)


def lot_href(lot: str) -> str:
    return "/lots/" + quote(lot, safe="")


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
def find_lot(request: Request, lot: str = "", view: Viewer = Depends(staff)) -> Response:
    if lot.strip():
        return RedirectResponse(lot_href(lot.strip()), status_code=303)
    listed = lot_list(request, view)
    if listed["export"] is not None:
        return listed["export"]
    return view.render("lot_search.html", **listed)


@router.get("/lots/{lot}")
def lot_page(request: Request, lot: str, view: Viewer = Depends(staff)) -> Response:
    record = lot_record(store_of(request), request.app.state.settings, lot)
    owner = lot_view(store_of(request), request.app.state.settings, lot).owner
    access.read(request, view.actor.principal, owner)
    origins = sorted(record.backward["origins"], key=lambda o: -o["reo_kg"])
    return view.render(
        "lot.html",
        record=record,
        origins=origins,
        lot_href=lot_href,
        backward_chart=graph(view, record, record.backward_graph, True),
        forward_chart=graph(view, record, record.forward_graph, False),
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
