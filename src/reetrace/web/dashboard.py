"""The dashboard (staff): quota use, findings by month, reporting compliance and the national
flow, each an inline SVG drawn on the server in the page's language."""

from __future__ import annotations

from collections import Counter, defaultdict

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.charts.compliance_grid import compliance_chart
from reetrace.charts.findings_timeline import findings_chart
from reetrace.charts.quota_use import QuotaBar, quota_chart
from reetrace.charts.sankey import SankeyNode, sankey_chart
from reetrace.domain.compliance import STATES
from reetrace.domain.findings import SEVERITIES
from reetrace.domain.flows import COLUMN, NODES
from reetrace.services.audit import YEARS
from reetrace.services.dashboard import NationalOverview, latest_year, national_overview
from reetrace.web import labels
from reetrace.web.pages import Viewer, staff

router = APIRouter(include_in_schema=False)


def quota_label(view: Viewer, overview: NationalOverview, uscc: str, kind: str, category: str) -> str:
    t = view.gettext
    name = labels.name_of(overview.enterprises.get(uscc), view.language) or uscc
    what = t(labels.QUOTA_KIND.get(kind, kind))
    if kind == "mining":
        what += " · " + t(labels.DEPOSIT.get(category, category))
    return f"{name} ({what})"


def charts(view: Viewer, overview: NationalOverview) -> dict[str, str]:
    t, fmt = view.gettext, view.fmt
    quota = quota_chart(
        [
            QuotaBar(quota_label(view, overview, q.uscc, q.kind, q.category), q.quota_tonnes, q.used_tonnes)
            for q in overview.quota
        ],
        {
            "title": t("Quota use in %(year)s") % {"year": overview.year},
            "unit": t("tonnes REO"),
            "used": t("used"),
            "quota": t("quota"),
            "none": t("No quotas registered for this year."),
        },
        lambda v: fmt.number(v, 0),
    )
    months = [(f"{overview.year:04d}-{m:02d}", fmt.month(overview.year, m)) for m in range(1, 13)]
    findings = findings_chart(
        months,
        overview.findings_by_month,
        [(s, t(labels.SEVERITY[s])) for s in reversed(SEVERITIES)],
        {
            "title": t("Findings by month and severity, %(year)s") % {"year": overview.year},
            "unit": t("findings"),
            "none": t("No findings."),
        },
        {code: t(text) for code, text in labels.FINDING.items()},
        lambda v: fmt.number(v, 0),
    )
    rows = [
        (labels.name_of(overview.enterprises.get(uscc), view.language) or uscc, cells)
        for uscc, cells in overview.compliance.rows.items()
    ]
    compliance = compliance_chart(
        [fmt.month(overview.year, m) for m in overview.compliance.months],
        sorted(rows),
        [(s, t(labels.COMPLIANCE[s])) for s in STATES],
        {"title": t("Monthly reports, %(year)s") % {"year": overview.year}},
    )
    flow = overview.flow
    sankey = sankey_chart(
        [SankeyNode(n, t(labels.FLOW_NODE[n]), COLUMN[n]) for n in NODES],
        {link: kg / 1000.0 for link, kg in flow.links.items()},
        {
            "title": t("National flow of rare earths in %(year)s (tonnes REO)") % {"year": overview.year},
            "unit": t("t REO"),
            "none": t("No flow of rare earths was reported in %(year)s.") % {"year": overview.year},
        },
        lambda v: fmt.number(v, 1),
    )
    return {"quota": quota, "findings": findings, "compliance": compliance, "sankey": sankey}


@router.get("/")
def dashboard(request: Request, year: int | None = None, view: Viewer = Depends(staff)) -> Response:
    store, settings = store_of(request), request.app.state.settings
    typed, error = year, None
    if year is not None and year not in YEARS:  # the form keeps what was typed, and says why
        error = view.gettext("Choose a year from %(first)s to %(last)s.") % {
            "first": YEARS.start,
            "last": YEARS.stop - 1,
        }
        year = None
    year = year or latest_year(store, settings)
    overview = national_overview(store, settings, year)
    late = overview.compliance.count("late")
    missing = overview.compliance.count("missing")
    access.read(request, view.actor.principal)
    return view.render(
        "dashboard.html",
        status_code=422 if error else 200,
        error=error,
        typed=typed,
        overview=overview,
        charts=charts(view, overview),
        year=year,
        late=late,
        missing=missing,
        by_code=findings_by_code(view, overview),
    )


def findings_by_code(view: Viewer, overview: NationalOverview) -> list[tuple[str, str, list[int], int]]:
    """The year's findings per code and severity: (code, its name, counts by severity, total),
    most first."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for by_severity in overview.findings_by_month.values():
        for severity, codes in by_severity.items():
            for code, n in codes.items():
                counts[code][severity] += n
    rows = [
        (code, view.gettext(labels.FINDING.get(code, code)), [c[s] for s in SEVERITIES], sum(c.values()))
        for code, c in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r[3], r[0]))
