"""The lots as a list (staff), below the lot search: every lot as created, paged by the store,
sorted, filtered by form, enterprise, province and the day it was made, searched by the
beginning of its id or the maker's name, exported. Reading it is written down with its filter;
its export is the same list as a file."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.services import lists
from reetrace.services.registry import current_registry
from reetrace.web import labels, listing
from reetrace.web.pages import Viewer

LOTS = listing.ListSpec(
    sorts=("created", "lot", "mass", "enterprise", "form"),
    filters=("form", "enterprise", "province"),
    search=True,
    dates=True,
    descending=True,
)


def lot_list(request: Request, view: Viewer) -> dict[str, Any]:
    """The list's context for the page (or, when an export is asked for, `export` holds it)."""
    lq = listing.parse(request, LOTS, view.gettext)
    store = store_of(request)
    rows, total = lists.lots(
        store,
        lq.value("form") or None,
        lq.value("enterprise") or None,
        lq.value("province") or None,
        listing.window(lq),
    )
    listing.check_export(lq, total, view.gettext)
    enterprises = current_registry(store).enterprises
    access.read(request, view.who, lq.value("enterprise") or None)
    t = view.gettext

    def name(uscc: str) -> str:
        return labels.name_of(enterprises.get(uscc), view.language) or uscc

    export = None
    if lq.export:
        export = listing.export(
            "lots",
            [t("Lot"), t("Form"), t("Mass (kg)"), t("Enterprise"), t("USCC"), t("Made (UTC+8)")],
            (
                [
                    r.lot,
                    t(labels.FORM.get(r.form, r.form)),
                    r.mass_kg,
                    name(r.reporter),
                    r.reporter,
                    view.fmt.moment(r.time),
                ]
                for r in rows
            ),
            lq.export,
        )
    return {
        "export": export,
        "pages": listing.Pages(rows, total, lq),
        "lq": lq,
        "enterprises": enterprises,
        "provinces": sorted({e.province for e in enterprises.values() if e.province}),
        "forms": labels.FORM,
    }
