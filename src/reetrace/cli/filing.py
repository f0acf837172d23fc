"""Commands for the enterprise side: make a signing key, sign a batch of events for filing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import typer

from reetrace.cli import app, console, err_console, reports_errors
from reetrace.errors import UsageError

keys_app = typer.Typer(help="The enterprise's signing keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

_AHEAD = timedelta(minutes=5)  # ingest rejects a created_at further ahead of its receipt (docs/contract.md §4)


@keys_app.command("new")
@reports_errors
def keys_new(
    out: Path = typer.Option(..., "--out", help="Directory for the key files (created if missing)."),
    name: str = typer.Option("signing", "--name", help="File name stem: NAME.key and NAME.pub.json."),
    valid_from: str | None = typer.Option(
        None, "--valid-from", help="RFC 3339 time the key is valid from (default: now, +08:00)."
    ),
):
    """Make an Ed25519 key pair and print its registry entry.

    Writes OUT/NAME.key (the private key, PKCS8 PEM, mode 0600) and OUT/NAME.pub.json.
    Prints the public part as an entry for the enterprise's `keys` in a reetrace/registry@1 document.
    Never overwrites an existing file.
    """
    from reetrace.filing.keys import new_key_pair
    from reetrace.filing.prepare import check_time, now

    if valid_from is None:
        valid_from = now()
    else:
        check_time(valid_from, "--valid-from")
    pair = new_key_pair(out, name, valid_from)
    err_console.print(
        f"private key: {pair.private_path} (mode 0600; keep it secret, keep a backup)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    err_console.print(
        f'public key:  {pair.public_path}; add this entry to your enterprise\'s "keys" in the registry:',
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    typer.echo(json.dumps(pair.registry_entry, indent=2))


@app.command()
@reports_errors
def sign(
    files: list[Path] | None = typer.Argument(
        None,
        metavar="EVENTS_FILE",
        help="Event files: JSON lines (*.jsonl, *.ndjson, one event a line) or CSV sheets (*.csv).",
    ),
    reporter: str | None = typer.Option(None, "--reporter", help="USCC of the reporting enterprise."),
    key: Path | None = typer.Option(None, "--key", help="Private key file made by `reetrace keys new`."),
    out: Path | None = typer.Option(None, "--out", help="Where to write the signed submission (JSON)."),
    created_at: str | None = typer.Option(
        None, "--created-at", help="RFC 3339 time of the submission (default: now, +08:00)."
    ),
    event_type: str | None = typer.Option(None, "--type", help="Event type of rows or lines that do not name one."),
    template: str | None = typer.Option(
        None, "--template", help="Print the CSV template of an event type (or `all`) and stop."
    ),
):
    """Check events against the contract and sign them into one reetrace/submission@1 file.

    Every event is checked before anything is signed; each problem is reported as FILE:LINE.
    Nothing is written unless all events are sound.
    `--template TYPE` prints a CSV sheet to start from; docs/filing.md explains its columns.
    """
    if template is not None:
        if files or reporter or key or out or created_at or event_type:
            raise UsageError("--template prints a CSV template; give it alone")
        _print_template(template)
        return
    if not files or reporter is None or key is None or out is None:
        given = (("EVENTS_FILE", files or None), ("--reporter", reporter), ("--key", key), ("--out", out))
        missing = [o for o, v in given if v is None]
        raise UsageError(f"missing {', '.join(missing)} (or use --template TYPE for a CSV template)")
    _sign(files, reporter, key, out, created_at, event_type)


def _sign(files: list[Path], reporter: str, key: Path, out: Path, created_at: str | None, event_type: str | None):
    from reetrace.filing import keys
    from reetrace.filing.prepare import (
        EventsRejected,
        check_reporter,
        check_time,
        count_by_type,
        events_after,
        now,
        prepare_submission,
        write_document,
    )

    check_reporter(reporter)
    created_at = created_at or now()
    created = check_time(created_at, "--created-at")
    private_key = keys.load_key(key)
    if keys.readable_by_others(key):
        _warn(f"{key} can be read by other users; restrict it with chmod 600")
    try:
        document = prepare_submission(files, reporter, private_key, created_at, event_type)
    except EventsRejected as exc:
        for problem in exc.problems:
            err_console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise
    if created - datetime.now(created.tzinfo) > _AHEAD:
        _warn(f"created_at {created_at} is more than 5 minutes ahead of now; ingest will reject it")
    if late := events_after(document):
        shown = ", ".join(late[:5]) + (f" and {len(late) - 5} more" if len(late) > 5 else "")
        _warn(f"events that happen after created_at {created_at}: {shown}")
    write_document(out, document)
    counts = ", ".join(f"{n} {t}" for t, n in count_by_type(document).items())
    total = len(document["events"])
    console.print(
        f"signed {total} event{'s' if total != 1 else ''} ({counts}) for {reporter} "
        f"with key {document['key_id']}, created_at {created_at}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(f"written to {out}", markup=False, highlight=False, soft_wrap=True)


def _print_template(name: str) -> None:
    from reetrace.filing.sheets import TEMPLATES

    if name == "all":
        typer.echo("\n".join(f"# {t.type}: {t.summary}\n{t.csv()}" for t in TEMPLATES.values()), nl=False)
        return
    template = TEMPLATES.get(name)
    if template is None:
        raise UsageError(f"--template {name!r}: expected all or one of {', '.join(TEMPLATES)}")
    typer.echo(template.csv(), nl=False)


def _warn(message: str) -> None:
    err_console.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)
