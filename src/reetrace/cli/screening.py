"""Commands of restricted-party screening: load a list, show the lists loaded, screen names."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from reetrace.cli import app, console, err_console, reports_errors
from reetrace.cli.ledger import Output, emit_json, store_for
from reetrace.errors import UsageError

if TYPE_CHECKING:
    from reetrace.services.screening import ScreeningResult

screening_app = typer.Typer(
    help="Restricted-party lists: load one (FollowTheMoney JSON lines), show them.", no_args_is_help=True
)
app.add_typer(screening_app, name="screening")

_BIG_FILE = 2_000_000  # bytes: a progress bar from this size on


@screening_app.command("load")
@reports_errors
def screening_load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="FollowTheMoney JSON lines (e.g. OpenSanctions' entities.ftm.json)."),
    list_name: str = typer.Option(..., "--list", help="The list's name, e.g. us_bis_entity (loaded again: replaced)."),
    by: str | None = typer.Option(None, "--by", help="Who loads it (recorded with the load)."),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Load a restricted-party list, replacing the list of that name. A bad line loads nothing."""
    from reetrace.cli.operator import operator
    from reetrace.services.screening import load_list

    if not file.is_file():
        raise UsageError(f"no such file: {file}")
    show_bar = file.stat().st_size >= _BIG_FILE
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not show_bar,
        transient=True,
    ) as bar:
        task = bar.add_task("reading names", total=None)
        report = load_list(
            store_for(ctx),
            file,
            list_name,
            loaded_by=by,
            actor=operator(by),
            progress=lambda stage, done, total: bar.update(task, description=stage, completed=done, total=total),
        )
    if format is Output.json:
        emit_json(report.as_json())
        return
    v = report.list
    skipped = ", ".join(f"{n} {schema}" for schema, n in v.skipped) or "none"
    replaced = f", replacing version {report.replaced_version[:12]}" if report.replaced_version else ""
    console.print(
        f"Loaded list [bold]{v.name}[/bold] from {v.source}: {v.entities:,} entities to screen against "
        f"(skipped: {skipped}); version {v.version[:12]}{replaced}."
    )


@screening_app.command("show")
@reports_errors
def screening_show(ctx: typer.Context, format: Output = typer.Option(Output.table, "--format")):
    """The lists loaded, with their versions."""
    from reetrace.services.screening import list_versions

    versions = list_versions(store_for(ctx))
    if format is Output.json:
        emit_json(
            [
                {**v.as_contract(), "source": v.source, "loaded_by": v.loaded_by, "skipped": dict(v.skipped)}
                for v in versions
            ]
        )
        return
    if not versions:
        console.print("No restricted-party list is loaded.")
        return
    table = Table(title="Restricted-party lists")
    for column in ("list", "entities", "skipped", "version", "loaded at", "by", "source"):
        table.add_column(column)
    for v in versions:
        table.add_row(
            v.name,
            f"{v.entities:,}",
            ", ".join(f"{n} {s}" for s, n in v.skipped),
            v.version[:16],
            v.loaded_at.isoformat(timespec="seconds"),
            v.loaded_by or "",
            v.source,
        )
    console.print(table)


def _names_in(path: Path):
    """Each non-blank line: a name, or a JSON object {"name", "country", "birth_date"}."""
    from reetrace.services.screening import Party

    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                text = line.strip()
                if text.startswith("{"):
                    yield _party(text, number, Party)
                elif text:
                    yield text
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


def _party(text: str, number: int, party: type) -> object:
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if (
        not isinstance(doc, dict)
        or set(doc) - {"name", "country", "birth_date"}
        or not isinstance(doc.get("name"), str)
        or not all(isinstance(doc.get(k), str | None) for k in ("country", "birth_date"))
    ):
        raise UsageError(
            f"line {number}: a JSON line is an object with a string 'name' and, if any, string "
            "'country' and 'birth_date'"
        )
    return party(doc["name"], doc.get("country"), doc.get("birth_date"))


def _print_result(result: ScreeningResult) -> None:
    if not result.matches:
        console.print(f"[green]No match[/green] for {result.query!r} at threshold {result.threshold}.")
        return
    table = Table(title=f"{result.query} — {len(result.matches)} match(es) at threshold {result.threshold}")
    for column in ("score", "list", "entity", "schema", "name that matched", "countries"):
        table.add_column(column)
    for m in result.matches:
        table.add_row(f"{m.score:.3f}", m.list, m.entity, m.schema, m.name, ",".join(m.countries))
    console.print(table)
    # why each match scored as it did, one line a match in the table's order (a table cell is
    # too narrow for it); a match the matcher gave no explanation for has none
    for m in result.matches:
        explanation = _explanation_of(m)
        try:
            line = None if explanation is None else explanation_line(explanation)
        except (TypeError, ValueError, AttributeError):  # not as the contract gives it: left out
            line = None
        if line is not None:
            console.print(Text(f"  ↳ {m.list}:{m.entity}  {line}", style="dim"))


