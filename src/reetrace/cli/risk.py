"""`reetrace risk`: where inspection visits should go (docs/risk.md)."""

from __future__ import annotations

import typer
from rich.table import Table

from reetrace.cli import app, console, reports_errors, settings, today
from reetrace.cli.ledger import Output, emit_json, store_for
from reetrace.domain.risk import Contribution
from reetrace.errors import UsageError


@app.command()
@reports_errors
def risk(
    ctx: typer.Context,
    year: int | None = typer.Option(None, "--year", help="Calendar year (default: the latest year in the ledger)."),
    format: Output = typer.Option(Output.table, "--format"),
    top: int | None = typer.Option(None, "--top", help="Only the N highest scores."),
):
    """Enterprises and months ranked by risk: current findings and figures far from the peers'."""
    from reetrace.services import risk as risk_service
    from reetrace.services.dashboard import latest_year

    if top is not None and top < 1:
        raise UsageError(f"--top must be at least 1, not {top}")
    store = store_for(ctx)
    chosen = year if year is not None else latest_year(store, settings(ctx))
    view = risk_service.risk_view(store, settings(ctx), chosen, today(ctx), wait=True)
    if format is Output.json:
        emit_json(risk_service.risk_document(view, top))
        return
    rows = view.rows if top is None else view.rows[:top]
    table = Table(title=f"Risk {view.year}, as of {view.as_of} ({len(view.rows)} enterprise-months)")
    for col in ("rank", "enterprise", "month"):
        table.add_column(col)
    table.add_column("score", justify="right")
    table.add_column("percentile", justify="right")
    table.add_column("why", overflow="fold")
    for r in rows:
        enterprise = view.enterprises.get(r.enterprise)
        name = (enterprise.name_en or enterprise.name) if enterprise else r.enterprise
        table.add_row(
            str(r.rank),
            name,
            r.month,
            f"{r.score:.1f}",
            f"{r.percentile:.1f}",
            "; ".join(_why(c) for c in r.contributions),
        )
    console.print(table)


def _why(c: Contribution) -> str:
    if c.kind == "finding":
        return f"{c.code} ×{c.count} ({c.severity})"
    about = " ".join(x for x in (c.process, c.element) if x)
    return f"{c.figure} {about} {c.value:.3f} vs median {c.median:.3f} (z {c.z:+.1f}, {c.peers} peers)".replace(
        "  ", " "
    )
