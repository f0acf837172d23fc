"""The auditor's view (auditors and regulators, read-only): the access log browsed by user,
enterprise, action and day, paged and exported; the transparency log's checkpoints and state;
the change history of the control list and of the registry. Every read is itself written down,
with its filter."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.errors import Forbidden
from reetrace.services import lists
from reetrace.services.access_log import may_read_log
from reetrace.services.registry import current_registry
from reetrace.web import labels, listing
from reetrace.web.i18n import _
from reetrace.web.pages import SignedIn, signed_in

router = APIRouter(include_in_schema=False)
ACCESS_LOG = listing.ListSpec(
    sorts=("at", "user", "action", "enterprise"),
    filters=("user", "enterprise", "action"),
    search=True,
    dates=True,
    descending=True,
)
# an entry's action and a control-list change's action, as the pages name them
ACTIONS = {
    "read": _("read"),
    "change": _("change"),
    "refused": _("refused"),
    "login": _("logged in"),
    "login_failed": _("login failed"),
    "logout": _("logged out"),
    "locked": _("locked"),
}
CONTROL_ACTIONS = {"add": _("added to the list"), "suspend": _("suspended"), "end": _("taken off the list")}


def auditor(view: SignedIn = Depends(signed_in)) -> SignedIn:
    if not may_read_log(view.principal):
        raise Forbidden(view.gettext("The audit records are for auditors and regulators."))
    return view


@router.get("/audit")
def audit_page(request: Request, view: SignedIn = Depends(auditor)) -> Response:
    state = lists.log_state(store_of(request), view.principal)
    access.read(request, view.principal)
    return view.render("audit.html", state=state, control_actions=CONTROL_ACTIONS)


@router.get("/audit/access-log")
def access_log_page(request: Request, view: SignedIn = Depends(auditor)) -> Response:
    lq = listing.parse(request, ACCESS_LOG, view.gettext)
    store = store_of(request)
    rows, total = lists.access_entries(
        store,
        view.principal,
        lq.value("user") or None,
        lq.value("enterprise") or None,
        lq.value("action") or None,
        listing.window(lq),
    )
    listing.check_export(lq, total, view.gettext)
    enterprises = current_registry(store).enterprises
    access.read(request, view.principal, lq.value("enterprise") or None)
    t = view.gettext
    if lq.export:
        return listing.export(
            "access-log",
            [
                t("Time (UTC+8)"),
                t("User"),
                t("Role"),
                t("Action"),
                t("What"),
                t("Enterprise"),
                t("Detail"),
                t("Channel"),
                t("Client"),
            ],
            (
                [
                    view.fmt.moment(r.at),
                    r.username,
                    t(labels.ROLE[r.role]) if r.role in labels.ROLE else r.role,
                    t(ACTIONS.get(r.action, r.action)),
                    r.what,
                    r.enterprise,
                    r.detail,
                    r.channel,
                    r.client or r.os_user,
                ]
                for r in rows
            ),
            lq.export,
        )
    return view.render(
        "access_log.html",
        pages=listing.Pages(rows, total, lq),
        lq=lq,
        enterprises=enterprises,
        actions=ACTIONS,
    )
