"""Commands on the ledger: registry, ingest, rejected submissions, audit, trace."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from reetrace.cli import app, console, day_option, err_console, reports_errors, settings, today, views
from reetrace.config import Settings
from reetrace.errors import UsageError

registry_app = typer.Typer(
    help="The registry: enterprises, qualifications, keys, sites, quotas, licenses.", no_args_is_help=True
)
app.add_typer(registry_app, name="registry")


class Output(str, Enum):
    table = "table"
    json = "json"


class AsReceived(str, Enum):
    created_at = "created_at"


class Direction(str, Enum):
    backward = "backward"
    forward = "forward"


def store_for(ctx: typer.Context):
    from reetrace.cli.store import store_for as opened

    return opened(ctx)


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {path} as JSON: {exc}") from None


def emit_json(doc: object) -> None:
    typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))


@registry_app.command("load")
@reports_errors
def registry_load(ctx: typer.Context, file: Path = typer.Argument(..., help="A reetrace/registry@1 document.")):
    """Load (upsert) a registry document. Loading the same document again changes nothing."""
    from reetrace.cli.operator import operator
    from reetrace.services import registry as registry_service

    counts = registry_service.load_registry(store_for(ctx), _read_json(file), actor=operator())
    console.print("Registry loaded: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    _review_credentials(store_for(ctx), settings(ctx))


def _review_credentials(store, current: Settings, found=None) -> None:
    """Findings were just brought up to date: revoke the credentials they now block (on stderr,
    so that a JSON report on stdout stays clean)."""
    from reetrace.services.credential_status import review

    for revoked in review(store, current, found):
        codes = ", ".join(sorted({f["code"] for f in revoked.reason["findings"]}))
        err_console.print(
            f"credential {revoked.credential_id} of lot {escape(revoked.lot)} revoked: {escape(codes)}",
            highlight=False,
            soft_wrap=True,
        )


@registry_app.command("show")
@reports_errors
def registry_show(ctx: typer.Context, format: Output = typer.Option(Output.table, "--format")):
    """Show what is registered."""
    from reetrace.services import registry as registry_service

    registry = registry_service.current_registry(store_for(ctx))
    if format is Output.json:
        emit_json(views.registry_json(registry))
    else:
        views.print_registry(console, registry)


@app.command()
@reports_errors
def ingest(
    ctx: typer.Context,
    sources: list[Path] = typer.Argument(..., help="Submission files (*.json) and directories of them."),
    as_received: AsReceived | None = typer.Option(
        None, "--as-received", help="created_at: take each signed created_at as its time of receipt (archives)."
    ),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Ingest signed submissions. Rejections are reported, not fatal: each is kept with its
    reason, and every submission is written to the access log under the operating-system user."""
    from reetrace.domain.accounts import Actor
    from reetrace.services import ingest as ingest_service

    store = store_for(ctx)
    files = ingest_service.submission_files(sources)
    show_bar = len(files) > 1  # on stderr: the JSON report on stdout stays clean
    with Progress(
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not show_bar,
        transient=True,
    ) as bar:
        task = bar.add_task("files", total=len(files))
        report = ingest_service.ingest(
            store,
            files,
            as_received_created_at=as_received is AsReceived.created_at,
            progress=lambda done: bar.update(task, completed=done),
            settings=settings(ctx),
            actor=Actor.operator(ingest_service.os_user()),
        )
    if report.events_accepted:
        from reetrace.services.log import publish_checkpoint

        publish_checkpoint(store, settings(ctx))  # every ingest that adds events is checkpointed
        _review_credentials(store, settings(ctx))
    if format is Output.json:
        emit_json(report.as_contract())
    else:
        views.print_ingest_report(console, report)


