"""`reetrace serve`: the HTTP API (and the pages) on uvicorn."""

from __future__ import annotations

import os

import typer

from reetrace.cli import app, console, reports_errors, settings
from reetrace.errors import ReetraceError


@app.command()
@reports_errors
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="Server processes sharing the port. Submissions that arrive together are written in one "
        "transaction per process; the processes queue for the store's write lock.",
    ),
):
    """Serve the HTTP API and the pages (the API's Swagger UI at /docs, for signed-in staff). The
    secret that binds CSRF tokens to sessions comes from REETRACE_SESSION_SECRET or a private
    file beside the store, made on first use. Behind a reverse proxy on this host, the client's
    address (for login throttling) is taken from its X-Forwarded-For."""
    import uvicorn

    from reetrace.api.app import create_app
    from reetrace.api.secret import session_secret

    config = settings(ctx)
    secret = session_secret(config)  # made here first, so that every process reads the same
    shown = f"[{host}]" if ":" in host else host
    if workers == 1:
        console.print(f"reetrace serving on http://{shown}:{port}  (API docs for staff: http://{shown}:{port}/docs)")
        api = create_app(config, session_secret=secret)
        uvicorn.run(api, host=host, port=port, log_level="warning", access_log=False)
        return
    from reetrace.api import prefork

    # each process builds the application from the environment (`api.app.from_environment`)
    os.environ["REETRACE_DB"] = config.db_url
    if (thresholds := ctx.find_root().params.get("thresholds")) is not None:
        os.environ["REETRACE_THRESHOLDS"] = str(thresholds)
    sockets = prefork.listening(host, port, workers)
    port = sockets[0].getsockname()[1]
    console.print(
        f"reetrace serving on http://{shown}:{port} in {workers} processes  "
        f"(API docs for staff: http://{shown}:{port}/docs)"
    )
    if prefork.serve(sockets) != 0:
        raise ReetraceError("a server process ended on its own; the others were stopped")
