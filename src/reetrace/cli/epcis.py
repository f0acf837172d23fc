"""`reetrace epcis export` and `reetrace epcis import`: the ledger's events written as a GS1 EPCIS
2.0 document, and an EPCIS document read back into a signed submission (contract §10,
docs/epcis.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from reetrace.cli import app, console, day_option, err_console, reports_errors, settings
from reetrace.errors import NotFound, UsageError

epcis_app = typer.Typer(
    help="GS1 EPCIS 2.0: export the ledger's events, import an EPCIS document.", no_args_is_help=True
)
app.add_typer(epcis_app, name="epcis")


def _progress(label: str) -> Progress:
    """A bar on standard error for long work, gone when it is done."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    return Progress(*columns, console=err_console, transient=True)


@epcis_app.command("export")
@reports_errors
def export(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The EPCISDocument to write (replaced whole when complete)."),
    reporter: str | None = typer.Option(None, "--reporter", help="Only the events this enterprise reported (USCC)."),
    lot: str | None = typer.Option(
        None, "--lot", help="Only the events of this lot's history: every lot it was made from and made into."
    ),
    since: str | None = typer.Option(None, "--from", help="Only events on or after this day (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--to", help="Only events on or before this day (YYYY-MM-DD), included."),
):
    """Write the ledger's events as an EPCIS 2.0 EPCISDocument, in event-time order.

    Every option narrows the events; days are counted in the audit's time zone (China Standard
    Time), both --from and --to included."""
    from reetrace.cli.store import store_for
    from reetrace.filing.prepare import check_reporter
    from reetrace.services.epcis_transfer import ExportSelection, export_document

    if reporter is not None:
        check_reporter(reporter)
    zone = timezone(timedelta(hours=settings(ctx).thresholds.utc_offset_hours))
    first, last = day_option(since, "--from"), day_option(until, "--to")
    if first is not None and last is not None and first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    if out.is_dir():
        raise UsageError(f"--out {out} is a directory; name the file to write")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: directory {out.parent} does not exist")
    wanted = ExportSelection(
        reporter=reporter,
        lot=lot,
        since=None if first is None else datetime.combine(first, datetime.min.time(), zone),
        until=None if last is None else datetime.combine(last + timedelta(days=1), datetime.min.time(), zone),
    )
    store = store_for(ctx)
    with _progress("exporting events") as bar:
        task = bar.add_task("export", total=None)
        try:
            count = export_document(
                store,
                wanted,
                out,
                datetime.now(UTC),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except NotFound as exc:
            raise UsageError(f"--lot: {exc}") from None
        except OSError as exc:
            raise UsageError(f"cannot write {out}: {exc.strerror}") from None
    console.print(f"{count:,} event{'s' if count != 1 else ''} written to {out}", markup=False, highlight=False)


@epcis_app.command("import")
@reports_errors
def import_(
    file: Path = typer.Argument(..., help="An EPCIS 2.0 EPCISDocument (JSON-LD)."),
    reporter: str = typer.Option(..., "--reporter", help="USCC of the enterprise whose events these are."),
    key: Path | None = typer.Option(
        None, "--key", help="Private key file made by `reetrace keys new`; without it the submission is unsigned."
    ),
    out: Path | None = typer.Option(None, "--out", help="Where to write the submission (default: standard output)."),
):
    """Translate an EPCISDocument into a reetrace/submission@1, signed with --key.

    Every event is translated and held to the contract before anything is written; the first
    problem stops it, with its reason and where it is in the document (a JSON Pointer). The
    submission is created now (created_at, +08:00)."""
    from reetrace.filing import keys
    from reetrace.filing.prepare import check_reporter, check_time, now, write_document
    from reetrace.services.epcis_transfer import read_epcis_file, submission, submission_events

    check_reporter(reporter)
    private_key = None
    if key is not None:
        private_key = keys.load_key(key)
        if keys.readable_by_others(key):
            err_console.print(
                f"warning: {key} can be read by other users; restrict it with chmod 600", markup=False, highlight=False
            )
    created_at = now()
    events = submission_events(read_epcis_file(file), reporter, check_time(created_at, "created_at"))
    document = submission(events, reporter, created_at, private_key)
    if out is None:
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    write_document(out, document)
    signed = f"signed with key {document['key_id']}" if private_key is not None else "unsigned"
    count = len(events)
    console.print(
        f"{count} event{'s' if count != 1 else ''} for {reporter}, {signed}, created_at {created_at}; written to {out}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@epcis_app.command("index")
@reports_errors
def index(ctx: typer.Context):
    """Give every recorded event its EPCIS eventID in the index that GET /epcis/events/{eventID}
    looks events up by.

    The index fills itself at the first look-up that misses, which after a bulk load means hashing
    every new event then; run this after a large `reetrace ingest` to do that work beforehand."""
    from reetrace.cli.store import store_for
    from reetrace.services.epcis_query import fill_epcis_ids

    store = store_for(ctx)
    with _progress("hashing events") as bar:
        task = bar.add_task("events", total=None)
        hashed = fill_epcis_ids(store, progress=lambda upto, top: bar.update(task, completed=upto, total=top))
    console.print(f"{hashed:,} event{'s' if hashed != 1 else ''} given their EPCIS eventID", markup=False)
