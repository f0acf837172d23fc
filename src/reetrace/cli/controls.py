"""Commands on the dual-use control list: show it on a day, change it (regulators), classify a lot."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer
from rich.table import Table

from reetrace.cli import app, console, day_option, reports_errors, settings, today
from reetrace.cli.ledger import Output, emit_json, store_for
from reetrace.domain.controls import ControlEntry
from reetrace.errors import InvalidInput, UsageError

controls_app = typer.Typer(
    help="The dual-use control list: show it on a day; add, suspend or end an entry.", no_args_is_help=True
)
app.add_typer(controls_app, name="controls")


def _entry_json(entry: ControlEntry, day: date, changes: list[Any]) -> dict[str, Any]:
    return {
        "code": entry.code,
        "element": entry.element,
        "groups": list(entry.groups),
        "in_force": entry.in_force(day),
        "effective_from": entry.effective_from.isoformat(),
        "ended_on": entry.ended_on.isoformat() if entry.ended_on else None,
        "suspensions": [
            {"from": p.start.isoformat(), "until": p.end.isoformat() if p.end else None} for p in entry.suspensions
        ],
        "changes": [
            {
                "action": r.change.action,
                "effective": r.change.effective.isoformat(),
                "until": r.change.until.isoformat() if r.change.until else None,
                "by": r.change.by,
                "why": r.change.why,
                "recorded_at": r.recorded_at.isoformat(),
            }
            for r in changes
            if r.change.code == entry.code
        ],
    }


@controls_app.command("show")
@reports_errors
def controls_show(
    ctx: typer.Context,
    on: str | None = typer.Option(None, "--on", help="The day (default: today)."),
    all_entries: bool = typer.Option(False, "--all", help="Also entries not in force that day."),
    format: Output = typer.Option(Output.table, "--format"),
):
    """The entries in force on a day, with their dates and the changes recorded to them."""
    from reetrace.services.controls import control_history

    day = day_option(on, "--on", today(ctx))
    controls, changes = control_history(store_for(ctx), settings(ctx))
    entries = [_entry_json(e, day, changes) for e in controls.entries if all_entries or e.in_force(day)]
    if format is Output.json:
        emit_json({"on": day.isoformat(), "entries": entries})
        return
    table = Table(title=f"Control list in force on {day}" + (" (all entries)" if all_entries else ""))
    for column in ("code", "element", "groups", "in force", "from", "ended", "suspended", "changes"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            e["code"],
            e["element"],
            ",".join(e["groups"]),
            "yes" if e["in_force"] else "no",
            e["effective_from"],
            e["ended_on"] or "",
            "; ".join(f"{s['from']}..{s['until'] or 'open'}" for s in e["suspensions"]),
            "\n".join(
                f"{c['action']} {c['effective']}{'..' + c['until'] if c['until'] else ''} by {c['by']}: {c['why']}"
                for c in e["changes"]
            ),
        )
    console.print(table)


def _record(ctx: typer.Context, action: str, code: str, effective: str, by: str, why: str, **extra: Any) -> None:
    from reetrace.cli.operator import operator
    from reetrace.services.controls import change_control

    try:
        recorded = change_control(
            store_for(ctx),
            settings(ctx),
            action,
            code,
            effective=day_option(effective, "--from"),
            by=by,
            why=why,
            actor=operator(by),
            **extra,
        )
    except InvalidInput as exc:  # a change that does not fit the list is a wrongly called command
        raise UsageError(str(exc)) from None
    c = recorded.change
    span = f"from {c.effective}" + (f" until {c.until}" if action == "suspend" and c.until else "")
    console.print(f"Recorded change {recorded.id}: {action} {c.code} {span}, by {c.by}.")


_BY = typer.Option(..., "--by", help="Who makes the change (regulator, officer).")
_WHY = typer.Option(..., "--why", help="Why: the announcement or decision.")
_FROM = typer.Option(..., "--from", help="The day the change takes effect (YYYY-MM-DD).")


@controls_app.command("add")
@reports_errors
def controls_add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="The new control code, e.g. 1C914."),
    element: str = typer.Option(..., "--element", help="The element that puts a lot under it, e.g. Ho."),
    groups: str = typer.Option("a,b,c", "--groups", help="Group letters, comma-separated (a,b,c)."),
    effective: str = _FROM,
    by: str = _BY,
    why: str = _WHY,
):
    """Add an entry, in force from a day."""
    letters = tuple(g.strip() for g in groups.split(",") if g.strip())
    _record(ctx, "add", code, effective, by, why, element=element, groups=letters)


@controls_app.command("suspend")
@reports_errors
def controls_suspend(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="The control code."),
    effective: str = _FROM,
    until: str | None = typer.Option(None, "--until", help="The day it applies again (exclusive; default: open)."),
    by: str = _BY,
    why: str = _WHY,
):
    """Suspend an entry from a day, until a day or until further notice."""
    _record(ctx, "suspend", code, effective, by, why, until=day_option(until, "--until"))


@controls_app.command("end")
@reports_errors
def controls_end(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="The control code."),
    effective: str = _FROM,
    by: str = _BY,
    why: str = _WHY,
):
    """End an entry from a day."""
    _record(ctx, "end", code, effective, by, why)


@app.command()
@reports_errors
def classify(
    ctx: typer.Context,
    lot: str = typer.Argument(..., help="A lot id in the ledger."),
    on: str | None = typer.Option(None, "--on", help="The day (default: today)."),
    format: Output = typer.Option(Output.table, "--format"),
):
    """The control codes a lot falls under on a day, from its form and composition."""
    from reetrace.services.controls import classify_lot

    result = classify_lot(store_for(ctx), settings(ctx), lot, day_option(on, "--on", today(ctx)))
    if format is Output.json:
        emit_json(result.as_json())
        return
    if not result.controlled:
        console.print(f"Lot {lot} ({result.form}) is not controlled on {result.on}.")
        return
    table = Table(title=f"Lot {lot} ({result.form}) on {result.on}")
    for column in ("code", "element", "group"):
        table.add_column(column)
    for c in result.controlled:
        table.add_row(c.code, c.element, c.group)
    console.print(table)
