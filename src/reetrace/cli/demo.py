"""`reetrace demo`: generate a synthetic year of the chain, ingest it, audit it, and show what a
regulator wants to see first."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reetrace.cli import app, console, recreate_dir, reports_errors, settings, today
from reetrace.cli.demo_credential import credential_step
from reetrace.cli.demo_epcis import epcis_export_step, epcis_report_step
from reetrace.cli.demo_steps import accounts_step, customs_step, review_step
from reetrace.cli.views import SEVERITY_STYLE, print_quota_use
from reetrace.domain.findings import CODES, SEVERITIES, Finding
from reetrace.errors import UsageError

_DEMO_FILES = {
    "registry.json",
    "injected.json",
    "submissions",
    "review",
    "customs",
    "epcis",
    "credentials",
    "store.db",
    "store.db-wal",
    "store.db-shm",
    "store.db.migrate-lock",
    "store.db.write-lock",
    "store.db.logkeys",
}


@app.command()
@reports_errors
def demo(
    ctx: typer.Context,
    seed: int = typer.Option(7, "--seed", help="Seed of the synthetic year; the same seed gives the same year."),
    scale: float = typer.Option(
        1.0, "--scale", help="Size of the year: 1 ≈ 5,000 events; from about 0.1 every injected violation fits."
    ),
    year: int = typer.Option(2025, "--year", help="Calendar year to simulate (2025 or later)."),
    workdir: Path = typer.Option(
        Path("reetrace-demo"), "--workdir", help="Directory for the generated files and the store (recreated)."
    ),
    serve: bool = typer.Option(False, "--serve", help="Then serve the console and API on the demo store."),
    port: int = typer.Option(8000, "--port", help="Port to serve on (with --serve)."),
):
    """Generate a synthetic year of the chain with injected violations, ingest it into a fresh
    store, audit it, and show quota use, findings and a trace."""
    from reetrace.cli.operator import operator
    from reetrace.demo import generate, write
    from reetrace.services.audit import audit_ledger, quota_use
    from reetrace.services.ingest import ingest, submission_files
    from reetrace.services.registry import load_registry
    from reetrace.store.database import open_store

    if scale <= 0:
        raise UsageError("--scale must be above zero")
    db_given = ctx.find_root().params.get("db")
    recreate_dir(workdir, "--workdir", _DEMO_FILES, "the demo")
    with console.status(f"Generating {year} (seed {seed}, scale {scale:g})…"):
        try:
            year_doc = generate(seed=seed, scale=scale, year=year)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        write(year_doc, workdir)
    url = db_given or f"sqlite:///{(workdir / 'store.db').resolve()}"
    console.print(
        f"Generated [bold]{year_doc.event_count:,}[/bold] events from "
        f"{len(year_doc.registry['enterprises'])} enterprises in {len(year_doc.submissions)} monthly "
        f"submissions, in [bold]{workdir}[/bold]."
    )

    epcis_report_step(year_doc, workdir)

    store = open_store(url)
    load_registry(store, year_doc.registry, actor=operator())
    files = submission_files([workdir / "submissions"])
    with Progress(
        TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True
    ) as bar:
        task = bar.add_task("files", total=len(files))
        report = ingest(
            store, files, as_received_created_at=True, progress=lambda done: bar.update(task, completed=done)
        )
    console.print(
        f"Ingested {report.submissions_accepted} submissions ({report.events_accepted:,} events; "
        f"{report.submissions_duplicate} duplicate, {len(report.rejected)} rejected)."
    )
    from dataclasses import replace

    from reetrace.services.log import publish_checkpoint

    checkpoint = publish_checkpoint(store, replace(settings(ctx), db_url=url))
    console.print("Every event is a leaf of the transparency log; its signed checkpoint:")
    console.print(checkpoint, highlight=False, markup=False, soft_wrap=True)

    as_of = date(year + 1, 1, 31)
    findings = audit_ledger(store, settings(ctx), as_of)
    console.print()
    print_quota_use(console, quota_use(store, year, settings(ctx).thresholds.utc_offset_hours), year)
    _print_findings(findings, as_of)
    _print_injected(year_doc.injected, findings)
    lot = _export_lot(year_doc)
    credential = None
    if lot:
        from reetrace.services.trace import trace

        _print_trace(trace(store, lot, "backward"), year_doc.registry)
        epcis_export_step(store, lot, workdir)
        credential = credential_step(store, replace(settings(ctx), db_url=url), lot, workdir)
    applications = review_step(
        store,
        replace(settings(ctx), db_url=url),
        workdir / "review",
        year_doc,
        audit_ledger(store, settings(ctx), today(ctx)),
    )
    chart = customs_step(store, replace(settings(ctx), db_url=url), workdir / "customs", year, seed, as_of)
    _print_next_steps(url, as_of, lot, year, applications, chart, credential)
    logins = accounts_step(store, year_doc.registry)
    if serve:
        _serve(replace(settings(ctx), db_url=url), store, port, logins)
    store.dispose()


def _serve(settings_: Any, store: Any, port: int, logins: list[tuple[str, str, str]]) -> None:
    import uvicorn

    from reetrace.api.app import create_app

    app = create_app(settings_, store)
    console.print(f"\n[bold]Serving the console and the API on http://127.0.0.1:{port}/[/bold] (Ctrl-C stops it)")
    for username, password, what in logins:
        console.print(f"  log in as [bold]{username}[/bold] / {password}  ({what})", highlight=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def _print_findings(findings: list[Finding], as_of: date) -> None:
    table = Table(title=f"Findings as of {as_of}: {len(findings)}")
    table.add_column("code", no_wrap=True)
    table.add_column("meaning")
    for severity in SEVERITIES:
        table.add_column(severity, justify="right", style=SEVERITY_STYLE[severity])
    counts = Counter((f.code, f.severity) for f in findings)
    for code in sorted({f.code for f in findings}, key=lambda c: (SEVERITIES.index(CODES[c][0]), c)):
        table.add_row(code, CODES[code][1], *[str(counts[(code, s)] or "") for s in SEVERITIES])
    console.print(table)


def _matches(finding: Finding, item: dict[str, Any]) -> bool:
    """Whether a finding is what an injection said the audit must find: the same code and
    enterprise, and the same event and lot where the injection names them and the finding does
    too (a rule that finds one lot per event, such as COMPOSITION_IMPLAUSIBLE, is told apart by
    its lot)."""
    return (
        finding.code == item["code"]
        and finding.enterprise == item["enterprise"]
        and (item["event"] is None or finding.event == item["event"])
        and (item["lot"] is None or finding.lot is None or finding.lot == item["lot"])
    )


def _print_injected(injected: list[dict[str, Any]], findings: list[Finding]) -> None:
    console.print("\n[bold]Injected violations and what the audit found[/bold]")
    by_code: dict[str, list[dict[str, Any]]] = {}
    for item in injected:
        by_code.setdefault(item["code"], []).append(item)
    for code, items in sorted(by_code.items()):
        found = sum(any(_matches(f, i) for f in findings) for i in items)
        mark = "[green]detected[/green]" if found == len(items) else "[red]MISSED[/red]"
        console.print(f"  {mark}  {code}: {found} of {len(items)} — {items[0]['note']}", highlight=False)
    other = [f for f in findings if not any(_matches(f, i) for i in injected)]
    if other:
        codes = ", ".join(f"{c} × {n}" for c, n in sorted(Counter(f.code for f in other).items()))
        console.print(f"  [red]{len(other)} other finding(s) in the clean chain[/red]: {codes}")
    else:
        console.print("  [green]No other findings: the rest of the chain is clean.[/green]")


def _export_lot(year_doc: Any) -> str | None:
    """A licensed export of Dy magnets (the most controlled thing the chain makes)."""
    fallback = None
    for doc in year_doc.submissions:
        for event in doc["events"]:
            if event["type"] == "export":
                fallback = fallback or event["lots"][0]
                if event.get("license_no") and "NDFEB" in event["lots"][0]:
                    return event["lots"][0]
    return fallback


def _print_trace(doc: dict[str, Any], registry: dict[str, Any]) -> None:
    names = {e["uscc"]: e["name_en"] for e in registry["enterprises"]}
    table = Table(title=f"Exported lot {doc['lot']} traced back to its origins")
    for col in ("origin lot", "how", "enterprise"):
        table.add_column(col, overflow="fold")
    for col in ("Dy kg", "Nd kg", "REO kg"):
        table.add_column(col, justify="right")
    origins = sorted(doc["origins"], key=lambda o: -o["reo_kg"])
    for o in origins[:12]:
        table.add_row(
            o["lot"],
            o["type"],
            names.get(o["enterprise"] or "", o["enterprise"] or "[red]unknown[/red]"),
            f"{o['elements_kg'].get('Dy', 0):,.3f}",
            f"{o['elements_kg'].get('Nd', 0):,.3f}",
            f"{o['reo_kg']:,.3f}",
        )
    if len(origins) > 12:
        rest = origins[12:]
        table.add_row(
            f"… {len(rest)} more",
            "",
            "",
            f"{sum(o['elements_kg'].get('Dy', 0) for o in rest):,.3f}",
            f"{sum(o['elements_kg'].get('Nd', 0) for o in rest):,.3f}",
            f"{sum(o['reo_kg'] for o in rest):,.3f}",
        )
    total = doc.get("elements_kg", {})
    table.add_row(
        "[bold]the lot[/bold]",
        "",
        f"{len({o['enterprise'] for o in origins})} origin enterprise(s)",
        f"{total.get('Dy', 0):,.3f}",
        f"{total.get('Nd', 0):,.3f}",
        f"{doc.get('reo_kg', 0):,.3f}",
    )
    console.print()
    console.print(table)


def _print_next_steps(
    url: str,
    as_of: date,
    lot: str | None,
    year: int,
    applications: list[str],
    chart: Path | None = None,
    credential: Path | None = None,
) -> None:
    db = f"reetrace --db {url}"
    console.print("\n[bold]Explore further[/bold]")
    lines = [
        f"{db} audit --as-of {as_of}",
        f"{db} audit --as-of {as_of} --format json",
        f"{db} quota-use {year}",
        f"{db} registry show",
    ]
    if lot:
        lines += [f"{db} trace {lot} --direction backward", f"{db} trace {lot} --direction forward"]
    if applications:
        lines += [
            f"{db} applications list",
            f"{db} applications show {applications[0]}",
            f"{db} licenses list",
            f'{db} screen "Saigon Magnet Trading" --format json',
        ]
    if credential:
        lines += [
            f"{db} credential verify {credential}",
            f"reetrace credential verify {credential} --did-document {credential.parent / 'did.json'}",
        ]
    if chart:
        lines += [f"{db} customs reconcile --as-of {as_of}", f"{db} mirror report --year {year} --chart mirror.svg"]
    for line in lines:
        console.print(f"  {line}", highlight=False, soft_wrap=True)
