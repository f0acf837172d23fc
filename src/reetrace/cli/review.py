"""Commands of the licensing authority: officials, review steps on an application, licenses."""

from __future__ import annotations

import typer
from rich.table import Table

from reetrace.cli import app, console, reports_errors, settings
from reetrace.cli.ledger import Output, emit_json, store_for
from reetrace.cli.operator import operator

officials_app = typer.Typer(help="Officials of the licensing authority and their roles.", no_args_is_help=True)
app.add_typer(officials_app, name="officials")
review_app = typer.Typer(
    help="Review steps on a license application. Reviewers: accept, decline, start, request-info, clear-hit. "
    "Approvers: approve, deny. The applicant (--by NAME@USCC): withdraw.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")
licenses_app = typer.Typer(
    help="Export licenses, migrated and issued here, with their draw-down.", no_args_is_help=True
)
app.add_typer(licenses_app, name="licenses")


@officials_app.command("add")
@reports_errors
def officials_add(
    ctx: typer.Context,
    name: str,
    role: list[str] = typer.Option(..., "--role", help="reviewer or approver; repeatable."),
    enterprise: str | None = typer.Option(
        None, "--enterprise", help="USCC of the enterprise the person comes from, if any."
    ),
):
    """Register an official with their roles."""
    from reetrace.services.review import add_official

    official = add_official(store_for(ctx), name, role, enterprise, actor=operator())
    console.print(
        f"Official {official.name}: {', '.join(official.roles)}"
        + (f" (from {official.enterprise})" if official.enterprise else "")
    )


@officials_app.command("list")
@reports_errors
def officials_list(ctx: typer.Context, format: Output = typer.Option(Output.table, "--format")):
    from reetrace.services.review import list_officials

    officials = list_officials(store_for(ctx))
    if format is Output.json:
        emit_json([{"name": o.name, "roles": list(o.roles), "enterprise": o.enterprise} for o in officials])
        return
    table = Table(title="Officials")
    for column in ("name", "roles", "enterprise"):
        table.add_column(column)
    for o in officials:
        table.add_row(o.name, ", ".join(o.roles), o.enterprise or "")
    console.print(table)


def _step(ctx: typer.Context, number: str, action: str, by: str, why: str, hit: str | None = None) -> None:
    from reetrace.services.review import take_step

    actor = operator(by)
    if action == "approve":
        with console.status("Approval: running the pre-review again…"):
            done = take_step(store_for(ctx), settings(ctx), number, action, by, why, hit, actor=actor)
    else:
        done = take_step(store_for(ctx), settings(ctx), number, action, by, why, hit, actor=actor)
    console.print(
        f"{number}: {action.replace('_', ' ')} by {by}; now {done.state.replace('_', ' ')}."
        + (f" License [bold]{done.license_no}[/bold] issued." if done.license_no else "")
    )


BY = typer.Option(..., "--by", help="The registered official taking the step.")
WHY = typer.Option("", "--why", help="The reason, recorded with the step.")
WHY_NEEDED = typer.Option(..., "--why", help="The reason, recorded with the step.")


@review_app.command("accept")
@reports_errors
def accept(ctx: typer.Context, number: str, by: str = BY, why: str = WHY):
    """Accept a complete application: the 45-working-day clock starts."""
    _step(ctx, number, "accept", by, why)


@review_app.command("decline")
@reports_errors
def decline(ctx: typer.Context, number: str, by: str = BY, why: str = WHY_NEEDED):
    """Do not accept an application (incomplete, not for this authority …)."""
    _step(ctx, number, "decline", by, why)


@review_app.command("start")
@reports_errors
def start(ctx: typer.Context, number: str, by: str = BY, why: str = WHY):
    """Begin the review of an accepted application."""
    _step(ctx, number, "start", by, why)


@review_app.command("request-info")
@reports_errors
def request_info(ctx: typer.Context, number: str, by: str = BY, why: str = WHY_NEEDED):
    """Ask the exporter for more information (or an expert review or site check): the clock stops."""
    _step(ctx, number, "request_info", by, why)


@review_app.command("clear-hit")
@reports_errors
def clear_hit(
    ctx: typer.Context,
    number: str,
    hit: str = typer.Option(..., "--hit", help="LIST:ENTITY"),
    by: str = BY,
    why: str = WHY_NEEDED,
):
    """Record that a screening hit is another party, and why."""
    _step(ctx, number, "clear_hit", by, why, hit)


@review_app.command("approve")
@reports_errors
def approve(ctx: typer.Context, number: str, by: str = BY, why: str = WHY_NEEDED):
    """Approve and issue the license (refused while the pre-review, run again, has blocking reasons)."""
    _step(ctx, number, "approve", by, why)


@review_app.command("deny")
@reports_errors
def deny(ctx: typer.Context, number: str, by: str = BY, why: str = WHY_NEEDED):
    """Deny the application, with the reasons."""
    _step(ctx, number, "deny", by, why)


@review_app.command("withdraw")
@reports_errors
def withdraw(
    ctx: typer.Context,
    number: str,
    by: str = typer.Option(..., "--by", help="NAME@USCC of the exporter."),
    why: str = WHY,
):
    """The exporter withdraws its application."""
    _step(ctx, number, "withdraw", by, why)


@licenses_app.command("list")
@reports_errors
def licenses_list(ctx: typer.Context, format: Output = typer.Option(Output.table, "--format")):
    """Every license with what has been exported under it."""
    from reetrace.services.licenses import licenses

    found = licenses(store_for(ctx), settings(ctx))
    if format is Output.json:
        emit_json({"licenses": [u.as_json() for u in found]})
        return
    table = Table(title="Export licenses")
    for column in ("license", "type", "source", "exporter", "consignee", "to", "valid", "items (exported / licensed)"):
        table.add_column(column)
    for u in found:
        table.add_row(
            u.license_no,
            u.license_type or "",
            u.source,
            u.exporter,
            u.consignee,
            u.destination,
            f"{u.valid_from}..{u.valid_to}",
            "\n".join(f"{i['element']} {i['form']}: {i['exported_kg']:,.3f} / {i['max_kg']:,.3f} kg" for i in u.items),
        )
    console.print(table)


@licenses_app.command("show")
@reports_errors
def licenses_show(ctx: typer.Context, license_no: str, format: Output = typer.Option(Output.table, "--format")):
    """One license: its items drawn down by the exports under it."""
    from reetrace.services.licenses import licenses

    (use,) = licenses(store_for(ctx), settings(ctx), license_no)
    if format is Output.json:
        emit_json(use.as_json())
        return
    console.print(
        f"[bold]{use.license_no}[/bold] ({use.license_type or 'migrated'}, {use.source}) "
        f"{use.exporter} → {use.consignee} ({use.destination}), valid {use.valid_from}..{use.valid_to}"
        + (f", issued {use.issued_on} on {use.application}" if use.application else "")
    )
    for i in use.items:
        console.print(
            f"  {i['element']} {i['form']}: {i['exported_kg']:,.3f} of {i['max_kg']:,.3f} kg exported, "
            f"{i['left_kg']:,.3f} kg left"
        )
    for x in use.exports:
        console.print(
            f"  export {x['event']} on {x['day']}: {', '.join(x['lots'])} ({x['kg']:,.3f} kg) "
            f"to {x['consignee']} ({x['destination']})"
        )
