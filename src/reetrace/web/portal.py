"""The enterprise portal: upload a signed monthly submission (received as every submission is,
by `services.submit`), see the submissions accepted and rejected with their reasons, the
enterprise's own findings and the inspectors' messages on them, its license applications with
their state and deadline (filed, answered and withdrawn through `web.portal_applications`), and
its quota use when it holds a quota. Everything is filtered by the user's own USCC; a file
reporting for another enterprise is refused, and recorded as a rejection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from reetrace.api.security import store_of
from reetrace.charts.quota_use import QuotaBar, quota_chart
from reetrace.config import Settings
from reetrace.domain.applications import DOCUMENT_KINDS
from reetrace.domain.workflow import OPEN
from reetrace.services import applications
from reetrace.services.dashboard import enterprise_overview, latest_year
from reetrace.services.ingest import IngestReport
from reetrace.services.intake import CHUNK, read_stream
from reetrace.services.submit import ForeignReporter, receive_submission
from reetrace.store.database import Store
from reetrace.web import labels
from reetrace.web.findings import visible_findings
from reetrace.web.flash import confirmation
from reetrace.web.pages import EnterpriseViewer, enterprise_user
from reetrace.web.words import words_for

router = APIRouter(include_in_schema=False)


def portal(
    request: Request,
    view: EnterpriseViewer,
    status_code: int = 200,
    report: IngestReport | None = None,
    error: str | None = None,
    filename: str | None = None,
    **forms: Any,
) -> Response:
    """The portal; `forms`: a refused application form's error (`application_error`,
    `answer_error`, `withdraw_error`) and what was typed in it (`typed`)."""
    t, fmt = view.gettext, view.fmt
    store, settings = store_of(request), request.app.state.settings
    uscc = view.uscc
    year = latest_year(store, settings)
    overview = enterprise_overview(store, settings, uscc, year)
    bars = [
        QuotaBar(
            f"{t(labels.QUOTA_KIND.get(q.kind, q.kind))} · {t(labels.DEPOSIT.get(q.category, q.category))}",
            q.quota_tonnes,
            q.used_tonnes,
        )
        for q in overview.quota
    ]
    chart = (
        None
        if not bars
        else quota_chart(
            bars,
            {
                "title": t("Quota use in %(year)s") % {"year": year},
                "unit": t("tonnes REO"),
                "used": t("used"),
                "quota": t("quota"),
                "none": t("No quota of this enterprise in this year."),
            },
            lambda v: fmt.number(v, 0),
        )
    )
    findings = visible_findings(request, view)
    messages = sorted(
        ((m, f) for f in findings for m in f.messages), key=lambda pair: (pair[0].at, pair[1].key), reverse=True
    )
    own = applications.queue(store, settings, applicant=uscc)
    questions = {e.number: _question(store, settings, e.number, uscc) for e in own if e.state == "info_requested"}
    return view.render(
        "portal.html",
        status_code=status_code,
        overview=overview,
        quota_chart=chart,
        findings=findings,
        report=report,
        words=words_for(fmt, {uscc: overview.enterprise}),
        error=error,
        filename=filename,
        name_of=Path,
        messages=messages,
        applications=own,
        questions=questions,
        open_states=OPEN,
        document_kinds=DOCUMENT_KINDS,
        flash=confirmation(request),
        application_error=forms.get("application_error"),
        answer_error=forms.get("answer_error"),
        withdraw_error=forms.get("withdraw_error"),
        typed=forms.get("typed") or {},
    )


def _question(store: Store, settings: Settings, number: str, uscc: str) -> str:
    """What the reviewer asked for, in the latest request for information."""
    steps = applications.application_view(store, settings, number, applicant=uscc)["steps"]
    return next((s["why"] for s in reversed(steps) if s["action"] == "request_info"), "")


@router.get("/portal")
def portal_page(request: Request, view: EnterpriseViewer = Depends(enterprise_user)) -> Response:
    return portal(request, view)


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


@router.post("/portal/submissions")
async def upload(
    request: Request,
    submission: UploadFile = File(...),
    form_token: str = Form(""),
    view: EnterpriseViewer = Depends(enterprise_user),
) -> Response:
    view.check_form(form_token)
    uscc = view.uscc
    filename = Path(submission.filename or "").name or "submission.json"
    delivery = await read_stream(f"portal/{uscc}/{filename}", _chunks(submission))  # never held whole beyond the bound
    store, settings = store_of(request), request.app.state.settings
    try:
        received = await run_in_threadpool(
            receive_submission, store, settings, delivery, view.actor, "POST /portal/submissions", uscc
        )
    except ForeignReporter:
        return portal(
            request,
            view,
            403,
            filename=filename,
            error=view.gettext("This file reports for another enterprise; you may submit only for your own."),
        )
    report = received.report
    return portal(request, view, 200 if not report.rejected else 422, report=report, filename=filename)
