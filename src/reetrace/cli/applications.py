"""Commands of the export license applications: submit one, read it with its pre-review and
clock, list the queue and what falls due, answer a request for information, withdraw. Each change
is written to the access log, naming the operating-system user and who acted (`--by`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from reetrace.cli import app, console, day_option, reports_errors, settings
from reetrace.cli.ledger import Output, emit_json, store_for
from reetrace.cli.operator import operator
from reetrace.errors import UsageError

applications_app = typer.Typer(
    help="Export license applications: submit, show, list, due, answer, withdraw.", no_args_is_help=True
)
app.add_typer(applications_app, name="applications")


def _clock_text(clock: dict[str, Any] | None, state: str) -> str:
    if clock is None:
        return "not started"
    if state in ("approved", "denied", "withdrawn"):
        return f"{state} after {clock['working_days_used']} working days"
    if clock["stopped"]:
        return f"stopped at {clock['working_days_used']} working days"
    text = f"due {clock['due']} ({clock['working_days_left']} working days left)"
    if clock["overdue"]:
        text = f"[red]OVERDUE since {clock['due']}[/red] ({-clock['working_days_left']} working days)"
    return text + (" provisional" if clock["provisional"] else "")


@applications_app.command("submit")
@reports_errors
def submit(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A reetrace/license-application@1 document."),
    by: str = typer.Option(..., "--by", help="Who submits it for the exporter."),
):
    """Record an application with its documents (kept with their SHA-256) and run its pre-review."""
    from reetrace.services.applications import submit_application

    with console.status("Pre-review: auditing the ledger, tracing the lots, screening the parties…"):
        done = submit_application(store_for(ctx), settings(ctx), file, by, actor=operator(by))
    console.print(
        f"Application [bold]{done.number}[/bold] submitted. Pre-review: {done.verdict} "
        f"({done.blocking} blocking, {done.red_flags} red flags) — "
        f"reetrace applications show {done.number}"
    )


@applications_app.command("prereview")
@reports_errors
def prereview(ctx: typer.Context, number: str, format: Output = typer.Option(Output.table, "--format")):
    """Run the pre-review again on the ledger, lists and control list as they are now."""
    from reetrace.services.applications import refresh_pre_review

    with console.status("Pre-review…"):
        report = refresh_pre_review(store_for(ctx), settings(ctx), number, actor=operator())
    if format is Output.json:
        emit_json(report)
        return
    print_pre_review(report)


def print_pre_review(report: dict[str, Any]) -> None:
    console.print(f"Pre-review of {report.get('application')} on {report['day']}: [bold]{report['verdict']}[/bold]")
    for row in report["classification"]:
        codes = ", ".join(f"{c['code']}.{c['group']} ({c['element']})" for c in row["controlled"]) or "not controlled"
        console.print(
            f"  item {row['item']} {row['lot'] or row.get('declared_code')}: {row['form']} — {codes}"
            + (f"  [yellow]{row['note']}[/yellow]" if row.get("note") else "")
        )
    for row in report["provenance"]:
        origins = ", ".join(f"{o['type']} {o['lot']} ({o['enterprise'] or '?'})" for o in row["origins"][:5])
        console.print(
            f"  lot {row['lot']} comes from {origins or 'nothing known'}"
            + (f" (+{len(row['origins']) - 5} more)" if len(row["origins"]) > 5 else "")
        )
    for row in report["screening"]:
        matches = row["result"].get("matches", [])
        console.print(
            f"  {row['role'].replace('_', ' ')} {row['party']} ({row['country']}): "
            + (", ".join(f"[red]{m['name']} on {m['list']} ({m['score']})[/red]" for m in matches) or "no match")
        )
    for flag in report["red_flags"]:
        console.print(f"  [yellow]red flag[/yellow] {flag['flag']}: {flag['detail']}")
    for block in report["blocking"]:
        console.print(f"  [red]blocking[/red] {block['check']}: {block['reason']}")


@applications_app.command("show")
@reports_errors
def show(
    ctx: typer.Context,
    number: str,
    format: Output = typer.Option(Output.table, "--format"),
    as_of: str | None = typer.Option(None, "--as-of", help="Read the clock on this day (default: today)."),
):
    """An application: its parties and items, documents, steps, clock and latest pre-review."""
    from reetrace.services.applications import application_view

    view = application_view(store_for(ctx), settings(ctx), number, day_option(as_of, "--as-of"))
    if format is Output.json:
        emit_json(view)
        return
    body = view["application"]
    clock = _clock_text(view["clock"], view["state"])
    console.print(
        f"[bold]{view['number']}[/bold] {view['license_type']} license for {view['exporter']} → "
        f"{view['destination']}: [bold]{view['state'].replace('_', ' ')}[/bold]; {clock}"
        + (f"; license {view['license']}" if view["license"] else "")
    )
    console.print(
        f"  consignee {body['consignee']['name']} ({body['consignee']['country']}); end users: "
        + "; ".join(f"{p['name']} ({p['country']})" for p in body["end_users"])
        + (
            "; intermediaries: " + "; ".join(p["name"] for p in body["intermediaries"])
            if body["intermediaries"]
            else ""
        )
    )
    console.print(f"  end use: {body['end_use']}")
    console.print(f"  valid {body['valid_from']} to {body['valid_to']}; contract {body['contract_ref']}")
    for d in view["documents"]:
        console.print(f"  document {d['id']} {d['kind']}: {d['filename']} sha256 {d['sha256']} ({d['size']} bytes)")
    steps = Table(title="Steps")
    for column in ("at", "step", "by", "state", "why"):
        steps.add_column(column)
    for s in view["steps"]:
        steps.add_row(s["at"][:19], s["action"], s["by"], s["state"], s["why"])
    console.print(steps)
    if view["pre_review"]:
        print_pre_review(view["pre_review"]["report"])


def _queue_table(entries: list[Any], title: str) -> Table:
    table = Table(title=title)
    for column in ("application", "exporter", "type", "to", "state", "pre-review"):
        table.add_column(column, no_wrap=column in ("application", "exporter"))
    table.add_column("clock")
    for e in entries:
        j = e.as_json()
        table.add_row(
            e.number,
            e.exporter,
            e.license_type,
            e.destination,
            e.state.replace("_", " "),
            e.verdict or "",
            _clock_text(j["clock"], e.state),
        )
    return table


@applications_app.command("list")
@reports_errors
def list_(
    ctx: typer.Context,
    state: str | None = typer.Option(None, "--state"),
    exporter: str | None = typer.Option(None, "--exporter", help="Only this exporter's (USCC)."),
    as_of: str | None = typer.Option(None, "--as-of"),
    format: Output = typer.Option(Output.table, "--format"),
):
    """The queue: open applications first, nearest deadline first."""
    from reetrace.services.applications import queue

    entries = queue(store_for(ctx), settings(ctx), day_option(as_of, "--as-of"), state, exporter)
    if format is Output.json:
        emit_json({"applications": [e.as_json() for e in entries]})
        return
    console.print(_queue_table(entries, "License applications"))


@applications_app.command("due")
@reports_errors
def due_(
    ctx: typer.Context,
    within: int = typer.Option(5, "--within", help="Nearly due: this many working days."),
    as_of: str | None = typer.Option(None, "--as-of"),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Applications overdue, or due within a few working days (45 working days from acceptance)."""
    from reetrace.services.applications import due

    entries = due(store_for(ctx), settings(ctx), day_option(as_of, "--as-of"), within)
    if format is Output.json:
        emit_json({"applications": [e.as_json() for e in entries]})
        return
    if not entries:
        console.print(f"No application is overdue or due within {within} working days.")
        return
    console.print(_queue_table(entries, f"Overdue or due within {within} working days"))


