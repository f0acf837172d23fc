"""`reetrace log …`: the transparency log's key, checkpoints, proofs and verification."""

from __future__ import annotations

import json

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from reetrace.cli import app, console, err_console, reports_errors, settings
from reetrace.cli.ledger import store_for
from reetrace.cli.operator import operator

log_app = typer.Typer(
    help="The transparency log: every accepted event is a leaf of a Merkle tree (RFC 9162).", no_args_is_help=True
)
app.add_typer(log_app, name="log")


@log_app.command("key")
@reports_errors
def key(ctx: typer.Context):
    """Print the log's verifier key: <origin>+<hex key id>+<base64(0x01 || public key)>."""
    from reetrace.services import log

    typer.echo(log.verifier_key(store_for(ctx), settings(ctx)))


@log_app.command("rotate-key")
@reports_errors
def rotate_key(ctx: typer.Context):
    """Retire the log's signing key and make a new one; checkpoints signed before stay verifiable."""
    from reetrace.services import log

    typer.echo(log.rotate_key(store_for(ctx), settings(ctx), actor=operator()))


@log_app.command("checkpoint")
@reports_errors
def checkpoint(ctx: typer.Context):
    """Sign a checkpoint of the log and the chains as they stand (if either moved) and print the
    latest, as note text."""
    from reetrace.services import log

    typer.echo(log.publish_checkpoint(store_for(ctx), settings(ctx)), nl=False)


@log_app.command("prove")
@reports_errors
def prove(
    ctx: typer.Context,
    event: str = typer.Argument(..., help="<USCC>:<event_id>"),
    size: int | None = typer.Option(None, "--size", help="Tree size (default: the latest checkpoint)."),
):
    """Inclusion proof of an event (RFC 9162 §2.1.3)."""
    from reetrace.services import log

    typer.echo(json.dumps(log.inclusion_proof(store_for(ctx), settings(ctx), event, size), indent=2))


@log_app.command("consistency")
@reports_errors
def consistency(ctx: typer.Context, old: int = typer.Argument(...), new: int = typer.Argument(...)):
    """Consistency proof between two tree sizes (RFC 9162 §2.1.4)."""
    from reetrace.services import log

    typer.echo(json.dumps(log.consistency_proof(store_for(ctx), old, new), indent=2))


@log_app.command("verify")
@reports_errors
def verify(
    ctx: typer.Context,
    events_only: bool = typer.Option(
        False, "--events-only", help="Check the events, receipts and checkpoints only (the transparency log)."
    ),
    year: int | None = typer.Option(
        None, "--year", help="Check only this closed year: replay its events and compare the state its record signs."
    ),
):
    """Verify the store: recompute the tree from the stored events and check every signed
    checkpoint; derive lots, draws and event keys again from the events; check every chained
    table against its chain and the heads the checkpoints signed; compare the stored findings
    with a fresh audit. Exits 1 naming each table and row that differs."""
    from reetrace.services.verify import verify_store

    if year is not None:
        _verify_year(ctx, year)
        return
    with Progress(
        TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), console=err_console, transient=True
    ) as bar:
        task = bar.add_task("leaves", total=None)
        result = verify_store(
            store_for(ctx),
            settings(ctx),
            events_only=events_only,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if not result.ok:
        for problem in result.problems:
            err_console.print(f"[red]log verification failed[/red]: {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print(
        f"[green]ok[/green]: {result.leaves:,} leaves recomputed from the events; "
        f"{result.checkpoints:,} signed checkpoint(s) verified.",
        highlight=False,
    )
    if result.derived:
        tables = ", ".join(f"{table} {rows:,}" for table, rows in result.derived.items())
        console.print(f"[green]ok[/green]: rows derived again from the events and compared: {tables}.", highlight=False)
    if result.keys:
        console.print(
            f"[green]ok[/green]: {result.keys:,} signing keys in the registry, each the key its id names; "
            "every submission's key still registered to its reporter.",
            highlight=False,
        )
    if result.chains:
        console.print(
            f"[green]ok[/green]: {len(result.chains)} chained tables, {sum(result.chains.values()):,} rows, "
            "each matching its link, the links recomputed from the genesis and the heads signed.",
            highlight=False,
        )
    if result.findings is not None:
        console.print(f"[green]ok[/green]: {result.findings:,} stored findings equal a fresh audit's.", highlight=False)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False, soft_wrap=True)


def _verify_year(ctx: typer.Context, year: int) -> None:
    from reetrace.services.closing import verify_year

    with Progress(TextColumn("replaying {task.description}"), console=err_console, transient=True) as bar:
        bar.add_task(str(year), total=None)
        result = verify_year(store_for(ctx), settings(ctx), year)
    if not result.ok:
        for problem in result.problems:
            err_console.print(f"[red]year verification failed[/red]: {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    start = f"from the opening of {result.started_from + 1}" if result.started_from else "from the start of the ledger"
    console.print(
        f"[green]ok[/green]: {year} replayed ({result.replayed:,} events, {start}) gives the state its record signs.",
        highlight=False,
    )
