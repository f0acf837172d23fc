"""Checkpoints kept current by the server (reetrace.services.log says when they are signed).

- When the application is made: a checkpoint covering whatever a crashed process committed.
- After each request whose method may change something (POST, PUT, PATCH, DELETE): a checkpoint
  if the request moved the log or a chain, signed before the response's last byte is sent, so a
  client that has its answer can have it proven. Where only chains moved, at most one every
  `checkpoint_spacing_seconds` (a flood of failed logins or rejected submissions does not sign
  one each).
- Every `checkpoint_seconds` while the server runs: reads leave entries in the access log.

After each changing request, before its last byte (so that a client holding its answer finds the
status lists up to date), and on the same periodic round, when the ledger or the access log
moved since the last time, the live credentials are held against the findings as they now stand
(`services.credential_status.review`): an ingest through the API revokes as `reetrace ingest`
does. Nothing is read when no credential is live.

After a request, each looks only when the request committed something (itself, or in the group
that wrote its submission) that no checkpoint covers yet, or that no review has seen
(`Store.commits`, `services.log.sealed`): a group of submissions signs its own checkpoint, so
most requests read nothing more and take no thread for it. On the periodic round (which also
covers other processes' writes) each is a few index look-ups when nothing moved. A checkpoint
that cannot be signed never fails a request: the reason is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reetrace.config import Settings
from reetrace.errors import Computing, ReetraceError
from reetrace.services.credential_status import moved_marker, review
from reetrace.services.log import seal, sealed
from reetrace.store.database import Store, commits_made

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))
logger = logging.getLogger("reetrace.checkpoints")


def install(app: FastAPI) -> None:
    store: Store = app.state.store
    settings: Settings = app.state.settings
    _warn(seal(store, settings))
    reviewer = _Reviewer(store, settings)
    app.add_middleware(_SealAfterChanges, store=store, settings=settings, reviewer=reviewer)
    opened = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with opened(application) as state:
            ticker = asyncio.create_task(_every(settings.checkpoint_seconds, store, settings, reviewer))
            try:
                yield state
            finally:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker

    app.router.lifespan_context = lifespan


async def _every(seconds: float, store: Store, settings: Settings, reviewer: _Reviewer) -> None:
    while True:
        await asyncio.sleep(seconds)
        _warn(await run_in_threadpool(seal, store, settings))
        await run_in_threadpool(reviewer.review)


class _Reviewer:
    """Revokes the credentials the findings now block, when anything moved since it last looked."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.seen: tuple[int, int] | None = None
        self.reviewed = 0  # the highest of this process's commits (`Store.commits`) looked at
        self.lock = threading.Lock()

    def reviewed_all(self, made: Sequence[int]) -> bool:
        """Whether a review has already looked at these commits of this process (a request's)."""
        return not made or max(made) <= self.reviewed

    def review(self, made: Sequence[int] | None = None) -> None:
        """`made`: only these commits of this process (a request's) are to be looked at: nothing
        is read when a review has already seen them."""
        with self.lock:
            if made is not None and self.reviewed_all(made):
                return
            written = self.store.commits.count
            try:
                marker = moved_marker(self.store)
                if marker != self.seen:
                    for revoked in review(self.store, self.settings, wait=False):
                        logger.info("credential %s of lot %s revoked", revoked.credential_id, revoked.lot)
                    self.seen = marker
                self.reviewed = max(self.reviewed, written)
            except Computing:  # a full audit is running in the background: the next round looks again
                return
            except (ReetraceError, OSError) as exc:
                logger.warning("credentials not reviewed: %s", exc)


class _SealAfterChanges:
    """ASGI middleware: after a request that may have changed something, sign a checkpoint (if
    anything moved) before the end of the response goes out."""

    def __init__(self, app: ASGIApp, store: Store, settings: Settings, reviewer: _Reviewer) -> None:
        self.app = app
        self.store = store
        self.settings = settings
        self.reviewer = reviewer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return

        async def sealing(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                if not (sealed(self.store, made) and self.reviewer.reviewed_all(made)):
                    await run_in_threadpool(self._after_change, list(made))  # one trip for both
            await send(message)

        with commits_made() as made:  # the request's commits, in whichever thread it made them
            await self.app(scope, receive, sealing)

    def _after_change(self, made: list[int]) -> None:
        spacing = timedelta(seconds=self.settings.checkpoint_spacing_seconds)
        _warn(seal(self.store, self.settings, spacing, made=made))
        self.reviewer.review(made)


def _warn(problem: str | None) -> None:
    if problem:
        logger.warning(problem)
