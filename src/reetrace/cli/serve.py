"""`reetrace serve`: the HTTP API (and the pages) on uvicorn."""

from __future__ import annotations

import typer

from reetrace.cli import app, console, reports_errors, settings


@app.command()
@reports_errors
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
):
    """Serve the HTTP API and the pages (the API's Swagger UI at /docs, for signed-in staff). The
    secret that binds CSRF tokens to sessions comes from REETRACE_SESSION_SECRET or a private
    file beside the store, made on first use. Behind a reverse proxy on this host, the client's
    address (for login throttling) is taken from its X-Forwarded-For."""
    import uvicorn

    from reetrace.api.app import create_app
    from reetrace.api.secret import session_secret

    config = settings(ctx)
    api = create_app(config, session_secret=session_secret(config))
    shown = f"[{host}]" if ":" in host else host
    console.print(f"reetrace serving on http://{shown}:{port}  (API docs for staff: http://{shown}:{port}/docs)")
    uvicorn.run(api, host=host, port=port, log_level="warning", access_log=False)
