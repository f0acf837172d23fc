"""Findings: the list with filters (code, severity, enterprise, year, status), one finding with
its evidence and its triage history, and the triage form (regulators and inspectors). An
enterprise user sees only the findings about its own enterprise."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.domain.findings import SEVERITIES
from reetrace.domain.triage import ACTIONS, STATUSES
from reetrace.errors import Forbidden, InvalidInput, NotFound
from reetrace.services import triage
from reetrace.services.dashboard import today
from reetrace.services.registry import current_registry
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
    view: SignedIn = Depends(signed_in),
) -> Response:
    who = view.principal
    if who.role == "enterprise":
        enterprise = who.uscc or ""
    everything = visible_findings(request, view)
    chosen = [
        f
        for f in everything
        if (not code or f.finding.code == code)
        and (not severity or f.finding.severity == severity)
        and (not enterprise or f.finding.enterprise == enterprise)
        and (not year or str(f.finding.year) == year)
        and (not status or f.status == status)
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
        chosen={"code": code, "severity": severity, "enterprise": enterprise, "year": year, "status": status},
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


@router.get("/findings/{key}")
def finding_page(request: Request, key: str, view: SignedIn = Depends(signed_in)) -> Response:
    found = one_finding(request, view, key)
    registry = current_registry(store_of(request))
    access.read(request, view.actor.principal, found.finding.enterprise)
    return view.render(
        "finding.html",
        found=found,
        enterprises=registry.enterprises,
        words=words_for(view.fmt, registry.enterprises),
        actions=ACTIONS,
        error=request.query_params.get("error"),
    )


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
    settings = request.app.state.settings
    try:
        triage.act(
            store_of(request),
            settings,
            key,
            action,
            who.username,
            note,
            assignee.strip() or None,
            actor=view.actor,
        )
    except (InvalidInput, NotFound) as exc:
        enterprises = current_registry(store_of(request)).enterprises
        return view.render(
            "finding.html",
            status_code=422,
            found=found,
            actions=ACTIONS,
            error=words_for(view.fmt, enterprises).error(exc).text,
            enterprises=enterprises,
            words=words_for(view.fmt, enterprises),
        )
    return RedirectResponse(f"/findings/{key}", status_code=303)
