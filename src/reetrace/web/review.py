"""The export review workbench (reviewers and approvers): the queue with its deadlines, one
application with its pre-review and screening hits, and the decision form. The user acts as the
official of the same name, registered on first use with the user's role."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.domain.prereview import still_blocking
from reetrace.domain.workflow import ACTIONS, OPEN, ROLES
from reetrace.errors import Forbidden, InvalidInput
from reetrace.services.applications import application_view, queue
from reetrace.services.registry import current_registry
from reetrace.services.review import add_official, list_officials, take_step
from reetrace.web import labels, listing
from reetrace.web.explanation import explain
from reetrace.web.pages import SignedIn, signed_in
from reetrace.web.words import Words, words_for

router = APIRouter(include_in_schema=False)


def reviewer(view: SignedIn = Depends(signed_in)) -> SignedIn:
    if view.principal.role not in ROLES:
        raise Forbidden(view.gettext("The review workbench is for reviewers and approvers."))
    return view


def actions_for(role: str, state: str) -> list[str]:
    """The steps a reviewer or approver may take on an application in this state."""
    return [a for a, (states, _, who) in ACTIONS.items() if who == role and state in states]


def decision_actions(
    role: str, state: str, report: dict[str, Any], cleared: set[str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """The steps to offer, and the blocking reasons that withhold approval from them: approval is
    offered only when no blocking reason stands (the rule the approval itself is refused by)."""
    actions = actions_for(role, state)
    standing = still_blocking(report, cleared) if "approve" in actions else []
    return [a for a in actions if a != "approve" or not standing], standing


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
    request: Request,
    view: SignedIn,
    number: str,
    status_code: int = 200,
    error: str | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    """The application's page; after a refused step, its form keeps what was `typed`."""
    store, settings = store_of(request), request.app.state.settings
    application = application_view(store, settings, number)
    access.read(request, view.actor.principal, application["exporter"])
    report = (application["pre_review"] or {}).get("report") or {}
    hits = [b for b in report.get("blocking", []) if b.get("hit")]
    cleared = {s["detail"].get("hit") for s in application["steps"] if s["action"] == "clear_hit"}
    enterprises = current_registry(store).enterprises
    actions, standing = decision_actions(view.principal.role, application["state"], report, cleared)
    words = words_for(view.fmt, enterprises)
    return view.render(
        "application.html",
        status_code=status_code,
        application=application,
        report=report,
        hits=hits,
        cleared=cleared,
        error=error,
        typed=typed or {},
        enterprises=enterprises,
        words=words,
        explain=lambda match: explain(match, words),
        actions=actions,
        withheld=bool(standing),
        standing_count=len(standing),
        unclearable=sum(1 for b in standing if not b.get("hit")),
        open_states=OPEN,
        items=items_of(application["application"], report),
        parse=datetime.fromisoformat,
    )


def items_of(body: dict[str, Any], report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each item as asked (lot or declared code, element, form, quantity) beside the control codes
    the pre-review classified it under."""
    classified = {row.get("item"): row for row in report.get("classification", [])}
    rows = []
    for n, item in enumerate(body.get("items", []), 1):
        row = classified.get(n, {})
        rows.append(
            {
                **item,
                "form": item.get("form") or row.get("form"),
                "codes": [c["code"] for c in row.get("controlled", [])],
                "elements": [c["element"] for c in row.get("controlled", [])],
            }
        )
    return rows


@router.get("/review/{number}")
def review_application(request: Request, number: str, view: SignedIn = Depends(reviewer)) -> Response:
    return application_page(request, view, number)


@router.post("/review/{number}/step")
def review_step(
    request: Request,
    number: str,
    action: str = Form("", max_length=32),
    why: str = Form("", max_length=5000),
    hit: str = Form("", max_length=300),
    form_token: str = Form(""),
    view: SignedIn = Depends(reviewer),
) -> Response:
    view.check_form(form_token)
    store, settings = store_of(request), request.app.state.settings
    current = application_view(store, settings, number)
    typed = {"action": action, "why": why, "hit": hit}
    if action not in actions_for(view.principal.role, current["state"]):
        return application_page(request, view, number, 422, view.gettext("This step cannot be taken now."), typed)
    try:
        done = take_step(
            store, settings, number, action, official_for(request, view), why, hit or None, actor=view.actor
        )
    except InvalidInput as exc:
        return application_page(request, view, number, 422, Words(view.fmt).error(exc).text, typed)
    return RedirectResponse(
        f"/review/{number}" + (f"?license={done.license_no}" if done.license_no else ""), status_code=303
    )
