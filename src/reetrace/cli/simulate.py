"""`reetrace simulate`: a national year of the chain (or a fraction of one), calibrated on the
published national quotas, with violations injected at realistic rates, streamed to disk."""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reetrace.cli import app, console, recreate_dir, reports_errors
from reetrace.errors import UsageError

_FILES = {"registry.json", "injected.json", "summary.json", "submissions"}
MEMORY_BUDGET_MB = 2048


def scale_option(value: str) -> float:
    """`national` (a whole national year) or the fraction of one, above 0 and at most 1."""
    if value.strip().lower() == "national":
        return 1.0
    try:
        scale = float(value)
    except ValueError:
        scale = float("nan")
    if not 0 < scale <= 1:
        raise UsageError(
            f"--scale must be `national` or a fraction of a national year above 0 and at most 1, not {value!r}"
        )
    return scale


@app.command()
@reports_errors
def simulate(
    scale: str = typer.Option(
        ...,
        "--scale",
        help="`national` for a whole national year (over 5 million events, "
        "a few minutes), or a fraction of one: 0.01 ≈ 50,000 events.",
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        help="Directory for the files (created; a previous simulation there is replaced, anything else refused).",
    ),
    year: int = typer.Option(
        2025,
        "--year",
        help="Calendar year (from 2025); calibrated on its published national quotas, or the latest earlier ones.",
    ),
    seed: int = typer.Option(7, "--seed", help="Seed; the same seed and arguments give the same files, byte for byte."),
    evasion_rate: float = typer.Option(
        1.0,
        "--evasion-rate",
        help="Times their usual rates that the five schemes of CONTRACT §12 are injected "
        "(more cases to measure what the audit finds of them).",
    ),
    epcis_share: float = typer.Option(
        0.0,
        "--epcis-share",
        help="Share of enterprise-months (0 to 1, chosen from the seed) written as GS1 EPCIS 2.0 "
        "documents signed with a detached JWS (<YYYY-MM>.jsonld and .jsonld.jws) instead of "
        "submissions; the events are the same whatever the share.",
    ),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
):
    """Simulate a national year of the chain, calibrated on the published quotas, and write each
    enterprise's signed monthly submissions as each month ends, then the registry, the injected
    violations and a summary."""
    from reetrace.simulate import prepare
    from reetrace.simulate import simulate as run
    from reetrace.simulate.run import check_epcis_share, evasion_boost

    fraction = scale_option(scale)
    try:
        evasion_boost(evasion_rate)
        check_epcis_share(epcis_share)
        calibration, _ = prepare(year, fraction)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    recreate_dir(out, "--out", _FILES, "a simulation")
    console.print(calibration.describe(), highlight=False)
    started = time.perf_counter()
    try:
        if quiet:
            result = run(out, seed=seed, scale=fraction, year=year, evasion_rate=evasion_rate, epcis_share=epcis_share)
        else:
            columns = (
                TextColumn(f"simulating {year}"),
                BarColumn(),
                TextColumn("day {task.completed}/{task.total}"),
                TextColumn("{task.fields[events]:>12,} events"),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=console, transient=True) as bar:
                task = bar.add_task("days", total=365, events=0)
                result = run(
                    out,
                    seed=seed,
                    scale=fraction,
                    year=year,
                    evasion_rate=evasion_rate,
                    epcis_share=epcis_share,
                    progress=lambda done, days, events: bar.update(task, completed=done, total=days, events=events),
                )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _print_summary(result.summary, out, time.perf_counter() - started)


def peak_memory_mb() -> float:
    """Peak resident memory of this process (ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _epcis_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    if "epcis" not in summary:
        return []
    epcis = summary["epcis"]
    return [("of which EPCIS documents", f"{epcis['documents']:,} (share {epcis['share']:g})")]


def _print_summary(summary: dict[str, Any], out: Path, seconds: float) -> None:
    quotas, tonnes, scale = summary["quotas_t"], summary["tonnes"], summary["scale"]
    cal = summary["calibration"]
    table = Table(title=f"{summary['year']} at scale {scale:g}: calibration vs simulated (t REO)")
    for col in ("", "national quota", "× scale", "quotas written", "simulated", "of quota"):
        table.add_column(col, justify="left" if not col else "right")
    rows = [
        ("mining rock", cal["mining_rock_t"], quotas["mining_rock"], tonnes["mined_reo"]["rock"]),
        (
            "mining ion-ads.",
            cal["mining_ion_adsorption_t"],
            quotas["mining_ion_adsorption"],
            tonnes["mined_reo"]["ion_adsorption"],
        ),
        ("mining", cal["mining_t"], quotas["mining"], tonnes["mined_reo"]["total"]),
        ("separation", cal["separation_t"], quotas["separation"], tonnes["separated_reo"]),
    ]
    for name, national, written, simulated in rows:
        table.add_row(
            name,
            f"{national:,.0f}",
            f"{national * scale:,.1f}",
            f"{written:,.1f}",
            f"{simulated:,.1f}",
            f"{simulated / written:.1%}" if written else "",
        )
    console.print(table)
    run = Table(title="Downstream and the run", show_header=False)
    run.add_column(justify="left")
    run.add_column(justify="right")
    exported = tonnes["exported"]
    for name, value in [
        ("metal and alloy, t", f"{tonnes['metal'] + tonnes['alloy']:,.1f}"),
        ("magnets, t", f"{tonnes['magnets']:,.1f}"),
        (
            "exported, t",
            f"{exported['total']:,.1f} ("
            + ", ".join(f"{k} {v:,.0f}" for k, v in exported.items() if k != "total")
            + ")",
        ),
        ("used domestically, t", f"{tonnes['consumed']:,.1f}"),
        ("events", f"{summary['events']:,}"),
        ("submission files", f"{summary['submissions']:,}"),
        *_epcis_rows(summary),
        ("enterprises", f"{summary['enterprises']['total']:,}"),
        ("injected violations", f"{sum(summary['injected'].values()):,}"),
        ("time", f"{seconds:,.1f} s ({summary['events'] / max(seconds, 1e-9):,.0f} events/s)"),
        ("peak memory", f"{peak_memory_mb():,.0f} MB (budget {MEMORY_BUDGET_MB:,} MB)"),
    ]:
        run.add_row(name, value)
    console.print(run)
    console.print("Injected: " + ", ".join(f"{code} {n}" for code, n in summary["injected"].items()), highlight=False)
    if summary["not_injected"]:
        missing = ", ".join(summary["not_injected"])
        console.print(f"[yellow]Too small a fraction of a year to inject {missing}.[/yellow]", highlight=False)
    files = "submissions/<USCC>/<YYYY-MM>.json"
    if "epcis" in summary:
        files += " or <YYYY-MM>.jsonld with its <YYYY-MM>.jsonld.jws"
    console.print(
        f"Files in [bold]{out}[/bold]: registry.json, injected.json, summary.json and {files}. To audit them:",
        highlight=False,
    )
    for line in (
        f"reetrace registry load {out / 'registry.json'}",
        f"reetrace ingest --as-received created_at {out / 'submissions'}",
        f"reetrace audit --as-of {summary['year'] + 1}-01-31",
    ):
        console.print(f"  {line}", highlight=False, soft_wrap=True)
