"""`reetrace witness …`: an independent witness that cosigns the log's checkpoints and refuses a
split view. Its key and state live in its own directory (`--dir`), never in the log's store."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from reetrace.cli import app, console, err_console, reports_errors, settings
from reetrace.cli.ledger import store_for
from reetrace.cli.operator import operator
from reetrace.errors import UsageError

witness_app = typer.Typer(
    help="An independent witness: cosigns checkpoints that extend the last one it cosigned "
    "(C2SP tlog-cosignature) and refuses a split view.",
    no_args_is_help=True,
)
app.add_typer(witness_app, name="witness")

DIR = typer.Option(..., "--dir", help="The witness's directory: its key, trusted logs and alerts.")


@witness_app.command("init")
@reports_errors
def init(
    directory: Path = DIR,
    name: str = typer.Option(
        "reetrace.local/witness", "--name", help="The witness's key name, e.g. witness.example.org."
    ),
):
    """Make the witness's key and print its cosignature verifier key."""
    from reetrace.witness.witness import Witness

    witness = Witness.init(directory, name)
    err_console.print(
        f"witness key made in {escape(str(directory))}; give this verifier key to those who check its cosignatures:",
        highlight=False,
        soft_wrap=True,
    )
    typer.echo(witness.verifier_key())


@witness_app.command("key")
@reports_errors
def key(directory: Path = DIR):
    """Print the witness's cosignature verifier key: <name>+<hex id>+<base64(0x04 || public key)>."""
    from reetrace.witness.witness import Witness

    typer.echo(Witness.open(directory).verifier_key())


@witness_app.command("trust")
@reports_errors
def trust(
    directory: Path = DIR,
    log_key: str = typer.Option(..., "--log-key", help="The log's verifier key (`reetrace log key`)."),
):
    """Trust a log's verifier key.

    A log is known by its origin: trusting its next key after a rotation keeps the checkpoint
    the witness cosigned last, which the log must still extend."""
    from reetrace.witness.witness import Witness

    added = Witness.open(directory).trust(log_key)
    origin = log_key.strip().partition("+")[0]
    typer.echo(f"{'now trusting' if added else 'already trusted'} for {origin}: {log_key.strip()}")


@witness_app.command("cosign")
@reports_errors
def cosign(ctx: typer.Context, directory: Path = DIR):
    """Cosign the latest checkpoint of the log selected by --db.

    The log signs a checkpoint of its tree as it stands (if it grew) and proves it extends the one
    this witness cosigned last; the cosignature is recorded in the store beside the checkpoint.
    Prints the cosigned checkpoint; a split view exits 1."""
    from reetrace.services.witnessing import witness_log

    result = witness_log(store_for(ctx), settings(ctx), directory, actor=operator())
    since = (
        "its first checkpoint of this log"
        if result.previous_size is None
        else "the size it cosigned before"
        if result.previous_size == result.size
        else f"proven to extend size {result.previous_size}"
    )
    err_console.print(f"cosigned the checkpoint of size {result.size} ({since})", highlight=False, soft_wrap=True)
    typer.echo(result.note, nl=False)


@witness_app.command("observe")
@reports_errors
def observe(
    directory: Path = DIR,
    checkpoint_file: Path = typer.Argument(..., help="The log's signed checkpoint, as note text."),
    proof_file: Path | None = typer.Option(
        None,
        "--proof",
        help="A reetrace/consistency-proof@1 document from the size this "
        "witness cosigned last (`reetrace log consistency OLD NEW`).",
    ),
):
    """Cosign a checkpoint received by other means (offline, from files).

    Prints the cosigned note; a split view exits 1."""
    from reetrace.witness.witness import Witness, peek, read_consistency_proof

    note = _read(checkpoint_file)
    witness = Witness.open(directory)
    proof: list[bytes] = []
    old_size = None
    if proof_file is not None:
        try:
            doc = json.loads(_read(proof_file))
        except ValueError as exc:
            raise UsageError(f"cannot read {proof_file} as JSON: {exc}") from None
        old_size, new_size, proof = read_consistency_proof(doc)
        size = peek(note).size
        if new_size != size:
            raise UsageError(f"{proof_file} proves consistency up to size {new_size}, the checkpoint has {size}")
    typer.echo(witness.observe(note, proof, old_size=old_size), nl=False)


@witness_app.command("alerts")
@reports_errors
def alerts(
    directory: Path = DIR,
    as_json: bool = typer.Option(False, "--json", help="Print the alerts as JSON lines, with both notes."),
):
    """List the split views this witness refused, oldest first."""
    from reetrace.witness.witness import Witness

    records = Witness.open(directory).alerts()
    if as_json:
        for record in records:
            typer.echo(json.dumps(record, ensure_ascii=False))
        return
    if not records:
        console.print("no alerts: this witness has refused no split view.")
        return
    table = Table("time", "log", "kind", "cosigned (size, root)", "presented (size, root)", "reason")
    for r in records:
        table.add_row(
            *map(
                escape,
                (
                    r["time"],
                    r["origin"],
                    r["kind"],
                    f"{r['cosigned']['size']} {r['cosigned']['root_hash']}",
                    f"{r['presented']['size']} {r['presented']['root_hash']}",
                    r["reason"],
                ),
            )
        )
    console.print(table)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
