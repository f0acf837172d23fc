"""`reetrace certify` and `reetrace verify`: provenance certificates, made from the store and
checked offline. `verify` never opens a store: it needs the certificate file and the keys only."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from reetrace.cli import app, console, err_console, reports_errors, settings
from reetrace.errors import UsageError

if TYPE_CHECKING:
    from reetrace.certificates.verify import Verification


class Output(str, Enum):
    table = "table"
    json = "json"


@app.command()
@reports_errors
def certify(
    ctx: typer.Context,
    lot: str = typer.Argument(..., help="Lot id."),
    out: Path = typer.Option(..., "--out", help="Where to write the certificate (reetrace/certificate@1 JSON)."),
    html: Path | None = typer.Option(
        None, "--html", help="Also write a printable certificate (HTML, A4, with a QR code)."
    ),
):
    """Write a self-contained provenance certificate for a lot: its backward trace, every event the
    trace rests on with its inclusion proof, and the signed (and cosigned) checkpoint they are
    anchored to. Anyone can check it offline with `reetrace verify`."""
    from reetrace.certificates.bundle import dumps
    from reetrace.certificates.printable import COSIGNATURE_PAYLOAD, render_html, signature_lines
    from reetrace.cli.ledger import store_for
    from reetrace.services.certify import certify as make_certificate
    from reetrace.services.certify import enterprise_names, signing_key

    store = store_for(ctx)
    certificate = make_certificate(store, settings(ctx), lot)
    text = dumps(certificate)
    _write(out, text)
    note = certificate["checkpoint"]
    size = note.split("\n", 2)[1]
    witnesses = sum(1 for _, payload in signature_lines(note) if len(payload) == COSIGNATURE_PAYLOAD)
    cosigned = f", cosigned by {witnesses} witness(es)" if witnesses else ""
    console.print(
        f"certificate for lot [b]{escape(lot)}[/b] written to {escape(str(out))}: "
        f"{len(certificate['events'])} event(s), {len(certificate['trace']['origins'])} origin(s), "
        f"anchored to the checkpoint of {size} leaves{cosigned}",
        highlight=False,
        soft_wrap=True,
    )
    if html is not None:
        usccs = {e["reporter"] for e in certificate["events"]}
        page = render_html(
            certificate, enterprise_names(store, usccs), hashlib.sha256(text.encode("utf-8")).hexdigest()
        )
        _write(html, page)
        console.print(f"printable certificate written to {escape(str(html))}", highlight=False, soft_wrap=True)
    key = signing_key(store, certificate)
    if key:
        console.print(
            f"check it offline with: reetrace verify {escape(str(out))} --log-key {key}",
            highlight=False,
            soft_wrap=True,
        )


@app.command()
@reports_errors
def verify(
    file: Path = typer.Argument(..., help="A certificate written by `reetrace certify`."),
    log_key: str = typer.Option(
        ..., "--log-key", help="The log's verifier key (`reetrace log key`), or a file holding it."
    ),
    witness_key: list[str] | None = typer.Option(
        None,
        "--witness-key",
        help="A witness's verifier key (or a file holding it) whose cosignature is required; repeat for several.",
    ),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Check a provenance certificate offline: the log's signature on its checkpoint, each given
    witness's cosignature, every event's inclusion proof, and the trace recomputed from the events.
    Exits 0 when everything verifies, 1 listing every failure. Reads no store."""
    from reetrace.certificates.verify import verify as check

    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no such file: {file}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"cannot read {file} as JSON: {exc}") from None
    result = check(document, _key(log_key), [_key(k) for k in witness_key or ()])
    if format is Output.json:
        typer.echo(json.dumps({**result.as_json(), "file": str(file)}, ensure_ascii=False, indent=2))
    elif result.ok:
        _print_ok(result)
    else:
        _print_failures(result)
    if not result.ok:
        raise typer.Exit(1)


def _key(value: str) -> str:
    """A key given inline, or the path of a file holding one."""
    path = Path(value)
    if "+" not in value and path.is_file():
        return path.read_text(encoding="utf-8").strip()
    return value


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc}") from None


def _print_ok(result: Verification) -> None:
    cp, trace, lot, log_key = result.checkpoint, result.trace, result.lot, result.log_key
    assert cp and trace and lot and log_key, "a certificate that verifies names its lot, checkpoint, key and trace"
    console.print(
        f"[green]ok[/green]: the certificate for lot [b]{escape(lot)}[/b] verifies.",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"  checkpoint  {escape(cp.origin)}, {cp.size} leaves, root {base64.b64encode(cp.root_hash).decode()}"
        f" — signed by the log key {escape(log_key)}",
        highlight=False,
        soft_wrap=True,
    )
    for c in result.cosigned:
        when = datetime.fromtimestamp(c.timestamp, UTC).isoformat()
        console.print(f"  witness     {escape(c.witness)} cosigned it at {when}", highlight=False, soft_wrap=True)
    console.print(
        f"  events      {result.included} of {result.events}, each proven included in the log (RFC 9162)",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"  trace       recomputed from the events: {len(trace['origins'])} origin(s), "
        f"{trace['reo_kg']:.3f} kg REO, every figure as in the certificate",
        highlight=False,
        soft_wrap=True,
    )
    table = Table("origin lot", "type", "enterprise", "event", "elements (kg)", "REO kg")
    for column in table.columns[:-1]:
        column.overflow = "fold"
    table.columns[-1].justify = "right"
    for o in trace["origins"]:
        elements = ", ".join(f"{e} {kg:.3f}" for e, kg in o["elements_kg"].items())
        event_id = o["event"].partition(":")[2] if o["event"] else "—"
        table.add_row(
            *map(escape, (o["lot"], o["type"], o["enterprise"] or "—", event_id, elements, f"{o['reo_kg']:.3f}"))
        )
    console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow]: {escape(warning)}", highlight=False, soft_wrap=True)


def _print_failures(result: Verification) -> None:
    count = len(result.failures)
    err_console.print(
        f"[red]the certificate does not verify[/red]: {count} problem{'s' if count != 1 else ''}", highlight=False
    )
    for failure in result.failures:
        err_console.print(f"  - {escape(failure)}", highlight=False, soft_wrap=True)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning[/yellow]: {escape(warning)}", highlight=False, soft_wrap=True)
