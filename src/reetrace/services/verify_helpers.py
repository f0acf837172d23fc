"""The parts of a verification that need not wait for the pass over the events, run beside it
in processes of their own: reading the derived tables into their digests, and auditing the
ledger afresh for the stored findings. On two cores the verification then takes about as long
as its longest part, not as long as all of them.

Each helper reads the snapshot the verification reads: on PostgreSQL the very same one
(exported, `SET TRANSACTION SNAPSHOT`); on SQLite its own, taken just after, and it reports the
ledger's state it saw (`reetrace.store.derived.state`): a helper that saw another state (a
write committed between the two) is not used, and its part is done again in the verification's
own snapshot. Helpers are forked (nothing to import again, no `__main__` guard needed) and
open connections of their own; they never write.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from reetrace.config import Settings
from reetrace.errors import ReetraceError
from reetrace.ledger.multiset import MultisetDigest, RowHasher
from reetrace.services.verify_derived import stored_digests
from reetrace.services.verify_findings import verify_findings
from reetrace.store import derived as stored
from reetrace.store.database import Store, open_store

# Below this many events the helpers' start costs more than they save.
HELP_FROM_EVENTS = 200_000

Digests = dict[str, tuple[dict[Any, int], dict[Any, int]]]
Findings = tuple[list[str], list[str], int | None]  # problems, notes, findings compared


def can_help(store: Store) -> bool:
    """Whether helpers can read this store from processes of their own."""
    url = store.engine.url
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    return (os.cpu_count() or 1) >= 2 and "fork" in mp.get_all_start_methods() and not in_memory


class Helpers:
    """Both helpers, started on a snapshot; their results, or None where they saw another state."""

    def __init__(self, store: Store, settings: Settings, key: bytes, tables: list[str], shared: str | None) -> None:
        self._pool = ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("fork"))
        url = store.engine.url.render_as_string(hide_password=False)
        self._digests: Future[tuple[tuple[Any, ...], Digests]] = self._pool.submit(_digests, url, key, tables, shared)
        self._findings: Future[tuple[tuple[Any, ...], Findings]] = self._pool.submit(_findings, url, settings, shared)

    def digests(self, expected_state: tuple[Any, ...], hasher: RowHasher) -> dict[str, MultisetDigest] | None:
        done = _outcome(self._digests)
        if done is None or done[0] != expected_state:
            return None
        return {table: MultisetDigest.from_state(hasher, state) for table, state in done[1].items()}

    def findings(self, expected_state: tuple[Any, ...]) -> Findings | None:
        done = _outcome(self._findings)
        return done[1] if done is not None and done[0] == expected_state else None

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _outcome(future: Future[Any]) -> Any:
    """A helper's result; None when it could not finish (its part is then done in the
    verification's own process, which reports what goes wrong there)."""
    try:
        return future.result()
    except (BrokenProcessPool, ReetraceError, SQLAlchemyError, OSError):
        return None


def _digests(url: str, key: bytes, tables: list[str], shared: str | None) -> tuple[tuple[Any, ...], Digests]:
    store = open_store(url, migrate=False)
    try:
        with stored.snapshot(store, shared) as conn:
            seen = stored.state(conn)
            digests = stored_digests(conn, tables, RowHasher(key))
        return seen, {table: digest.state() for table, digest in digests.items()}
    finally:
        store.dispose()


def _findings(url: str, settings: Settings, shared: str | None) -> tuple[tuple[Any, ...], Findings]:
    store = open_store(url, migrate=False)
    try:
        with stored.snapshot(store, shared) as conn:
            seen = stored.state(conn)
            problems: list[str] = []
            notes: list[str] = []
            count = verify_findings(conn, settings, problems, notes)
        return seen, (problems, notes, count)
    finally:
        store.dispose()
