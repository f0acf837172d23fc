"""The store a command works on, opened once per command, with its checkpoints kept current.

Opening it signs a checkpoint first when the log or a chain moved since the latest one (a
process that crashed between a commit and its checkpoint); the command's own changes are
signed when it ends. Neither fails the command: when no checkpoint can be signed (the key is
out of reach, the store no longer agrees with the last checkpoint) a warning says why, and
`reetrace log verify` says what differs.
"""

from __future__ import annotations

import typer
from rich.markup import escape

from reetrace.cli import err_console, settings
from reetrace.store.database import Store

_KEY = "reetrace.store"


def store_for(ctx: typer.Context) -> Store:
    from reetrace.services.log import seal
    from reetrace.store.database import open_store

    root = ctx.find_root()
    store = root.meta.get(_KEY)
    if store is None:
        config = settings(ctx)
        store = open_store(config.db_url)
        root.meta[_KEY] = store
        _warn(seal(store, config))
        root.call_on_close(lambda: _warn(seal(store, config)))
    return store


def _warn(problem: str | None) -> None:
    if problem:
        err_console.print(f"[yellow]warning:[/yellow] {escape(problem)}", highlight=False, soft_wrap=True)
