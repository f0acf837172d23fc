"""`reetrace certify`, `reetrace disclose` and `reetrace verify`: provenance certificates, made
from the store (complete, or redacted as an enterprise receives one), the commitments of a
redacted event opened for an auditor, and both checked offline. `verify` never opens a store: it
needs the certificate file and the keys only."""

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

from reetrace.certificates.outcome import Verification
from reetrace.cli import app, console, err_console, reports_errors, settings
from reetrace.cli.operator import operator
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
    for_enterprise: str | None = typer.Option(
        None,
        "--for",
        help="The certificate as this enterprise (USCC) receives it: its own events whole, every other redacted.",
    ),
):
    """Write a self-contained provenance certificate for a lot: its backward trace, every event the
    trace rests on with its inclusion proof, and the signed (and cosigned) checkpoint they are
    anchored to. Anyone can check it offline with `reetrace verify`."""
    from reetrace.certificates.bundle import dumps
    from reetrace.certificates.printable import COSIGNATURE_PAYLOAD, render_html, signature_lines
    from reetrace.cli.ledger import store_for
    from reetrace.contract.fields import is_uscc
    from reetrace.services.accounts import record_access
    from reetrace.services.certify import certify as make_certificate
    from reetrace.services.certify import enterprise_names, signing_key
    from reetrace.services.lots import lot_view

    if for_enterprise is not None and not is_uscc(for_enterprise):
        raise UsageError(f"--for {for_enterprise!r} is not a valid Unified Social Credit Code")
    store = store_for(ctx)
    certificate = make_certificate(store, settings(ctx), lot, for_enterprise=for_enterprise)
    record_access(
        store,
        operator(),
        "read",
        f"certificate of lot {lot}",
        lot_view(store, settings(ctx), lot).owner,
        f"redacted for {for_enterprise}" if for_enterprise else "complete",
    )
    text = dumps(certificate)
    _write(out, text)
    note = certificate["checkpoint"]
    size = note.split("\n", 2)[1]
    witnesses = sum(1 for _, payload in signature_lines(note) if len(payload) == COSIGNATURE_PAYLOAD)
    cosigned = f", cosigned by {witnesses} witness(es)" if witnesses else ""
    redacted = len(certificate.get("redacted", ()))
    console.print(
        f"certificate for lot [b]{escape(lot)}[/b] written to {escape(str(out))}: "
        f"{len(certificate['events']) + redacted} event(s)"
        + (f" ({redacted} redacted for {escape(for_enterprise or '')})" if redacted else "")
        + f", {len(certificate['trace']['origins'])} origin(s), anchored to the checkpoint of {size} leaves{cosigned}",
        highlight=False,
        soft_wrap=True,
    )
    if html is not None:
        from reetrace.services.credentials import lot_uri_of

        usccs = {e["reporter"] for e in certificate["events"]}
        page = render_html(
            certificate,
            enterprise_names(store, usccs),
            hashlib.sha256(text.encode("utf-8")).hexdigest(),
            lot_uri=lot_uri_of(store, settings(ctx), lot),
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
def disclose(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A redacted certificate (reetrace/redacted-certificate@1)."),
    leaf: int = typer.Option(..., "--leaf", help="The leaf of the redacted event to open."),
    field: list[str] = typer.Option(
        None, "--field", help="A hidden member to open, as its JSON Pointer (e.g. /reporter); repeat. Default: all."
    ),
    out: Path = typer.Option(..., "--out", help="Where to write the opening (reetrace/redaction-opening@1 JSON)."),
):
    """Open the commitments of a redacted event for an auditor: each hidden member's value and
    salt, which only the log's operator can give (the salts come from the log key). The auditor
    checks them with `reetrace verify FILE --log-key KEY --opening OPENING`."""
    from reetrace.cli.ledger import store_for
    from reetrace.services.accounts import record_access
    from reetrace.services.certify import open_redacted

    certificate = _read_json(file)
    if not isinstance(certificate, dict):
        raise UsageError(f"{file} is not a certificate")
    store = store_for(ctx)
    document = open_redacted(store, settings(ctx), certificate, leaf, list(field or ()) or None)
    reporter = document["openings"].get("/reporter", {}).get("value")
    record_access(
        store,
        operator(),
        "disclose",
        f"redacted event at leaf {leaf}",
        reporter if isinstance(reporter, str) else None,
        ", ".join(document["openings"]),
    )
    _write(out, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    console.print(
        f"{len(document['openings'])} commitment(s) of the event at leaf {leaf} opened in {escape(str(out))}",
        highlight=False,
        soft_wrap=True,
    )


def _read_json(file: Path) -> object:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no such file: {file}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"cannot read {file} as JSON: {exc}") from None


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
    opening: list[Path] = typer.Option(
        None, "--opening", help="An opening of a redacted event (`reetrace disclose`) to check too; repeat."
    ),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Check a provenance certificate offline, complete or redacted: the log's signature on its
    checkpoint, each given witness's cosignature, every event's inclusion proof, the log's
    signature on each redacted event, and the trace recomputed from the events and projections.
    Exits 0 when everything verifies, 1 listing every failure. Reads no store."""
    from reetrace.certificates.redaction import check_opening
    from reetrace.certificates.verify import verify as check

    document = _read_json(file)
    result = check(document, _key(log_key), [_key(k) for k in witness_key or ()])
    redacted = document.get("redacted") if isinstance(document, dict) else None
    for path in opening or ():
        opened = _read_json(path)
        leaf = opened.get("leaf_index") if isinstance(opened, dict) else None
        entry = next((e for e in redacted or () if isinstance(e, dict) and e.get("leaf_index") == leaf), None)
        if entry is None:
            result.failures.append(f"opening {path}: the certificate redacts no event at leaf {leaf!r}")
        else:
            result.failures.extend(f"opening {path}: {f}" for f in check_opening(entry, opened))
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
    """A certificate that verified: its lot, checkpoint and trace are all established."""
    cp, trace, lot, key = result.checkpoint, result.trace, result.lot, result.log_key
    if cp is None or trace is None or lot is None or key is None:
        raise AssertionError("a certificate that verifies has a lot, a checkpoint and a trace")
    console.print(
        f"[green]ok[/green]: the certificate for lot [b]{escape(lot)}[/b] verifies.",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"  checkpoint  {escape(cp.origin)}, {cp.size} leaves, root {base64.b64encode(cp.root_hash).decode()}"
        f" — signed by the log key {escape(key)}",
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
    if result.redacted:
        seen = ", ".join(result.seen_in_full) or "none"
        console.print(
            f"  redacted    issued to {escape(result.issued_to or '?')}; seen in full: {escape(seen)}; "
            f"{len(result.redacted_leaves)} redacted (leaves {', '.join(map(str, result.redacted_leaves))}), each "
            "projection and its commitments signed by the log key",
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
