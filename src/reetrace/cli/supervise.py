"""`reetrace supervise`: keep the findings up to date as submissions arrive (incremental
supervision, reetrace.services.supervision)."""

from __future__ import annotations

import time

import typer
from rich.table import Table

from reetrace.cli import app, console, day_option, err_console, reports_errors, settings
from reetrace.cli.ledger import Output, emit_json, store_for
from reetrace.errors import UsageError

supervise_app = typer.Typer(help="Findings kept up to date as each submission is ingested.", no_args_is_help=True)
app.add_typer(supervise_app, name="supervise")


@supervise_app.command("start")
@reports_errors
def start(
    ctx: typer.Context,
    as_of: str = typer.Option(..., "--as-of", help="Audit date the findings hold for (YYYY-MM-DD)."),
):
    """Audit the whole ledger once as of a date; from then on every ingest and API submission
    recomputes only the findings it can change. Run it again to move the date or after a bulk load."""
    from reetrace.cli.operator import operator
    from reetrace.services import supervision

    day = day_option(as_of, "--as-of")
    assert day is not None
    err_console.print(f"auditing the whole ledger as of {day.isoformat()} …", highlight=False)
    started = time.perf_counter()
    written = supervision.start(store_for(ctx), settings(ctx), day, actor=operator())
    console.print(
        f"supervising as of {day.isoformat()}: {written:,} findings stored in {time.perf_counter() - started:,.1f} s",
        highlight=False,
    )


@supervise_app.command("status")
@reports_errors
def status(ctx: typer.Context, format: Output = typer.Option(Output.table, "--format")):
    """The date the supervised findings are as of, today's date, and whether they are current:
    findings as of an earlier day are moved forward to today by the next reading (asking for
    the status moves nothing)."""
    from reetrace.services import findings, supervision

    info = supervision.status(store_for(ctx), settings(ctx), findings.today(settings(ctx)))
    if info is None:
        raise UsageError("supervision is not started: `reetrace supervise start --as-of DATE`")
    if format is Output.json:
        emit_json(info)
        return
    table = Table(show_header=False, box=None)
    for name, value in info.items():
        if name != "by_code":
            table.add_row(name.replace("_", " "), str(value))
    console.print(table)
    codes = Table("code", "findings")
    for code, count in info["by_code"].items():
        codes.add_row(code, f"{count:,}")
    console.print(codes)
