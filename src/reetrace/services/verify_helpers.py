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
from collections.abc import Callable
from multiprocessing.connection import Connection
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
    """Both helpers, started on a snapshot; their results, or None where they saw another state
    or could not finish. `close` ends those still running (a verification that found the events
    changed does not wait for an audit it will not use)."""

    def __init__(self, store: Store, settings: Settings, key: bytes, tables: list[str], shared: str | None) -> None:
        url = store.engine.url.render_as_string(hide_password=False)
        self._digests = _Helper(_digests, url, key, tables, shared)
        self._findings = _Helper(_findings, url, settings, shared)

    def digests(self, expected_state: tuple[Any, ...], hasher: RowHasher) -> dict[str, MultisetDigest] | None:
        done = self._digests.result()
        if done is None or done[0] != expected_state:
            return None
        return {table: MultisetDigest.from_state(hasher, state) for table, state in done[1].items()}

    def findings(self, expected_state: tuple[Any, ...]) -> Findings | None:
        done = self._findings.result()
        return done[1] if done is not None and done[0] == expected_state else None

    def close(self) -> None:
        self._digests.close()
        self._findings.close()


class _Helper:
    """One forked process running `work(*args)`, its result sent back through a pipe."""

    def __init__(self, work: Callable[..., Any], *args: Any) -> None:
        context = mp.get_context("fork")
        self._receiving, sending = context.Pipe(duplex=False)
        self._process = context.Process(target=_run, args=(sending, work, args), daemon=True)
        self._process.start()
        sending.close()
        self._done: tuple[bool, Any] | None = None

    def result(self) -> Any:
        """What the helper made; None when it failed (its part is then done in the verification's
        own process, which reports whatever goes wrong there)."""
        if self._done is None:
            try:
                self._done = self._receiving.recv()
            except (EOFError, OSError):
                self._done = (False, None)
            self._process.join()
        return self._done[1] if self._done[0] else None

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receiving.close()


def _run(sending: Connection, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[bool, Any] = (True, work(*args))
    except (ReetraceError, SQLAlchemyError, OSError, ValueError) as exc:
        outcome = (False, repr(exc))
    sending.send(outcome)
    sending.close()


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
