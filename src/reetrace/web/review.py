"""The export review workbench (reviewers and approvers): the queue with its deadlines, one
application with its pre-review and screening hits, and the decision form. The user acts as the
official of the same name, registered on first use with the user's role."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.domain.workflow import ACTIONS, OPEN, ROLES
from reetrace.errors import Forbidden, InvalidInput
from reetrace.services.applications import application_view, queue
from reetrace.services.registry import current_registry
from reetrace.services.review import add_official, list_officials, take_step
from reetrace.web import labels, listing
from reetrace.web.pages import SignedIn, signed_in

router = APIRouter(include_in_schema=False)


def reviewer(view: SignedIn = Depends(signed_in)) -> SignedIn:
    if view.principal.role not in ROLES:
        raise Forbidden(view.gettext("The review workbench is for reviewers and approvers."))
    return view


def actions_for(role: str, state: str) -> list[str]:
    """The steps a reviewer or approver may take on an application in this state."""
    return [a for a, (states, _, who) in ACTIONS.items() if who == role and state in states]


def official_for(request: Request, view: SignedIn) -> str:
    """The official the user acts as (its username), registered now if it is not yet."""
    actor = view.actor
    store = store_of(request)
    if all(o.name != actor.username for o in list_officials(store)):
        try:
            add_official(store, actor.username, [actor.role], None, actor=actor)
        except InvalidInput:  # registered meanwhile by another request
            pass
    return actor.username


QUEUE = listing.ListSpec(
    sorts=("queue", "submitted", "applicant", "deadline", "state", "number"),
    filters=("state", "applicant", "destination"),
    search=True,
    dates=True,
)


@router.get("/review")
def queue_page(request: Request, view: SignedIn = Depends(reviewer)) -> Response:
    lq = listing.parse(request, QUEUE, view.gettext)
    store, settings = store_of(request), request.app.state.settings
    enterprises = current_registry(store).enterprises
    t = view.gettext

    def name(uscc: str) -> str:
        return labels.name_of(enterprises.get(uscc), view.language) or uscc

    needle = lq.q.casefold()
    entries = [
        e
        for e in queue(store, settings, state=lq.value("state") or None, exporter=lq.value("applicant") or None)
        if (not lq.value("destination") or e.destination == lq.value("destination"))
        and lq.in_range(e.submitted_at)
        and (not needle or any(needle in v.casefold() for v in (e.number, name(e.exporter), e.exporter)))
    ]
    far = date.max
    pages = listing.in_memory(
        entries,
        lq,
        {
            "queue": lambda e: 0,  # the service's order: open first, the nearest deadline first
            "submitted": lambda e: e.submitted_at,
            "applicant": lambda e: name(e.exporter),
            "deadline": lambda e: e.clock.due if e.clock and e.clock.due and e.state in OPEN else far,
            "state": lambda e: e.state,
            "number": lambda e: e.number,
        },
    )
    listing.check_export(lq, pages.total, view.gettext)
    access.read(request, view.actor.principal)
    if lq.export:
        return listing.export(
            "applications",
            [
                t("Application"),
                t("Submitted"),
                t("Applicant"),
                t("USCC"),
                t("Destination"),
                t("State"),
                t("Decision due"),
            ],
            (
                [
                    e.number,
                    view.fmt.moment(e.submitted_at),
                    name(e.exporter),
                    e.exporter,
                    e.destination,
                    t(labels.APPLICATION_STATE.get(e.state, e.state)),
                    e.clock.due.isoformat() if e.clock and e.clock.due and e.state in OPEN else "",
                ]
                for e in pages.items
            ),
            lq.export,
        )
    return view.render(
        "review_queue.html",
        pages=pages,
        lq=lq,
        enterprises=enterprises,
        open_states=OPEN,
        destinations=sorted({e.destination for e in entries}),
    )


def application_page(
    request: Request, view: SignedIn, number: str, status_code: int = 200, error: str | None = None
) -> Response:
    store, settings = store_of(request), request.app.state.settings
    application = application_view(store, settings, number)
    access.read(request, view.actor.principal, application["exporter"])
    report = (application["pre_review"] or {}).get("report") or {}
    hits = [b for b in report.get("blocking", []) if b.get("hit")]
    cleared = {s["detail"].get("hit") for s in application["steps"] if s["action"] == "clear_hit"}
    return view.render(
        "application.html",
        status_code=status_code,
        application=application,
        report=report,
        hits=hits,
        cleared=cleared,
        error=error,
        enterprises=current_registry(store).enterprises,
        actions=actions_for(view.principal.role, application["state"]),
        parse=datetime.fromisoformat,
    )


@router.get("/review/{number}")
def review_application(request: Request, number: str, view: SignedIn = Depends(reviewer)) -> Response:
    return application_page(request, view, number)


@router.post("/review/{number}/step")
def review_step(
    request: Request,
    number: str,
    action: str = Form(""),
    why: str = Form(""),
    hit: str = Form(""),
    form_token: str = Form(""),
    view: SignedIn = Depends(reviewer),
) -> Response:
    view.check_form(form_token)
    store, settings = store_of(request), request.app.state.settings
    current = application_view(store, settings, number)
    if action not in actions_for(view.principal.role, current["state"]):
        return application_page(request, view, number, 422, view.gettext("This step cannot be taken now."))
    try:
        done = take_step(
            store, settings, number, action, official_for(request, view), why, hit or None, actor=view.actor
        )
    except InvalidInput as exc:
        return application_page(request, view, number, 422, str(exc))
    return RedirectResponse(
        f"/review/{number}" + (f"?license={done.license_no}" if done.license_no else ""), status_code=303
    )
