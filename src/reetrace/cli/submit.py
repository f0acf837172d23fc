"""`reetrace submit FILE --to URL --token T`: send a signed submission to a reetrace server and
say what became of it. Exit 0 accepted or duplicate, 1 rejected (or the server could not take
it), 2 bad usage."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from reetrace.cli import app, console, err_console, reports_errors
from reetrace.errors import ReetraceError, UsageError


@app.command()
@reports_errors
def submit(
    file: Path = typer.Argument(..., help="A signed reetrace/submission@1 file."),
    to: str = typer.Option(..., "--to", help="The server, e.g. http://127.0.0.1:8000"),
    token: str = typer.Option(..., "--token", envvar="REETRACE_TOKEN", help="An API token."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds to wait for the answer."),
):
    """Send a signed submission to a server; print accepted, duplicate or rejected with the reason."""
    import httpx

    if not to.startswith(("http://", "https://")):
        raise UsageError(f"--to must be an http:// or https:// URL, not {to!r}")
    url = to.rstrip("/") + "/api/submissions"
    try:
        with file.open("rb") as stream:  # streamed: a file of any size is sent, never held whole
            answer = httpx.post(
                url,
                content=iter(lambda: stream.read(1 << 20), b""),
                timeout=timeout,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from None
    except httpx.HTTPError as exc:
        raise ReetraceError(f"cannot reach the server at {to}: {exc}") from None
    try:
        body = answer.json()
    except ValueError:
        body = {}
    report = body if isinstance(body, dict) else {}
    rejected = report.get("rejected") or []
    if answer.status_code in (200, 201) and isinstance(report.get("submissions"), dict):
        events = report.get("events", {})
        if report["submissions"].get("accepted"):
            console.print(
                f"accepted: {events.get('accepted', 0)} event(s) recorded"
                + (f", {events['duplicate']} already recorded" if events.get("duplicate") else "")
            )
        else:
            console.print(f"duplicate: already recorded, nothing changed ({events.get('duplicate', 0)} event(s))")
        return
    if rejected:
        err_console.print(f"rejected: {rejected[0].get('reason')}", highlight=False, soft_wrap=True)
        sys.exit(1)
    error = found if isinstance(found := report.get("error"), dict) else {}
    raise ReetraceError(
        f"the server refused the submission ({answer.status_code}): {error.get('message') or answer.text[:200]}"
    )
