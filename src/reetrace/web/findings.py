"""Findings: the list with filters (code, severity, enterprise, year, status, assigned to me),
one finding with its evidence and its triage history, and the triage forms (regulators and
inspectors): an internal action (assign to a user who triages, confirm, dismiss, note) and,
apart, a message to the enterprise. Each form answers with the page again and a confirmation
(post/redirect/get), or with its error and what was typed. An enterprise user sees only the
findings about its own enterprise and, of their triage, only the messages written to it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.domain.findings import SEVERITIES
from reetrace.domain.triage import ACTIONS, STATUSES, TO_ENTERPRISE
from reetrace.errors import Forbidden, InvalidInput, NotFound
from reetrace.services import triage
from reetrace.services.dashboard import today
from reetrace.services.registry import current_registry
from reetrace.web.flash import confirmation, done
from reetrace.web.pages import SignedIn, signed_in
from reetrace.web.words import words_for

router = APIRouter(include_in_schema=False)
SHOWN = 500


def visible_findings(request: Request, view: SignedIn) -> list[triage.TriagedFinding]:
    settings = request.app.state.settings
    found = triage.triaged_findings(store_of(request), settings, today(settings))
    return [f for f in found if view.principal.sees(f.finding.enterprise)]


@router.get("/findings")
def findings_page(
    request: Request,
    code: str = "",
    severity: str = "",
    enterprise: str = "",
    year: str = "",
    status: str = "",
    mine: str = "",
    view: SignedIn = Depends(signed_in),
) -> Response:
    who = view.principal
    if who.role == "enterprise":
        enterprise = who.uscc or ""
    mine = "1" if mine and who.may("triage") else ""
    everything = visible_findings(request, view)
    chosen = [
        f
        for f in everything
        if (not code or f.finding.code == code)
        and (not severity or f.finding.severity == severity)
        and (not enterprise or f.finding.enterprise == enterprise)
        and (not year or str(f.finding.year) == year)
        and (not status or f.status == status)
        and (not mine or f.assignee == who.username)
    ]
    chosen.sort(
        key=lambda f: (
            SEVERITIES.index(f.finding.severity) if f.finding.severity in SEVERITIES else 9,
            f.finding.code,
            f.finding.enterprise or "",
            f.key,
        )
    )
    registry = current_registry(store_of(request))
    access.read(request, who, enterprise or None)
    return view.render(
        "findings.html",
        findings=chosen[:SHOWN],
        total=len(chosen),
        shown=SHOWN,
        enterprises=registry.enterprises,
        codes=sorted({f.finding.code for f in everything}),
        severities=SEVERITIES,
        statuses=STATUSES,
        years=sorted({f.finding.year for f in everything if f.finding.year}, reverse=True),
        chosen={
            "code": code,
            "severity": severity,
            "enterprise": enterprise,
            "year": year,
            "status": status,
            "mine": mine,
        },
    )


def one_finding(request: Request, view: SignedIn, key: str) -> triage.TriagedFinding:
    settings = request.app.state.settings
    who = view.principal
    unseen = NotFound(view.gettext("No such finding, or not one you may see."))  # the same either way
    try:
        found = triage.triaged_finding(store_of(request), settings, key, today(settings))
    except NotFound:
        if not who.is_staff:  # an enterprise's attempt is written down whether the finding exists or not
            access.refused(request, who, None)
        raise unseen from None
    if not who.sees(found.finding.enterprise):
        access.refused(request, who, found.finding.enterprise)
        raise unseen
    return found


def _finding_page(
    request: Request,
    view: SignedIn,
    found: triage.TriagedFinding,
    status_code: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """The finding's page; after a refused triage form, its `error` beside that form, filled in
    again with what was typed (`form`)."""
    staff = view.principal.may("triage")
    enterprises = current_registry(store_of(request)).enterprises
    return view.render(
        "finding.html",
        status_code=status_code,
        found=found,
        enterprises=enterprises,
        words=words_for(view.fmt, enterprises),
        actions=[a for a in ACTIONS if a not in TO_ENTERPRISE],
        triagers=triage.triagers(store_of(request)) if staff else [],
        error=error,
        form=form or {},
        flash=confirmation(request),
    )


@router.get("/findings/{key}")
def finding_page(request: Request, key: str, view: SignedIn = Depends(signed_in)) -> Response:
    found = one_finding(request, view, key)
    access.read(request, view.actor.principal, found.finding.enterprise)
    return _finding_page(request, view, found)


@router.post("/findings/{key}/triage")
def triage_finding(
    request: Request,
    key: str,
    action: str = Form(""),
    note: str = Form(""),
    assignee: str = Form(""),
    form_token: str = Form(""),
    view: SignedIn = Depends(signed_in),
) -> Response:
    view.check_form(form_token)
    who = view.principal
    if not who.may("triage"):
        raise Forbidden(view.gettext("Only regulators and inspectors triage findings."))
    found = one_finding(request, view, key)
    assignee = assignee.strip()
    try:
        triage.act(
            store_of(request),
            request.app.state.settings,
            key,
            action,
            who.username,
            note,
            (assignee or None) if action == "assign" else None,
            actor=view.actor,
        )
    except (InvalidInput, NotFound) as exc:
        typed = {"action": action, "note": note, "assignee": assignee}
        said = words_for(view.fmt, current_registry(store_of(request)).enterprises).error(exc).text
        return _finding_page(request, view, found, 422, said, typed)
    return done(f"/findings/{key}", action if action in ACTIONS else "note", "#triage")
