"""Commands on customs data: declarations and their reconciliation with the ledger, arrival
reports for licensed exports, and partner countries' mirror statistics (docs/customs.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from reetrace.cli import app, console, day_option, err_console, reports_errors, settings, today, views
from reetrace.cli.ledger import Output, emit_json, store_for
from reetrace.cli.operator import operator
from reetrace.errors import UsageError

customs_app = typer.Typer(
    help="Customs export declarations: load them, reconcile them with the ledger.", no_args_is_help=True
)
exports_app = typer.Typer(help="Exports and their arrival reports (Decree 792).", no_args_is_help=True)
mirror_app = typer.Typer(help="Partner countries' import statistics against declared exports.", no_args_is_help=True)
app.add_typer(customs_app, name="customs")
app.add_typer(exports_app, name="exports")
app.add_typer(mirror_app, name="mirror")

LONG_FILE_LINES = 2000  # a load of more lines shows a progress bar


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


@contextmanager
def _loading(data: bytes, what: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback, drawn as a bar on stderr for long files."""
    long = data.count(b"\n") > LONG_FILE_LINES
    with Progress(
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not long,
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


# -- customs ------------------------------------------------------------------------------------


@customs_app.command("load")
@reports_errors
def customs_load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A CSV of export declarations (docs/customs.md)."),
    start: str | None = typer.Option(
        None, "--from", help="First day the file covers (default: its first declaration)."
    ),
    end: str | None = typer.Option(None, "--to", help="Last day the file covers (default: its last declaration)."),
    by: str | None = typer.Option(None, "--by", help="Who loads it (default: the login name)."),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Load customs export declarations, one row per item: every row or none; the same declaration
    again is a no-op."""
    from reetrace.services.customs import load_declarations

    data = _read(file)
    actor = operator(by)
    with _loading(data, "reading declarations") as progress:
        done = load_declarations(
            store_for(ctx),
            data,
            file.name,
            actor.username,
            day_option(start, "--from"),
            day_option(end, "--to"),
            progress=progress,
            actor=actor,
        )
    if format is Output.json:
        emit_json(
            {
                "import": done.import_id,
                "sha256": done.sha256,
                "declarations": done.declarations,
                "items": done.items,
                "added": done.added,
                "unchanged": done.unchanged,
                "covered": {"from": done.period.start.isoformat(), "to": done.period.end.isoformat()},
            }
        )
        return
    console.print(
        f"Customs import {done.import_id}: {_count(done.declarations, 'declaration')}, "
        f"{_count(done.items, 'item')} ({done.added} new, {done.unchanged} already recorded), "
        f"covering {done.period}; sha256 {done.sha256[:16]}…"
    )


@customs_app.command("imports")
@reports_errors
def customs_imports(ctx: typer.Context, format: Output = typer.Option(Output.table, "--format")):
    """The customs imports recorded: file digest, declarations, period covered, who and when."""
    from reetrace.store.customs_repo import list_imports

    with store_for(ctx).reading() as conn:
        imports = list_imports(conn)
    if format is Output.json:
        emit_json(
            [
                {
                    "import": i.id,
                    "sha256": i.sha256,
                    "source": i.source,
                    "declarations": i.rows,
                    "added": i.added,
                    "covered": {"from": i.period.start.isoformat(), "to": i.period.end.isoformat()},
                    "by": i.by,
                    "recorded_at": i.recorded_at.isoformat(),
                }
                for i in imports
            ]
        )
        return
    table = Table(title=f"Customs imports: {len(imports)}")
    for column in ("id", "file", "declarations", "new", "covers", "by", "recorded at", "sha256"):
        table.add_column(column)
    for i in imports:
        table.add_row(
            str(i.id),
            i.source or "",
            str(i.rows),
            str(i.added),
            str(i.period),
            i.by,
            i.recorded_at.isoformat(timespec="seconds"),
            i.sha256[:16] + "…",
        )
    console.print(table)


@customs_app.command("reconcile")
@reports_errors
def customs_reconcile(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="Reconcile as of the end of this day (default: today)."),
    format: Output = typer.Option(Output.table, "--format"),
):
    """The customs findings: declarations without exports, exports without declarations,
    quantities, fields and HS codes that do not fit."""
    from reetrace.services.audit import findings_document
    from reetrace.services.customs import reconcile

    day = day_option(as_of, "--as-of", today(ctx))
    findings = reconcile(store_for(ctx), settings(ctx), day)
    if format is Output.json:
        emit_json(findings_document(findings, day))
    else:
        views.print_findings(console, findings, day)


# -- exports ------------------------------------------------------------------------------------


@exports_app.command("arrived")
@reports_errors
def exports_arrived(
    ctx: typer.Context,
    export_ref: str = typer.Argument(..., metavar="EXPORT_REF", help="The export event, <USCC>:<event_id>."),
    on: str = typer.Option(..., "--on", help="The day it arrived (YYYY-MM-DD)."),
    by: str = typer.Option(..., "--by", help="Who reports it."),
    note: str | None = typer.Option(None, "--note", help="Anything to add (port, consignee's receipt …)."),
):
    """Report that an export arrived. One report per export; it is never changed."""
    from reetrace.services.customs import report_arrival

    arrived_on = day_option(on, "--on")
    assert arrived_on is not None  # --on is required
    report = report_arrival(store_for(ctx), settings(ctx), export_ref, arrived_on, by, note, actor=operator(by))
    console.print(f"Recorded: export {report.export_ref} arrived on {report.arrived_on}, reported by {report.by}.")


@exports_app.command("list")
@reports_errors
def exports_list(
    ctx: typer.Context,
    license_no: str | None = typer.Option(None, "--license", help="Only exports under this license number."),
    as_of: str | None = typer.Option(None, "--as-of", help="As of the end of this day (default: today)."),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Every export: date, exporter, license, lots, kg, destination, arrival, days since export."""
    from reetrace.services.customs import list_exports

    day = day_option(as_of, "--as-of", today(ctx))
    lines = list_exports(store_for(ctx), settings(ctx), day, license_no)
    if format is Output.json:
        emit_json({"as_of": day.isoformat(), "exports": [line.as_json() for line in lines]})
        return
    table = Table(
        title=f"Exports as of {day}" + (f" under license {license_no}" if license_no else "") + f": {len(lines)}"
    )
    for column in ("date", "export", "exporter", "license", "lots", "kg", "to", "arrival", "days"):
        table.add_column(column, overflow="fold", justify="right" if column in ("kg", "days") else "left")
    for line in lines:
        arrival = line.arrival.arrived_on.isoformat() if line.arrival else "[yellow]not reported[/yellow]"
        table.add_row(
            line.day.isoformat(),
            line.ref,
            line.exporter,
            line.license_no or "",
            ", ".join(line.lots),
            f"{line.kg:,.3f}",
            line.destination,
            arrival,
            str(line.days_since),
        )
    console.print(table)


# -- mirror statistics -------------------------------------------------------------------------


@mirror_app.command("load")
@reports_errors
def mirror_load(ctx: typer.Context, file: Path = typer.Argument(..., help="A CSV of partner import statistics.")):
    """Load partner countries' imports from China: year, partner, hs6, kg, value (USD)."""
    from reetrace.services.mirror import load_mirror_statistics

    data = _read(file)
    with _loading(data, "reading statistics") as progress:
        done = load_mirror_statistics(store_for(ctx), data, file.name, progress=progress, actor=operator())
    console.print(f"Mirror statistics loaded: {done.rows} rows ({done.added} new, {len(done.replaced)} replaced).")
    for year, partner, hs6 in done.replaced[:20]:
        console.print(f"  replaced {year} {partner} {hs6}")
    if len(done.replaced) > 20:
        console.print(f"  … and {len(done.replaced) - 20} more")


@mirror_app.command("report")
@reports_errors
def mirror_report(
    ctx: typer.Context,
    year: int | None = typer.Option(None, "--year", help="Only this year."),
    format: Output = typer.Option(Output.table, "--format"),
    chart: Path | None = typer.Option(None, "--chart", help="Also write an SVG bar chart of the largest gaps here."),
    top: int = typer.Option(15, "--top", min=1, help="Rows in the chart."),
):
    """Partner-recorded imports from China against declared exports, per HS6 × partner × year,
    largest gap first."""
    from reetrace.domain.mirror import mirror_document
    from reetrace.services.mirror import mirror_report as report
    from reetrace.services.mirror import mirror_svg

    gaps = report(store_for(ctx), year)
    if chart is not None:
        try:
            chart.write_text(mirror_svg(gaps, year, top), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {chart}: {exc}") from None
    if format is Output.json:
        emit_json(mirror_document(gaps, year))
        return
    table = Table(
        title="Mirror statistics: partner-recorded imports from China vs declared exports"
        + (f", {year}" if year else "")
    )
    for column in ("hs6", "partner", "year", "partner kg", "declared kg", "gap kg", "log gap", "opposite gap in"):
        table.add_column(column, justify="right" if "kg" in column or column == "log gap" else "left")
    for g in gaps:
        style = "red" if g.gap_kg > 0 else "blue" if g.gap_kg < 0 else ""
        table.add_row(
            g.hs6,
            g.partner,
            str(g.year),
            f"{g.partner_kg:,.1f}",
            f"{g.declared_kg:,.1f}",
            f"[{style}]{g.gap_kg:+,.1f}[/]" if style else "0",
            f"{g.log_gap:+.3f}",
            ", ".join(g.neighbouring),
        )
    console.print(table if gaps else "No mirror statistics loaded" + (f" for {year}." if year else "."))
    if chart is not None:
        console.print(f"Chart written to {chart}.")
