"""The risk view (inspectors and regulators): per enterprise and month of a year, the score from
its findings and its figures against its peers', ranked, paged, sorted, filtered by month and
province, searched by enterprise, exported; each row opens its reasons (docs/risk.md). Every
read is written down with its filter; anyone else is refused (403)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.domain.risk import ELEMENT_KEPT, RECYCLED_SHARE, UTILISATION, YIELD, Contribution, RiskRow
from reetrace.errors import Forbidden
from reetrace.services.audit import YEARS
from reetrace.services.dashboard import latest_year
from reetrace.services.risk import risk_view
from reetrace.web import labels, listing
from reetrace.web.i18n import _
from reetrace.web.pages import SignedIn, signed_in
from reetrace.web.words import words_for

router = APIRouter(include_in_schema=False)
RISK = listing.ListSpec(
    sorts=("score", "enterprise", "month", "findings", "figures"),
    filters=("year", "month", "province"),
    search=True,
    descending=True,
)
FIGURE = {
    YIELD: _("REO yield"),
    ELEMENT_KEPT: _("share of the element kept"),
    UTILISATION: _("output against a month of capacity"),
    RECYCLED_SHARE: _("share of input drawn by recycling"),
}


def inspector(view: SignedIn = Depends(signed_in)) -> SignedIn:
    if not view.principal.may("triage"):
        raise Forbidden(view.gettext("The risk view is for inspectors and regulators."))
    return view


def reason(view: SignedIn, c: Contribution) -> str:
    """One contribution to a score, said in the page's language."""
    t, fmt = view.gettext, view.fmt
    points = fmt.number(c.points, 1)
    if c.kind == "finding":
        return t("%(finding)s (%(code)s), %(severity)s: %(count)s, %(points)s points") % {
            "finding": t(labels.FINDING.get(c.code or "", c.code or "")),
            "code": c.code,
            "severity": t(labels.SEVERITY.get(c.severity or "", c.severity or "")),
            "count": fmt.number(c.count),
            "points": points,
        }
    what = [t(FIGURE.get(c.figure or "", c.figure or ""))]
    if c.process:
        what.append(t(labels.PROCESS.get(c.process, c.process)))
    if c.element:
        what.append(words_for(fmt, {}).element(c.element))
    return t(
        "%(figure)s: %(value)s against the peers' median %(median)s "
        "(robust z %(z)s among %(peers)s enterprises), %(points)s points"
    ) % {
        "figure": " · ".join(what),
        "value": fmt.percent(c.value),
        "median": fmt.percent(c.median),
        "z": fmt.number(c.z, 1),
        "peers": fmt.number(c.peers),
        "points": points,
    }


def _year(view: SignedIn, raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or int(raw) not in YEARS:
        raise listing.BadListQuery(
            view.gettext("Choose a year from %(first)s to %(last)s.") % {"first": YEARS.start, "last": YEARS.stop - 1}
        )
    return int(raw)


def _findings(r: RiskRow) -> int:
    return sum(c.count for c in r.contributions if c.kind == "finding")


@router.get("/risk")
def risk_page(request: Request, view: SignedIn = Depends(inspector)) -> Response:
    lq = listing.parse(request, RISK, view.gettext)
    store, settings = store_of(request), request.app.state.settings
    year = _year(view, lq.value("year")) or latest_year(store, settings)
    risk = risk_view(store, settings, year)
    enterprises = risk.enterprises
    month, province, needle = lq.value("month"), lq.value("province"), lq.q.casefold()

    def name(uscc: str) -> str:
        return labels.name_of(enterprises.get(uscc), view.language) or uscc

    def matches(r: RiskRow) -> bool:
        e = enterprises.get(r.enterprise)
        names = (e.name, e.name_en or "", e.uscc) if e else (r.enterprise,)
        return any(needle in n.casefold() for n in names)

    chosen = [
        r
        for r in risk.rows
        if (not month or r.month == month)
        and (not province or getattr(enterprises.get(r.enterprise), "province", None) == province)
        and (not needle or matches(r))
    ]
    pages = listing.in_memory(
        chosen,
        lq,
        {
            "score": lambda r: (r.score, -r.rank),
            "enterprise": lambda r: (name(r.enterprise), r.month),
            "month": lambda r: (r.month, -r.rank),
            "findings": lambda r: (_findings(r), -r.rank),
            "figures": lambda r: (r.figures, -r.rank),
        },
    )
    listing.check_export(lq, pages.total, view.gettext)
    access.read(request, view.principal)
    t = view.gettext
    if lq.export:
        return listing.export(
            "risk",
            [t("Rank"), t("Enterprise"), t("USCC"), t("Month"), t("Score"), t("Percentile"), t("Reasons")],
            (
                [
                    r.rank,
                    name(r.enterprise),
                    r.enterprise,
                    r.month,
                    round(r.score, 3),
                    round(r.percentile, 2),
                    "; ".join(reason(view, c) for c in r.contributions),
                ]
                for r in pages.items
            ),
            lq.export,
        )
    return view.render(
        "risk.html",
        pages=pages,
        lq=lq,
        year=year,
        risk=risk,
        name=name,
        reasons={(r.enterprise, r.month): [reason(view, c) for c in r.contributions] for r in pages.items},
        findings={(r.enterprise, r.month): _findings(r) for r in pages.items},
        years=list(range(year - 4, year + 2)),
        months=[f"{year:04d}-{m:02d}" for m in range(1, 13)],
        provinces=sorted({e.province for e in enterprises.values() if e.province}),
    )