@applications_app.command("answer")
@reports_errors
def answer(
    ctx: typer.Context,
    number: str,
    by: str = typer.Option(..., "--by", help="NAME@USCC: who answers, for which exporter."),
    note: str = typer.Option(..., "--note", help="The answer."),
    document: list[str] = typer.Option([], "--document", help="KIND=PATH, repeatable."),
):
    """The exporter answers a request for information; the clock runs again."""
    from reetrace.services.applications import provide_information

    name, _, uscc = by.partition("@")
    if not uscc:
        raise UsageError("--by must be NAME@USCC (the person and the exporter they act for)")
    docs = []
    for spec in document:
        kind, sep, path = spec.partition("=")
        if not sep:
            raise UsageError(f"--document must be KIND=PATH, not {spec!r}")
        docs.append((kind, Path(path)))
    state = provide_information(store_for(ctx), settings(ctx), number, by, uscc, note, docs, actor=operator(by))
    console.print(f"{number}: information provided; {state.replace('_', ' ')}.")


@applications_app.command("document")
@reports_errors
def document_(
    ctx: typer.Context,
    number: str,
    document_id: int,
    out: Path = typer.Option(..., "--out", help="Where to write the file."),
):
    """Write an attached document out, after checking its SHA-256."""
    from reetrace.services.application_documents import fetch_document

    doc = fetch_document(store_for(ctx), number, document_id, out, actor=operator())
    console.print(f"Wrote {out} ({doc.size} bytes, sha256 {doc.sha256} verified).")
