"""Findings: the list (paged, sorted, filtered by code, severity, enterprise, province, year,
status, the day of its event and "assigned to me", searched by enterprise name or lot, exported),
one finding with its evidence and its triage history, and the triage forms (regulators and
inspectors): an internal action (assign to a user who triages, confirm, dismiss, note) and,
apart, a message to the enterprise. Each form answers with the page again and a confirmation
(post/redirect/get), or with its error and what was typed. An enterprise user sees only the
findings about its own enterprise and, of their triage, only the messages written to it."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.domain.findings import SEVERITIES
from reetrace.domain.triage import ACTIONS, STATUSES, TO_ENTERPRISE
from reetrace.errors import Forbidden, InvalidInput, NotFound
from reetrace.services import lists, triage
from reetrace.services.dashboard import today
from reetrace.services.registry import current_registry
from reetrace.web import labels, listing
from reetrace.web.flash import confirmation, done
from reetrace.web.pages import SignedIn, signed_in
from reetrace.web.words import words_for

router = APIRouter(include_in_schema=False)


def visible_findings(request: Request, view: SignedIn) -> list[triage.TriagedFinding]:
    settings = request.app.state.settings
    found = triage.triaged_findings(store_of(request), settings, today(settings))
    return [f for f in found if view.principal.sees(f.finding.enterprise)]


FINDINGS = listing.ListSpec(
    sorts=("severity", "code", "enterprise", "year", "lot", "status"),
    filters=("code", "severity", "enterprise", "province", "year", "status"),
    search=True,
    dates=True,
)


def _severity_rank(f: triage.TriagedFinding) -> int:
    return SEVERITIES.index(f.finding.severity) if f.finding.severity in SEVERITIES else 9


def _event_of(f: triage.TriagedFinding) -> tuple[str, str] | None:
    """The (reporter, event id) a finding is about, when it is about one event."""
    reporter, _, event_id = (f.finding.event or "").partition(":")
    return (reporter, event_id) if event_id else None


def _dated(request: Request, chosen: list[triage.TriagedFinding], lq: listing.ListQuery) -> list[triage.TriagedFinding]:
    """The findings whose day falls in the range: the day of the event it is about, or for a
    finding about a period, any day of its year."""
    if lq.since is None and lq.until is None:
        return chosen
    events = [e for f in chosen if (e := _event_of(f)) is not None]
    times = lists.event_times(store_of(request), events)
    kept = []
    for f in chosen:
        event = _event_of(f)
        if event is not None:
            if lq.in_range(times.get(event)):
                kept.append(f)
        elif f.finding.year is not None:
            first, last = date(f.finding.year, 1, 1), date(f.finding.year, 12, 31)
            if (lq.since is None or last >= lq.since) and (lq.until is None or first <= lq.until):
                kept.append(f)
    return kept


@router.get("/findings")
def findings_page(request: Request, view: SignedIn = Depends(signed_in)) -> Response:
    lq = listing.parse(request, FINDINGS, view.gettext)
    who = view.principal
    enterprise = who.uscc or "" if who.role == "enterprise" else lq.value("enterprise")
    mine = "1" if request.query_params.get("mine") and who.may("triage") else ""
    registry = current_registry(store_of(request))
    everything = visible_findings(request, view)
    province, needle = lq.value("province"), lq.q.casefold()

    def name(uscc: str | None) -> str:
        return labels.name_of(registry.enterprises.get(uscc or ""), view.language) or uscc or ""

    def matches(f: triage.TriagedFinding) -> bool:
        e = registry.enterprises.get(f.finding.enterprise or "")
        names = (e.name, e.name_en or "", e.uscc) if e else (f.finding.enterprise or "",)
        return any(needle in n.casefold() for n in (*names, f.finding.lot or ""))

    chosen = [
        f
        for f in everything
        if (not lq.value("code") or f.finding.code == lq.value("code"))
        and (not lq.value("severity") or f.finding.severity == lq.value("severity"))
        and (not enterprise or f.finding.enterprise == enterprise)
        and (
            not province or getattr(registry.enterprises.get(f.finding.enterprise or ""), "province", None) == province
        )
        and (not lq.value("year") or str(f.finding.year) == lq.value("year"))
        and (not lq.value("status") or f.status == lq.value("status"))
        and (not mine or f.assignee == who.username)
        and (not needle or matches(f))
    ]
    chosen = _dated(request, chosen, lq)
    chosen.sort(key=lambda f: (_severity_rank(f), f.finding.code, f.finding.enterprise or "", f.key))
    pages = listing.in_memory(
        chosen,
        lq,
        {
            "severity": _severity_rank,
            "code": lambda f: f.finding.code,
            "enterprise": lambda f: name(f.finding.enterprise),
            "year": lambda f: f.finding.year or 0,
            "lot": lambda f: f.finding.lot or "",
            "status": lambda f: f.status,
        },
    )
    listing.check_export(lq, pages.total, view.gettext)
    access.read(request, who, enterprise or None)
    if lq.export:
        t = view.gettext
        return listing.export(
            "findings",
            [t("Severity"), t("Code"), t("Finding"), t("Enterprise"), t("USCC"), t("Year"), t("Lot"), t("Status")],
            (
                [
                    t(labels.SEVERITY.get(f.finding.severity, f.finding.severity)),
                    f.finding.code,
                    t(labels.FINDING.get(f.finding.code, f.finding.code)),
                    name(f.finding.enterprise),
                    f.finding.enterprise,
                    f.finding.year,
                    f.finding.lot,
                    t(labels.TRIAGE_STATUS.get(f.status, f.status)),
                ]
                for f in pages.items
            ),
            lq.export,
        )
    return view.render(
        "findings.html",
        pages=pages,
        lq=lq,
        enterprises=registry.enterprises,
        provinces=sorted({e.province for e in registry.enterprises.values() if e.province}),
        codes=sorted({f.finding.code for f in everything}),
        severities=SEVERITIES,
        statuses=STATUSES,
        years=sorted({f.finding.year for f in everything if f.finding.year}, reverse=True),
        mine=mine,
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
