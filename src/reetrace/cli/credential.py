"""`reetrace credential`: a lot's provenance as a W3C Verifiable Credential (docs/contract.md §11,
docs/credentials.md) — issue it, verify one, show the authority's full provenance, and export
what an offline verifier needs (the issuer's DID document, a status list)."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer
from rich.markup import escape

from reetrace.cli import app, console, err_console, reports_errors, settings
from reetrace.errors import UsageError

credential_app = typer.Typer(help="Provenance credentials (W3C VC 2.0, UNTP Digital Product Passport).")
app.add_typer(credential_app, name="credential")

MAX_FILE = 8 * 1024 * 1024  # a credential file, a DID document or a status list read from disk


class Securing(str, Enum):
    di = "di"
    jwt = "jwt"


class Output(str, Enum):
    table = "table"
    json = "json"


def _store(ctx: typer.Context):
    from reetrace.cli.store import store_for

    return store_for(ctx)


def _write(path: Path, doc: object) -> None:
    from reetrace.files import replace_atomically

    try:
        replace_atomically(path, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc}") from None


def read_json_file(path: Path, what: str) -> object:
    """A JSON file given on the command line, bounded, or a usage error saying what is wrong."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE + 1)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if len(data) > MAX_FILE:
        raise UsageError(f"{what} {path} is larger than {MAX_FILE // (1024 * 1024)} MiB")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"{what} {path} is not UTF-8 JSON: {exc}") from None


@credential_app.command("issue")
@reports_errors
def issue(
    ctx: typer.Context,
    lot: str = typer.Argument(..., help="The lot whose provenance the credential states."),
    securing: Securing = typer.Option(Securing.di, "--securing", help="di: Data Integrity proof; jwt: vc+jwt."),
    out: Path = typer.Option(..., "--out", help="Where to write the credential (JSON)."),
):
    """Issue a lot's provenance credential, signed by the issuer's key (did:web)."""
    from reetrace.cli.operator import operator
    from reetrace.services import credentials

    actor = operator()
    issued = credentials.issue(_store(ctx), settings(ctx), lot, securing.value, actor=actor, issued_by=actor.username)
    _write(out, issued.document)
    legal = "every origin legal" if issued.all_origins_legal else "[red]a blocking finding stands upstream[/red]"
    console.print(
        f"credential {issued.credential_id} for lot [b]{escape(lot)}[/b] ({securing.value}): {legal}; written to "
        f"{escape(str(out))}",
        highlight=False,
        soft_wrap=True,
    )


@credential_app.command("events")
@reports_errors
def events(
    ctx: typer.Context,
    submission: int = typer.Argument(..., min=1, help="The submission's number (`id` in GET /api/submissions)."),
    securing: Securing = typer.Option(Securing.di, "--securing", help="di: Data Integrity proof; jwt: vc+jwt."),
    out: Path = typer.Option(..., "--out", help="Where to write the credential (JSON)."),
):
    """Issue a submission's events as a UNTP Digital Traceability Event credential."""
    from reetrace.cli.operator import operator
    from reetrace.services.credential_events import issue_events

    actor = operator()
    issued = issue_events(_store(ctx), settings(ctx), submission, securing.value, actor=actor, issued_by=actor.username)
    _write(out, issued.document)
    console.print(
        f"events credential {issued.credential_id} of submission {submission} ({securing.value}) written to "
        f"{escape(str(out))}",
        highlight=False,
        soft_wrap=True,
    )


