"""Group commit: the submissions that arrive together are written in one transaction.

A server receives many small submissions at once (a machine's one-event report, an EPCIS
capture job). Each is authenticated in its own request's thread, before any lock. Then its
thread joins the queue of its store and waits for the writer's turn. Whoever gets the turn takes
the store's write locks, then cuts the group: *every* submission queued by then, including
those that arrived while another process held the store. It writes them in one transaction
(`ingest.write_each`, the path of a file ingest) that also signs one checkpoint covering them,
and hands the turn on. A thread whose submission was written by another's turn finds it done and
returns. Each submission is therefore answered only after the commit that holds it and the
checkpoint that covers it; what a group shares is the transaction and its checkpoint, not its
outcome: each keeps its own report, its own access-log entry and its own rejection. A group
whose transaction fails is written again one submission at a time, so one failing submission
never fails the others.

The queue belongs to the process. The processes of one server (`reetrace serve --workers N`),
and a `reetrace ingest` beside them, queue for the store itself: on SQLite on the lock file
beside it, on PostgreSQL on its advisory lock.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Engine

from reetrace.collector import collector_paused
from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.domain.submissions import Delivery
from reetrace.services.ingest import BATCH_EVENTS, Entry, IngestReport, entry, now, signers, write_each
from reetrace.services.workers import Job, authenticate_all
from reetrace.store.database import Store, commits_made, note_commits

T = TypeVar("T")


@dataclass(slots=True)
class _Slot(Generic[T]):
    """One caller's item in the queue, and what became of it."""

    item: T
    done: bool = False
    error: BaseException | None = None
    commits: list[int] = field(default_factory=list)  # the store's commits that wrote it (`Store.commits`)


class GroupCommit(Generic[T]):
    """A queue of items written in groups: `write(group)` records a group in one transaction.
    `holding()`, if given, is held from before a group is cut until it is written: the store's
    write locks, so that whatever arrives while another process writes goes in the next group
    rather than waiting for one more turn. `size(item)` bounds a group to `limit` (at least one
    item always goes)."""

    def __init__(
        self,
        write: Callable[[list[T]], None],
        size: Callable[[T], int] = lambda item: 1,
        limit: int = 1 << 62,
        holding: Callable[[], AbstractContextManager[object]] = nullcontext,
    ) -> None:
        self._write = write
        self._size = size
        self._limit = limit
        self._holding = holding
        self._queue: list[_Slot[T]] = []
        self._queue_lock = threading.Lock()
        self._turn = threading.Lock()

    def __call__(self, item: T) -> T:
        """Record `item` with whatever else is queued; returns once it is committed."""
        slot = _Slot(item)
        with self._queue_lock:
            self._queue.append(slot)
        while not slot.done:
            with self._turn, self._holding():
                if not slot.done:
                    self._commit(self._take())
        note_commits(slot.commits)  # the group's commit is this caller's too, whoever made it
        if slot.error is not None:
            raise slot.error
        return slot.item

    def _take(self) -> list[_Slot[T]]:
        """The queued items up to the group's limit, in order of arrival."""
        with self._queue_lock:
            total, cut = 0, 0
            for cut, slot in enumerate(self._queue):
                total += self._size(slot.item)
                if total > self._limit and cut > 0:
                    break
            else:
                cut = len(self._queue)
            group, self._queue = self._queue[:cut], self._queue[cut:]
        return group

    def _commit(self, group: list[_Slot[T]]) -> None:
        finished = False
        try:
            with commits_made() as made:
                written = self._written(group)
            for slot in written:
                slot.commits = made
            finished = True
        finally:  # even when interrupted, no member waits for a turn that has passed
            for slot in group:
                if not finished and slot.error is None:
                    slot.error = RuntimeError("the write of this group was interrupted")
                slot.done = True

    def _written(self, group: list[_Slot[T]]) -> list[_Slot[T]]:
        """Write the group; if it fails, each member alone. Returns the members written."""
        try:
            self._write([slot.item for slot in group])
            return group
        except Exception as exc:
            if len(group) == 1:
                group[0].error = exc
                return []
        return [slot for slot in group for written in [self._written([slot])] if written]


# one queue per store (its engine) and settings, for as long as the store is in use
_QUEUES: weakref.WeakKeyDictionary[Engine, dict[int, tuple[Settings, GroupCommit[Entry]]]] = weakref.WeakKeyDictionary()
_QUEUES_LOCK = threading.Lock()


def receive_one(
    store: Store,
    settings: Settings,
    delivery: Delivery,
    actor: Actor,
    door: str,
    sender: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> IngestReport:
    """Authenticate one submission (or EPCIS capture) here, then record it in the next group
    written to the store; its own report, once committed and covered by a checkpoint."""
    keys, enterprises = signers(store)
    with collector_paused():
        [result] = authenticate_all([delivery], Job(keys, enterprises, False, clock or now), parallel_from=2)
    done = _queue(store, settings)(entry(result, sender, actor, door))
    return done.report


def _queue(store: Store, settings: Settings) -> GroupCommit[Entry]:
    with _QUEUES_LOCK:
        queues = _QUEUES.setdefault(store.engine, {})
        found = queues.get(id(settings))
        if found is None:
            queue = GroupCommit(
                lambda group: write_each(store, settings, group, checkpoint=True),
                size=_events,
                limit=BATCH_EVENTS,
                holding=store.locked,
            )
            found = queues[id(settings)] = (settings, queue)  # the settings kept: their id stays theirs
        return found[1]


def _events(item: Entry) -> int:
    return max(1, getattr(item.item, "event_count", 0) or 0)
