"""`reetrace access-log`: who changed what, who read whose data and who was refused, newest
first, filtered and paged (docs/access-log.md). Reading the log is itself written down."""

from __future__ import annotations

from urllib.parse import urlencode

import typer
from rich.table import Table
from rich.text import Text

from reetrace.cli import app, console, reports_errors, settings
from reetrace.cli.ledger import Output, emit_json, store_for
from reetrace.cli.operator import operator


@app.command("access-log")
@reports_errors
def access_log(
    ctx: typer.Context,
    user: str = typer.Option(None, "--user", help="Only this user's entries."),
    enterprise: str = typer.Option(None, "--enterprise", help="Only entries on this enterprise (USCC)."),
    since: str = typer.Option(None, "--since", help="From this day (YYYY-MM-DD) or time (RFC 3339) on."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="Entries to show."),
    offset: int = typer.Option(0, "--offset", min=0, help="Entries to skip (newest first)."),
    format: Output = typer.Option(Output.table, "--format"),
):
    """The access log, newest first: every change (API, console, command line), every staff read
    with its filter, every refusal."""
    from reetrace.services import access_log as service
    from reetrace.services.accounts import record_access

    actor = operator()
    moment = service.since_moment(since, settings(ctx).thresholds.utc_offset_hours) if since else None
    store = store_for(ctx)
    found, total = service.read_log(store, actor.principal, service.LogFilter(user, enterprise, moment), limit, offset)
    asked = {"user": user, "enterprise": enterprise, "since": since, "limit": limit, "offset": offset}
    detail = urlencode({k: v for k, v in asked.items() if v is not None})
    record_access(store, actor, "read", "access-log", enterprise, detail)
    if format is Output.json:
        emit_json({"items": [e.as_json() for e in found], "total": total, "limit": limit, "offset": offset})
        return
    table = Table(title=f"Access log: {len(found)} of {total} entries, newest first")
    for column in ("at", "who", "door", "action", "what", "enterprise", "detail"):
        table.add_column(column, overflow="fold")
    for e in found:
        door = " ".join(part for part in (e.channel, e.client, e.os_user and f"as {e.os_user}") if part)
        table.add_row(
            *(
                Text(value or "")
                for value in (e.at, f"{e.username} ({e.role})", door, e.action, e.what, e.enterprise, e.detail)
            )
        )
    console.print(table)