@credential_app.command("verify")
@reports_errors
def verify(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A credential, as issued."),
    did_document: Path | None = typer.Option(
        None, "--did-document", help="The issuer's DID document (did.json), to verify with nothing online."
    ),
    status_list: Path | None = typer.Option(
        None, "--status-list", help="The status list credential, to check revocation offline."
    ),
    format: Output = typer.Option(Output.table, "--format"),
):
    """Verify a credential: its signature with the issuer's key, the UNTP schema, its validity
    period and whether it is revoked — from the status list file, else from the store, else
    from the status list's URL; says which, or that its status could not be checked. Exits 0
    when it verifies and is not revoked, 1 otherwise."""
    from reetrace.services.credential_verify import verify_credential_file

    report = verify_credential_file(
        read_json_file(file, "credential"),
        did_document=read_json_file(did_document, "DID document") if did_document else None,
        status_list=read_json_file(status_list, "status list") if status_list else None,
        settings=settings(ctx),
    )
    if format is Output.json:
        typer.echo(json.dumps({**report.as_json(), "file": str(file)}, ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_report(report) -> None:
    out = console if report.ok else err_console
    if report.ok:
        out.print(f"[green]ok[/green]: {escape(report.summary())}", highlight=False, soft_wrap=True)
    else:
        out.print(f"[red]not valid[/red]: {escape(report.summary())}", highlight=False, soft_wrap=True)
    for check in report.checks:
        mark = {True: "[green]✓[/green]", False: "[red]✗[/red]", None: "[yellow]?[/yellow]"}[check.ok]
        out.print(f"  {mark} {escape(check.name):<10} {escape(check.text)}", highlight=False, soft_wrap=True)


@credential_app.command("provenance")
@reports_errors
def provenance(
    ctx: typer.Context,
    lot: str = typer.Argument(...),
    format: Output = typer.Option(Output.json, "--format"),
):
    """A lot's provenance stage by stage with every enterprise named (the authority's view;
    a credential names none). Written to the access log, as a certificate is."""
    from reetrace.cli.operator import operator
    from reetrace.services import credentials
    from reetrace.services.accounts import record_access
    from reetrace.services.lots import lot_view

    store = _store(ctx)
    doc = credentials.full_provenance(store, lot).as_contract()
    record_access(store, operator(), "read", f"provenance of lot {lot}", lot_view(store, settings(ctx), lot).owner)
    if format is Output.json:
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    for stage in doc["stages"]:
        places = "; ".join(f"{p['country'] or '?'} {p['enterprise'] or ''}".strip() for p in stage["places"])
        console.print(f"{stage['name']:<10} {escape(places)}", highlight=False, soft_wrap=True)
    console.print(f"Chinese-origin share {doc['chinese_origin_share']:.4f}", highlight=False)


@credential_app.command("did-document")
@reports_errors
def did_document_command(ctx: typer.Context, out: Path = typer.Option(..., "--out")):
    """Write the issuer's DID document, for verifying credentials with nothing online."""
    from reetrace.services import credentials

    _write(out, credentials.did_document(_store(ctx), settings(ctx)))
    console.print(f"DID document of {escape(credentials.issuer_did(settings(ctx)))} written to {escape(str(out))}")


@credential_app.command("status-list")
@reports_errors
def status_list_command(
    ctx: typer.Context,
    number: int = typer.Option(1, "--list", min=1, help="Which status list (1 holds the first 131,072 credentials)."),
    out: Path = typer.Option(..., "--out"),
):
    """Write a status list credential as it stands now, for checking revocation offline."""
    from reetrace.services import credentials

    _write(out, credentials.status_list_credential(_store(ctx), settings(ctx), number))
    console.print(f"status list {number} written to {escape(str(out))}")


@credential_app.command("review")
@reports_errors
def review(ctx: typer.Context):
    """Hold every live credential against the findings as they stand; revoke those a blocking
    finding now stands against (done after every ingest, registry load and audit)."""
    from reetrace.cli.operator import operator
    from reetrace.services import credential_status

    revoked = credential_status.review(_store(ctx), settings(ctx), actor=operator())
    for r in revoked:
        codes = ", ".join(sorted({f["code"] for f in r.reason["findings"]}))
        console.print(f"revoked {r.credential_id} (lot {escape(r.lot)}): {escape(codes)}", highlight=False)
    console.print(f"{len(revoked)} credential(s) revoked")