_NAME_KIND = {"alias": "alias", "weakAlias": "weak alias", "previousName": "former name"}
_ADJUSTMENT = {
    "birth_date": "birth date differs",
    "birth_date_agrees": "birth date agrees",
    "country": "country differs",
    "nationality": "nationality differs",
    "weak_alias": "weak alias",
}


def _explanation_of(match: object) -> Mapping[str, Any] | None:
    """A match's explanation as the contract gives it (docs/screening.md), or None."""
    found = getattr(match, "explanation", None)
    if found is not None and hasattr(found, "as_contract"):
        found = found.as_contract()
    return found if isinstance(found, Mapping) else None


def explanation_line(explanation: Mapping[str, Any]) -> str:
    """A match's explanation in one line: the listed name compared with when it is not the
    entity's main name, how and with what score, each aligned part (`=` written alike, `~` matched
    otherwise, `≠` not matched, `+` only in the listed name), then the adjustments, signed:
    `parts 0.93: hans = hans · j ~ joachim (initial 0.90) · + shaikh (listed only) | birth date
    differs −0.30`."""
    name = explanation.get("name") or {}
    head = f"{name.get('how') or 'name'} {_points(name.get('score'))}"
    kind = name.get("alias")
    if kind and kind != "name":
        head = f"{_NAME_KIND.get(kind, str(kind))} “{name.get('listed') or ''}”, {head}"
    parts = " · ".join(_part(p) for p in name.get("parts") or [])
    adjustments = ", ".join(
        f"{_ADJUSTMENT.get(a.get('by'), str(a.get('by')).replace('_', ' '))} {_signed(a.get('effect'))}"
        for a in explanation.get("adjustments") or []
    )
    return f"{head}: {parts or '—'}" + (f" | {adjustments}" if adjustments else "")


def _part(part: Mapping[str, Any]) -> str:
    query, listed, match = part.get("query") or "", part.get("listed") or "", str(part.get("match") or "")
    if match == "same":
        return f"{query} = {listed}"
    if match == "listed_only":
        return f"+ {listed} (listed only)"
    if match == "query_only":
        return f"{query} (query only)"
    if match == "different":
        return f"{query} ≠ {listed}"
    return f"{query} ~ {listed} ({match.replace('_', ' ')} {_points(part.get('score'))})"


def _points(value: Any) -> str:
    return "—" if value is None else f"{float(value):.2f}"


def _signed(value: Any) -> str:
    if value is None:
        return "—"
    number = float(value)
    return ("+" if number > 0 else "\N{MINUS SIGN}" if number < 0 else "") + f"{abs(number):.2f}"


@app.command()
@reports_errors
def screen(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="The name to screen (any script)."),
    file: Path | None = typer.Option(None, "--file", help="Screen every line of this file (UTF-8, one name a line)."),
    country: str | None = typer.Option(
        None, "--country", help="The party's country (ISO code): a mismatch lowers scores."
    ),
    birth_date: str | None = typer.Option(
        None, "--birth-date", help="The party's birth date (YYYY, YYYY-MM or YYYY-MM-DD): another lowers scores."
    ),
    threshold: float | None = typer.Option(None, "--threshold", help="Report scores from this on (default 0.8)."),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Screen a name, or every name of a file (a line may be a JSON object with its own country
    and birth date), against the loaded restricted-party lists."""
    from reetrace.services.screening import screen_names

    if (name is None) == (file is None):
        raise UsageError("give a NAME or --file NAMES.txt (one of them)")
    if name is not None and not name.strip():
        raise UsageError("the name to screen is empty")
    if file is not None and not file.is_file():
        raise UsageError(f"no such file: {file}")
    names = [name] if name is not None else _names_in(file) if file is not None else []
    results = screen_names(store_for(ctx), names, country, threshold, birth_date)
    for result in results:
        if format is Output.json and file is not None:
            typer.echo(json.dumps(result.as_contract(), ensure_ascii=False))
        elif format is Output.json:
            emit_json(result.as_contract())
        else:
            _print_result(result)
