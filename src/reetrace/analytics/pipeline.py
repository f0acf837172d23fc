"""A pipeline of stages, each in its own thread, so that an export uses more than one core.

Reading the ledger runs Python code (database rows into Arrow columns) in the calling thread;
parsing and flattening, then encoding and compressing Parquet, run mostly in Arrow's native code,
which releases the GIL, so the stages overlap. Between two stages at most `ahead` items wait:
memory stays bounded whatever the size of the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from queue import Queue
from threading import Thread
from typing import Any

_STOP = object()


def run_pipeline(source: Iterable[Any], stages: list[Callable[[Any], Any]], ahead: int = 2) -> None:
    """Pass each item of `source` (read in this thread) through `stages` in order, each stage in
    a thread of its own; the last stage's results are dropped. The first error, in the source or
    in any stage, stops the pipeline and is raised here once every thread has ended."""
    failed: list[BaseException] = []
    queues: list[Queue] = [Queue(maxsize=ahead) for _ in stages]

    def run(stage: Callable[[Any], Any], inbox: Queue, outbox: Queue | None) -> None:
        while (item := inbox.get()) is not _STOP:
            if failed:
                continue  # drain, so that the stage before never blocks
            try:
                result = stage(item)
            except BaseException as exc:
                failed.append(exc)
                continue
            if outbox is not None:
                outbox.put(result)
        if outbox is not None:
            outbox.put(_STOP)

    threads = [
        Thread(
            target=run,
            args=(stage, queues[i], queues[i + 1] if i + 1 < len(stages) else None),
            name=f"pipeline-stage-{i}",
            daemon=True,
        )
        for i, stage in enumerate(stages)
    ]
    for thread in threads:
        thread.start()
    try:
        for item in source:
            if failed:
                break
            queues[0].put(item)
    finally:
        queues[0].put(_STOP)
        for thread in threads:
            thread.join()
    if failed:
        raise failed[0]
