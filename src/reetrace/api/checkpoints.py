"""Checkpoints kept current by the server (reetrace.services.log says when they are signed).

- When the application is made: a checkpoint covering whatever a crashed process committed.
- After each request whose method may change something (POST, PUT, PATCH, DELETE): a checkpoint
  if the request moved the log or a chain, signed before the response's last byte is sent, so a
  client that has its answer can have it proven. Where only chains moved, at most one every
  `checkpoint_spacing_seconds` (a flood of failed logins or rejected submissions does not sign
  one each).
- Every `checkpoint_seconds` while the server runs: reads leave entries in the access log. On
  the same round, when anything moved since the last, the live credentials are held against the
  findings as they now stand (`services.credential_status.review`).

Each is a few index look-ups when nothing moved. A checkpoint that cannot be signed never fails
a request: the reason is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reetrace.config import Settings
from reetrace.errors import ReetraceError
from reetrace.services.credential_status import review
from reetrace.services.log import latest_checkpoint, seal
from reetrace.store.database import Store

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))
logger = logging.getLogger("reetrace.checkpoints")


def install(app: FastAPI) -> None:
    store: Store = app.state.store
    settings: Settings = app.state.settings
    _warn(seal(store, settings))
    app.add_middleware(_SealAfterChanges, store=store, settings=settings)
    opened = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with opened(application) as state:
            ticker = asyncio.create_task(_every(settings.checkpoint_seconds, store, settings))
            try:
                yield state
            finally:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker

    app.router.lifespan_context = lifespan


async def _every(seconds: float, store: Store, settings: Settings) -> None:
    reviewed: str | None = None
    while True:
        await asyncio.sleep(seconds)
        _warn(await run_in_threadpool(seal, store, settings))
        reviewed = await run_in_threadpool(_review_credentials, store, settings, reviewed)


def _review_credentials(store: Store, settings: Settings, reviewed: str | None) -> str | None:
    """Revoke the credentials the findings now block, if anything moved since the last review
    (the latest checkpoint tells: it is signed whenever anything moved); the checkpoint reviewed."""
    try:
        latest = latest_checkpoint(store, settings)
        if latest != reviewed:
            for revoked in review(store, settings):
                logger.info("credential %s of lot %s revoked", revoked.credential_id, revoked.lot)
        return latest
    except (ReetraceError, OSError) as exc:
        logger.warning("credentials not reviewed: %s", exc)
        return reviewed


class _SealAfterChanges:
    """ASGI middleware: after a request that may have changed something, sign a checkpoint (if
    anything moved) before the end of the response goes out."""

    def __init__(self, app: ASGIApp, store: Store, settings: Settings) -> None:
        self.app = app
        self.store = store
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return

        async def sealing(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                spacing = timedelta(seconds=self.settings.checkpoint_spacing_seconds)
                _warn(await run_in_threadpool(seal, self.store, self.settings, spacing))
            await send(message)

        await self.app(scope, receive, sealing)


def _warn(problem: str | None) -> None:
    if problem:
        logger.warning(problem)