@app.command()
@reports_errors
def rejected(
    ctx: typer.Context,
    limit: int = typer.Option(50, help="How many to list, newest first."),
    reason: str | None = typer.Option(
        None, help="Only this reason class (parse, schema, reporter, key, signature, conflict)."
    ),
    format: Output = typer.Option(Output.table, "--format"),
):
    """List rejected submissions with their reasons."""
    from reetrace.store.ledger_repo import list_rejections

    with store_for(ctx).reading() as conn:
        rows = list_rejections(conn, limit, reason)
    if format is Output.json:
        emit_json(
            [
                {
                    "id": r.id,
                    "received_at": r.received_at,
                    "source": r.source,
                    "reason": r.reason,
                    "reporter": r.reporter,
                    "event": r.event,
                }
                for r in rows
            ]
        )
    else:
        views.print_rejections(console, rows)


@app.command()
@reports_errors
def audit(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="Audit as of the end of this day (default: today)."),
    format: Output = typer.Option(Output.table, "--format"),
    code: list[str] | None = typer.Option(None, "--code", help="Only these finding codes."),
):
    """Audit the ledger: every finding, evaluated in event-time order."""
    from reetrace.services import audit as audit_service

    day = day_option(as_of, "--as-of", today(ctx))
    findings = audit_service.audit_ledger(store_for(ctx), settings(ctx), day)
    if day == today(ctx):  # the findings as they stand now
        _review_credentials(store_for(ctx), settings(ctx), findings)
    if code:
        findings = [f for f in findings if f.code in set(code)]
    if format is Output.json:
        emit_json(audit_service.findings_document(findings, day))
    else:
        views.print_findings(console, findings, day)


@app.command()
@reports_errors
def trace(
    ctx: typer.Context,
    lot: str = typer.Argument(..., help="Lot id."),
    direction: Direction = typer.Option(Direction.backward, "--direction"),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Trace a lot backward to its origins or forward to every lot made from it."""
    from reetrace.services import trace as trace_service

    doc = trace_service.trace(store_for(ctx), lot, direction.value)
    if format is Output.json:
        emit_json(doc)
    else:
        views.print_trace(console, doc)


@app.command("quota-use")
@reports_errors
def quota_use(
    ctx: typer.Context,
    year: int = typer.Argument(..., help="Calendar year."),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Quota use per enterprise in a year (tonnes REO)."""
    from reetrace.services import audit as audit_service

    rows = audit_service.quota_use(store_for(ctx), year, settings(ctx).thresholds.utc_offset_hours)
    if format is Output.json:
        emit_json(
            [
                {
                    "uscc": r.uscc,
                    "name": r.name,
                    "kind": r.kind,
                    "category": r.category,
                    "quota_tonnes": r.quota_tonnes,
                    "used_tonnes": round(r.used_tonnes, 3),
                }
                for r in rows
            ]
        )
    else:
        views.print_quota_use(console, rows, year)


@app.command("close-year")
@reports_errors
def close_year(
    ctx: typer.Context,
    year: int = typer.Argument(..., help="The calendar year to close (China time)."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Close as of the end of this day (default: today); after the year's deadlines."
    ),
):
    """Close a year: keep the audit's state at its end (lots, quota use, findings, and what they
    rest on) as the next year's opening, its digest signed by the next checkpoint, so that later
    audits start there. A late report for the year reopens it; `log verify --year` checks it."""
    from reetrace.cli.operator import operator
    from reetrace.services import closing

    day = day_option(as_of, "--as-of", today(ctx))
    with Progress(TextColumn("closing {task.description}"), console=err_console, transient=True) as bar:
        bar.add_task(str(year), total=None)
        closed = closing.close_year(store_for(ctx), settings(ctx), year, day, operator())
    start = f"from the opening of {closed.started_from + 1}" if closed.started_from else "from the start of the ledger"
    console.print(
        f"[green]closed[/green] {closed.year} as of {closed.as_of.isoformat()}: {closed.replayed:,} events replayed "
        f"{start}; the opening of {closed.year + 1} holds the state of {closed.events:,} events "
        f"({closed.blob_bytes:,} bytes), state digest {closed.state_digest}.",
        highlight=False,
        soft_wrap=True,
    )
