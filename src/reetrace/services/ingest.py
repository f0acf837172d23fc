"""Use case: ingest files and directories of signed submissions (docs/contract.md §4, §7).

Each submission is all-or-nothing. Authentication runs before the write lock is taken; the
ledger checks and appends run in one transaction per batch of submissions, so a process killed
at any moment leaves whole submissions or none of a batch, never part of one.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TypedDict

from reetrace.collector import collector_paused
from reetrace.config import Settings
from reetrace.domain.registry import SigningKey
from reetrace.domain.submissions import Authenticated, Rejection
from reetrace.errors import UsageError
from reetrace.services.intake import authenticate
from reetrace.services.supervision import Absorbed, absorb
from reetrace.store.database import Store
from reetrace.store.ledger_repo import append, record_rejections
from reetrace.store.registry_repo import known_enterprises, load_keys

# Events per write transaction: each commit rewrites the index pages its batch touched, so
# larger batches write each hot page fewer times (measured on 1.6M events: 20,000 → 60,000
# events a batch cut the writer's commit time by a fifth); memory holds about two of them.
BATCH_EVENTS = 60_000
PARALLEL_FROM_FILES = 16  # fewer files than this are authenticated in this process
# Submission bytes read ahead of the writer: about two write batches (a batch is some 35 MB of
# files), so the workers go on authenticating while a batch is written, and memory stays bounded
# however large the ingest.
IN_FLIGHT_BYTES = 64 << 20
ANALYZE_FROM_EVENTS = 50_000  # an ingest adding this many events refreshes the planner's statistics
# Workers yield the CPU to the process that writes: it alone is serial, so whatever time it
# loses to them lengthens the whole ingest, while they only ever need to stay one batch ahead.
WORKER_NICENESS = 5
INGEST_REPORT_FORMAT = "reetrace/ingest-report@1"


@dataclass(slots=True)
class IngestReport:
    submissions_accepted: int = 0
    submissions_duplicate: int = 0
    events_accepted: int = 0
    events_duplicate: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    supervision: Absorbed | None = None  # the last incremental update of the findings, if supervised

    def as_contract(self) -> dict[str, object]:
        return {
            "format": INGEST_REPORT_FORMAT,
            "submissions": {
                "accepted": self.submissions_accepted,
                "duplicate": self.submissions_duplicate,
                "rejected": len(self.rejected),
            },
            "events": {"accepted": self.events_accepted, "duplicate": self.events_duplicate},
            "rejected": [r.as_contract() for r in self.rejected],
        }


def submission_files(sources: Iterable[Path]) -> list[Path]:
    """The submission files named, directories expanded to their `*.json` files, taken in order
    of file name, then path: an archive kept as one folder per enterprise with a file per month
    is read month by month across enterprises, as it arrived. (Read folder by folder instead,
    each enterprise's year would be written all over the ledger's time index in turn; at a
    national year's size that index outgrows the page cache and every insert becomes a read.)"""
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            files.extend(sorted((p for p in source.rglob("*.json") if p.is_file()), key=lambda p: (p.name, p)))
        elif source.is_file():
            files.append(source)
        else:
            raise UsageError(f"no such file or directory: {source}")
    return files


def ingest(
    store: Store,
    sources: list[Path],
    as_received_created_at: bool = False,
    progress: Callable[[int], None] | None = None,
    clock: Callable[[], datetime] | None = None,
    with_log: bool = True,
    settings: Settings | None = None,
) -> IngestReport:
    """Ingest every submission in `sources`. `progress` is called with the number of files
    checked so far as the work goes on."""
    files = submission_files(sources)
    clock = clock or now
    with store.reading() as conn:
        keys = load_keys(conn)
        enterprises = known_enterprises(conn)
    report = IngestReport()
    with collector_paused():  # ingest allocates millions of short-lived acyclic objects
        _ingest_files(
            store,
            files,
            keys,
            enterprises,
            as_received_created_at,
            clock,
            progress,
            report,
            with_log,
            settings or Settings(),
        )
    if report.events_accepted >= ANALYZE_FROM_EVENTS:
        store.analyze()  # a bulk load changes what the query planner should expect
    report.rejected.sort(key=lambda r: r.source)
    return report


def _ingest_files(store, files, keys, enterprises, as_received, clock, progress, report, with_log, settings) -> None:
    for batch, failed, done in _batches(files, keys, enterprises, as_received, clock, progress):
        if batch:
            with store.writing() as conn:
                outcome = append(conn, batch, with_log)
                outcome.rejected = [_with_raw(r) for r in outcome.rejected]
                record_rejections(conn, outcome.rejected)
                if outcome.seqs:
                    report.supervision = absorb(conn, settings, outcome.seqs)  # findings kept up to date
            report.submissions_accepted += len(outcome.accepted)
            report.submissions_duplicate += len(outcome.duplicate)
            report.events_accepted += outcome.events_accepted
            report.events_duplicate += outcome.events_duplicate
            report.rejected.extend(outcome.rejected)
        if failed:
            with store.writing() as conn:
                record_rejections(conn, failed)
            report.rejected.extend(failed)
        if progress:
            progress(done)


def _batches(
    files, keys, enterprises, as_received, clock, progress
) -> Iterator[tuple[list[Authenticated], list[Rejection], int]]:
    batch: list[Authenticated] = []
    failed: list[Rejection] = []
    events = 0
    done = 0
    for result in _authenticate_all(files, keys, enterprises, as_received, clock):
        done += 1
        if progress and done % 8 == 0:
            progress(done)
        if isinstance(result, Rejection):
            failed.append(result)
            continue
        batch.append(result)
        events += result.event_count
        if events >= BATCH_EVENTS:
            yield batch, failed, done
            batch, failed, events = [], [], 0
    yield batch, failed, done


def _with_raw(rejection: Rejection) -> Rejection:
    """A rejection made after its bytes were dropped gets them back from its source file."""
    if rejection.raw is not None:
        return rejection
    try:
        return replace(rejection, raw=Path(rejection.source).read_bytes())
    except OSError:
        return rejection


def now() -> datetime:
    """The system's own clock: the time a submission is received."""
    return datetime.now().astimezone()


class _WorkerState(TypedDict, total=False):
    """What each authenticating process is given once, by `_init_worker`."""

    keys: Mapping[str, SigningKey]
    enterprises: set[str] | frozenset[str]
    as_received: bool
    clock: Callable[[], datetime]


_worker_state: _WorkerState = {}


def _init_worker(keys, enterprises, as_received, clock) -> None:
    _worker_state.update({"keys": keys, "enterprises": enterprises, "as_received": as_received, "clock": clock})


def _init_pool_worker(keys, enterprises, as_received, clock) -> None:
    _die_with_parent()
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass
    _init_worker(keys, enterprises, as_received, clock)


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this worker when the ingest that started it dies, so a
    killed ingest never leaves workers behind."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


def _authenticate_file(path: Path) -> Authenticated | Rejection:
    state = _worker_state
    keys, enterprises, as_received, clock = state["keys"], state["enterprises"], state["as_received"], state["clock"]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Rejection(str(path), "parse", f"cannot read: {exc.strerror}", clock())
    result = authenticate(raw, str(path), keys, enterprises, None if as_received else clock())
    return result if isinstance(result, Rejection) else result.without_raw()


def _authenticate_all(files, keys, enterprises, as_received, clock) -> Iterator[Authenticated | Rejection]:
    """Authenticate the files in order; with many files, in worker processes (one per core)
    while this process writes what is ready. Workers are forked (the caller needs no
    `__main__` guard) and never touch the store; the kernel ends them with the ingest, so a
    killed ingest leaves no worker holding a copy of its database connection."""
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(files) < PARALLEL_FROM_FILES or "fork" not in mp.get_all_start_methods():
        _init_worker(keys, enterprises, as_received, clock)
        yield from map(_authenticate_file, files)
        return
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context("fork"),
        initializer=_init_pool_worker,
        initargs=(keys, enterprises, as_received, clock),
    ) as pool:
        # A bounded window of files in flight: `pool.map` would read and keep every file's
        # result while the writer catches up, holding a whole national year in memory.
        pending: deque[tuple[Future[Authenticated | Rejection], int]] = deque()
        in_flight = 0
        for path in files:
            size = _file_size(path)
            pending.append((pool.submit(_authenticate_file, path), size))
            in_flight += size
            while in_flight >= IN_FLIGHT_BYTES and len(pending) > workers:
                future, size = pending.popleft()
                in_flight -= size
                yield future.result()
        while pending:
            yield pending.popleft()[0].result()


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # its worker reports why it cannot be read
