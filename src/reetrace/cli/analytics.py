"""Commands for analysts: export the ledger to Parquet, and query the export with DuckDB, never
the operational store (docs/analytics.md)."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from reetrace.cli import app, console, err_console, reports_errors, settings, views
from reetrace.cli.ledger import Output, emit_json, store_for

analytics_app = typer.Typer(
    help="The ledger exported to Parquet for analysts, and DuckDB queries over the export.", no_args_is_help=True
)
app.add_typer(analytics_app, name="analytics")

TABLE_ROWS = 1000  # a query's table shows at most this many rows; csv and json show all


@dataclass(frozen=True, slots=True)
class _QuotaRow:  # what views.print_quota_use reads of a row
    name: str
    kind: str
    category: str
    quota_tonnes: float
    used_tonnes: float
    share: float | None


class QueryFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@analytics_app.command("export")
@reports_errors
def export(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="Directory of the export; an earlier export there is replaced."),
    year: list[int] | None = typer.Option(
        None, "--year", help="Only the events of this year (China Standard Time); repeatable. Default: every year."
    ),
):
    """Export the ledger to a Parquet dataset partitioned by year and month of the event time."""
    from reetrace.analytics.export import export_parquet

    store = store_for(ctx)
    with Progress(
        TextColumn("exporting events"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("export", total=None)
        summary = export_parquet(
            store,
            out,
            years=year or None,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            utc_offset_hours=settings(ctx).thresholds.utc_offset_hours,
        )
    table = Table(title=f"Analytics export in {summary.out_dir}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("year/month partitions", justify="right")
    for name, rows in summary.rows.items():
        partitions = summary.partitions.get(name)
        table.add_row(name, f"{rows:,}", "" if partitions is None else str(partitions))
    console.print(table)
    rate = summary.events / summary.seconds if summary.seconds > 0 else 0.0
    years = ", ".join(map(str, summary.years)) if summary.years else "all years"
    console.print(
        f"{summary.events:,} events ({years}) of a ledger of {summary.ledger_size:,} (up to seq "
        f"{summary.last_seq:,}) in {summary.seconds:.1f} s, {rate:,.0f} events/s."
    )


@analytics_app.command("quota-use")
@reports_errors
def quota_use(
    directory: Path = typer.Argument(..., help="An analytics export."),
    year: int = typer.Argument(..., help="Calendar year."),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Quota use per enterprise in a year (tonnes REO), from the export."""
    from reetrace.analytics import queries

    answer = queries.quota_use(directory, year)
    if format is Output.json:
        emit_json(
            [
                {
                    "uscc": r["uscc"],
                    "name": r["name"],
                    "kind": r["kind"],
                    "category": r["category"],
                    "quota_tonnes": r["quota_tonnes"],
                    "used_tonnes": round(r["used_tonnes"], 3),
                }
                for r in answer.dicts()
            ]
        )
        return
    rows = [
        _QuotaRow(r["name"], r["kind"], r["category"], r["quota_tonnes"], r["used_tonnes"], r["share"])
        for r in answer.dicts()
    ]
    views.print_quota_use(console, rows, year)


@analytics_app.command("query")
@reports_errors
def query(
    directory: Path = typer.Argument(..., help="An analytics export."),
    sql: str = typer.Argument(
        ..., help="DuckDB SQL over the views events, lot_outputs, lot_draws, lot_moves, enterprises and quotas."
    ),
    format: QueryFormat = typer.Option(QueryFormat.table, "--format"),
):
    """Run SQL over an export and print the result."""
    from reetrace.analytics import queries

    answer = queries.query(directory, sql)
    if format is QueryFormat.json:
        emit_json([{c: _plain(v) for c, v in zip(answer.columns, row, strict=True)} for row in answer.rows])
    elif format is QueryFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(answer.columns)
        writer.writerows([[_csv_cell(v) for v in row] for row in answer.rows])
    else:
        _print_answer(answer.columns, answer.rows)


def _plain(value: Any) -> Any:
    """A value as JSON can hold it: times and dates as ISO 8601, decimals as numbers."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value


def _csv_cell(value: Any) -> Any:
    plain = _plain(value)
    return json.dumps(plain, ensure_ascii=False) if isinstance(plain, (list, dict)) else plain


def _print_answer(columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if not columns:
        console.print("Done (the statement returns no rows).")
        return
    table = Table(title=f"{len(rows):,} row{'' if len(rows) == 1 else 's'}")
    for column in columns:
        table.add_column(escape(column), overflow="fold")
    for row in rows[:TABLE_ROWS]:
        table.add_row(*["[dim]null[/dim]" if v is None else escape(str(_csv_cell(v))) for v in row])
    console.print(table)
    if len(rows) > TABLE_ROWS:
        console.print(f"[dim]{len(rows) - TABLE_ROWS:,} more rows not shown: use --format csv or json.[/dim]")
