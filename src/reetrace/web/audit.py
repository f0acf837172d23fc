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
# a registry change as the access log writes it down (services.registry: "registry load", with
# the count of each kind loaded), said in the reader's language
REGISTRY_CHANGES = {"registry load": _("registry document loaded")}
REGISTRY_KINDS = {
    "enterprises": _("enterprises: %(n)s"),
    "qualifications": _("qualifications: %(n)s"),
    "keys": _("signing keys: %(n)s"),
    "sites": _("sites: %(n)s"),
    "quotas": _("quotas: %(n)s"),
    "licenses": _("licenses: %(n)s"),
}


def registry_change(what: str, detail: str | None, view: SignedIn) -> tuple[str, str, str]:
    """(what, detail, the detail's language) of a registry change: by name and count of each
    kind loaded; a detail of another shape as it was written (English)."""
    t = view.gettext
    named = t(REGISTRY_CHANGES[what]) if what in REGISTRY_CHANGES else what
    parts = [part.split(" ", 1) for part in (detail or "").split(", ") if part]
    if parts and all(len(p) == 2 and p[0].isdigit() and p[1] in REGISTRY_KINDS for p in parts):
        sep = "、" if view.fmt.language == "zh-Hans" else ", "
        said = sep.join(t(REGISTRY_KINDS[kind]) % {"n": view.fmt.number(int(n))} for n, kind in parts)
        return named, said, view.fmt.language
    return named, detail or "—", "en" if detail else view.fmt.language


def auditor(view: SignedIn = Depends(signed_in)) -> SignedIn:
    if not may_read_log(view.principal):
        raise Forbidden(view.gettext("The audit records are for auditors and regulators."))
    return view


@router.get("/audit")
def audit_page(request: Request, view: SignedIn = Depends(auditor)) -> Response:
    state = lists.log_state(store_of(request), view.principal)
    access.read(request, view.principal)
    registry = {r.id: registry_change(r.what, r.detail, view) for r in state.registry_changes}
    return view.render("audit.html", state=state, control_actions=CONTROL_ACTIONS, registry=registry)


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
