"""Authenticating many submissions at once: in worker processes, one per core, while the
process that started them writes what is ready (reetrace.services.ingest).

Workers are forked (the caller needs no `__main__` guard), read their files within the size
bound, authenticate them (reetrace.services.intake) and never touch the store; the kernel ends
them with the ingest, so a killed ingest leaves no worker holding a copy of its database
connection. A bounded window of files is in flight, so memory stays bounded however large the
ingest. An EPCIS capture (a `Delivery` with its envelope, or an `X.jsonld` file with its
`X.jsonld.jws`) is authenticated by reetrace.services.intake_epcis, anything else as a §4
submission.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reetrace.domain.captures import CaptureFacts
from reetrace.domain.problems import Problem
from reetrace.domain.registry import SigningKey
from reetrace.domain.submissions import Authenticated, Delivery, Rejection
from reetrace.services.intake import authenticate, read_file
from reetrace.services.intake_epcis import authenticate_capture, is_capture_file, read_capture_file

# Submission bytes read ahead of the writer: about two write batches (a batch is some 35 MB of
# files), so the workers go on authenticating while a batch is written, and memory stays bounded
# however large the ingest.
IN_FLIGHT_BYTES = 64 << 20
# Workers yield the CPU to the process that writes: it alone is serial, so whatever time it
# loses to them lengthens the whole ingest, while they only ever need to stay one batch ahead.
WORKER_NICENESS = 5

Item = Authenticated | Rejection


@dataclass(frozen=True, slots=True)
class Job:
    """What every authentication of one ingest needs, set once in each worker."""

    keys: Mapping[str, SigningKey]
    enterprises: set[str] | frozenset[str]
    as_received: bool  # take each signed created_at as its time of receipt
    clock: Callable[[], datetime]


_job: list[Job] = []  # the job this process works for (one at a time)


def authenticate_all(sources: Sequence[Path | Delivery], job: Job, parallel_from: int) -> Iterator[Item]:
    """Authenticate the sources (files to read, or bytes received) in order; from
    `parallel_from` of them, in worker processes."""
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(sources) < parallel_from or "fork" not in mp.get_all_start_methods():
        _job[:] = [job]
        yield from map(_authenticate_one, sources)
        return
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=mp.get_context("fork"), initializer=_init_pool_worker, initargs=(job,)
    ) as pool:
        # A bounded window of files in flight: `pool.map` would read and keep every file's
        # result while the writer catches up, holding a whole national year in memory.
        pending: deque[tuple[Future[Item], int]] = deque()
        in_flight = 0
        for source in sources:
            size = _file_size(source)
            pending.append((pool.submit(_authenticate_one, source), size))
            in_flight += size
            while in_flight >= IN_FLIGHT_BYTES and len(pending) > workers:
                future, size = pending.popleft()
                in_flight -= size
                yield future.result()
        while pending:
            yield pending.popleft()[0].result()


def _init_pool_worker(job: Job) -> None:
    die_with_parent()
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass
    _job[:] = [job]


def die_with_parent() -> None:
    """On Linux, ask the kernel to kill this process when the one that started it dies (an
    ingest's workers, a server's processes), so a killed parent never leaves them behind."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


def _authenticate_one(source: Path | Delivery) -> Item:
    job = _job[0]
    stamp = job.clock()
    if isinstance(source, Path):
        capture = is_capture_file(source)
        try:
            delivery = read_capture_file(source) if capture else read_file(source)
        except OSError as exc:
            problem = Problem("unreadable", f"cannot read: {exc.strerror or exc}")
            return Rejection(str(source), "parse", problem, stamp, capture=CaptureFacts() if capture else None)
    else:
        delivery = source
    received_at = None if job.as_received else stamp
    if delivery.capture is not None:  # an EPCIS document and its detached JWS
        result = authenticate_capture(delivery, job.keys, job.enterprises, received_at)
    else:
        result = authenticate(delivery, delivery.source, job.keys, job.enterprises, received_at)
    if isinstance(result, Authenticated) and isinstance(source, Path):
        return result.without_raw()  # its file is read again should it be needed
    return result


def _file_size(source: Path | Delivery) -> int:
    if isinstance(source, Delivery):
        return source.size
    try:
        return source.stat().st_size
    except OSError:
        return 0  # its worker reports why it cannot be read
