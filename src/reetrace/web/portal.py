"""The enterprise portal: upload a signed monthly submission (the same ingest as the CLI), see
the submissions accepted and rejected with their reasons, the enterprise's own findings and its
quota use. Everything is filtered by the user's own USCC; a file reporting for another
enterprise is refused before it reaches the ledger."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from reetrace.api.security import store_of
from reetrace.charts.quota_use import QuotaBar, quota_chart
from reetrace.services.accounts import record_access
from reetrace.services.dashboard import enterprise_overview, latest_year
from reetrace.services.ingest import IngestReport, ingest
from reetrace.web import labels
from reetrace.web.findings import visible_findings
from reetrace.web.pages import EnterpriseViewer, enterprise_user

router = APIRouter(include_in_schema=False)
MAX_BYTES = 50 * 1024 * 1024


def portal(
    request: Request,
    view: EnterpriseViewer,
    status_code: int = 200,
    report: IngestReport | None = None,
    error: str | None = None,
    filename: str | None = None,
) -> Response:
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
    chart = quota_chart(
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
    findings = visible_findings(request, view)
    return view.render(
        "portal.html",
        status_code=status_code,
        overview=overview,
        quota_chart=chart,
        findings=findings,
        report=report,
        error=error,
        filename=filename,
        name_of=Path,
    )


@router.get("/portal")
def portal_page(request: Request, view: EnterpriseViewer = Depends(enterprise_user)) -> Response:
    return portal(request, view)


def declared_reporter(raw: bytes) -> str | None:
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    return doc.get("reporter") if isinstance(doc, dict) and isinstance(doc.get("reporter"), str) else None


@router.post("/portal/submissions")
async def upload(
    request: Request,
    submission: UploadFile = File(...),
    form_token: str = Form(""),
    view: EnterpriseViewer = Depends(enterprise_user),
) -> Response:
    view.check_form(form_token)
    raw = await submission.read(MAX_BYTES + 1)
    filename = Path(submission.filename or "submission.json").name or "submission.json"
    if len(raw) > MAX_BYTES:
        return portal(request, view, 413, error=view.gettext("The file is too large."), filename=filename)
    reporter = declared_reporter(raw)
    if reporter is not None and reporter != view.uscc:
        return portal(
            request,
            view,
            403,
            filename=filename,
            error=view.gettext("This file reports for another enterprise; you may submit only for your own."),
        )
    with tempfile.TemporaryDirectory(prefix="reetrace-upload-") as folder:
        path = Path(folder) / filename
        path.write_bytes(raw)
        report = ingest(store_of(request), [path])
    record_access(
        store_of(request),
        view.actor,
        "submit",
        f"submission {filename}",
        view.uscc,
        f"{report.submissions_accepted} accepted, {len(report.rejected)} rejected",
    )
    status = 200 if not report.rejected else 422
    return portal(request, view, status, report=report, filename=filename)
