"""The risk view (docs/risk.md): per enterprise and month of a year, a score from its current
findings and from its figures against its peers', ranked, each score with its reasons.

The findings are the current ones (reetrace.services.findings); the figures come from two
grouped queries over the lot indexes (reetrace.store.risk_repo), kept in memory for the ledger's
size they were computed on; the scoring is pure (reetrace.domain.risk)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import Any

from reetrace.config import Settings
from reetrace.domain.registry import Enterprise, Registry
from reetrace.domain.risk import Contribution, Figure, MonthFindings, RiskRow, month_figures, rank
from reetrace.services import findings as current_findings
from reetrace.services.audit import check_year
from reetrace.services.dashboard import finding_month
from reetrace.store.database import Store
from reetrace.store.registry_repo import load_registry
from reetrace.store.risk_repo import event_months, input_elements, output_elements
from reetrace.store.supervision_repo import event_count

FORMAT = "reetrace/risk@1"


@dataclass(frozen=True, slots=True)
class RiskView:
    year: int
    as_of: date
    rows: list[RiskRow]
    enterprises: dict[str, Enterprise]


# the figures of the last ledger size, year and registered capacities asked for
_figures: dict[tuple[str, int, int, int, tuple[tuple[str, float], ...]], list[Figure]] = {}
_figures_lock = threading.Lock()


def capacities(registry: Registry) -> dict[str, float]:
    """Each enterprise's registered capacity, t REO a year: the sum over its sites that have one."""
    total: dict[str, float] = {}
    for (uscc, _), site in registry.sites.items():
        if site.capacity_t_reo:
            total[uscc] = total.get(uscc, 0.0) + site.capacity_t_reo
    return total


def risk_view(
    store: Store, settings: Settings, year: int, as_of: date | None = None, *, wait: bool = False
) -> RiskView:
    """The year's enterprises and months, scored and ranked, as of the end of `as_of` (default
    today). Raises `Computing` while the current findings are being computed (never with `wait`)."""
    check_year(year)
    as_of = as_of or current_findings.today(settings)
    offset = settings.thresholds.utc_offset_hours
    zone = timezone(timedelta(hours=offset))
    findings = [f for f in current_findings.current(store, settings, as_of, wait=wait) if f.enterprise]
    with store.reading() as conn:
        registry = load_registry(conn)
        months = event_months(conn, {f.event for f in findings if f.event}, zone)
        size = event_count(conn)
        capacity = capacities(registry)
        key = (str(store.engine.url), year, size, offset, tuple(sorted(capacity.items())))
        with _figures_lock:
            figures = _figures.get(key)
        if figures is None:
            figures = month_figures(output_elements(conn, year, offset), input_elements(conn, year, offset), capacity)
            with _figures_lock:
                _figures.clear()  # the last ledger size's only: an older one is never asked again
                _figures[key] = figures
    counted: Counter[tuple[str, str, str, str]] = Counter()
    for f in findings:
        month = finding_month(f, months)
        if f.enterprise and month and month.startswith(f"{year:04d}-"):
            counted[(f.enterprise, month, f.code, f.severity)] += 1
    month_findings = [MonthFindings(who, month, code, sev, n) for (who, month, code, sev), n in counted.items()]
    return RiskView(year, as_of, rank(month_findings, figures), dict(registry.enterprises))


def contribution_json(c: Contribution) -> dict[str, Any]:
    if c.kind == "finding":
        return {
            "kind": "finding",
            "code": c.code,
            "severity": c.severity,
            "count": c.count,
            "points": round(c.points, 3),
        }
    return {
        "kind": "figure",
        "figure": c.figure,
        "process": c.process,
        "element": c.element,
        "value": round(c.value or 0.0, 6),
        "median": round(c.median or 0.0, 6),
        "z": round(c.z or 0.0, 3),
        "peers": c.peers,
        "points": round(c.points, 3),
    }


def risk_document(view: RiskView, top: int | None = None) -> dict[str, Any]:
    """The view as `reetrace/risk@1` JSON (docs/risk.md), its first `top` rows when given."""
    rows = view.rows if top is None else view.rows[:top]
    return {
        "format": FORMAT,
        "year": view.year,
        "as_of": view.as_of.isoformat(),
        "rows_total": len(view.rows),
        "rows": [
            {
                "rank": r.rank,
                "enterprise": r.enterprise,
                "name": view.enterprises[r.enterprise].name if r.enterprise in view.enterprises else None,
                "month": r.month,
                "score": round(r.score, 3),
                "percentile": round(r.percentile, 2),
                "figures_judged": r.figures,
                "contributions": [contribution_json(c) for c in r.contributions],
            }
            for r in rows
        ],
    }
