"""The group commit queue on its own: items queued while a group is written go together in the
next one, each caller returns only after the group holding its item was written, a group is cut
only once its writer holds the store (what arrives while another writes goes with it), a group
that fails is written again one item at a time so that only the failing item's caller sees the
failure, and a group's size stays within its limit."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from reetrace.services.group_commit import GroupCommit


class Recorder:
    """A `write` that records its groups; the first group waits until released, so that
    others queue behind it."""

    def __init__(self, fail_on: set[int] | None = None) -> None:
        self.groups: list[list[int]] = []
        self.committed: set[int] = set()
        self.release = threading.Event()
        self.entered = threading.Event()
        self.fail_on = fail_on or set()

    def write(self, group: list[int]) -> None:
        self.entered.set()
        self.release.wait(10)
        if self.fail_on & set(group):
            raise ValueError(f"refused {sorted(self.fail_on & set(group))}")
        self.groups.append(list(group))
        self.committed.update(group)


def run_all(queue: GroupCommit[int], items: list[int], first_alone: bool = True) -> dict[int, object]:
    """Call the queue for every item from a thread each; the first item's group is held open
    until all the others have queued. Returns what each call gave (its item, or its error)."""
    results: dict[int, object] = {}

    def call(item: int) -> None:
        try:
            results[item] = queue(item)
        except Exception as exc:  # the caller's own failure
            results[item] = exc

    threads = [threading.Thread(target=call, args=(item,)) for item in items]
    threads[0].start()
    return _finish(queue, threads, results)


def _finish(queue, threads, results):
    recorder: Recorder = queue._write.__self__  # type: ignore[attr-defined]
    assert recorder.entered.wait(10)
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 10
    while len(queue._queue) < len(threads) - 1 and time.monotonic() < deadline:
        time.sleep(0.005)
    recorder.release.set()
    for thread in threads:
        thread.join(10)
    return results


def test_items_arriving_during_a_write_go_together_in_the_next_group():
    recorder = Recorder()
    queue = GroupCommit(recorder.write)
    results = run_all(queue, list(range(20)))
    assert results == {i: i for i in range(20)}
    assert recorder.groups[0] == [0]
    assert sorted(recorder.groups[1]) == list(range(1, 20)) and len(recorder.groups) == 2


def test_a_failing_item_fails_its_own_caller_only():
    recorder = Recorder(fail_on={7})
    queue = GroupCommit(recorder.write)
    results = run_all(queue, list(range(12)))
    assert isinstance(results[7], ValueError) and "7" in str(results[7])
    assert {i: r for i, r in results.items() if i != 7} == {i: i for i in range(12) if i != 7}
    assert recorder.committed == set(range(12)) - {7}
    # the group holding 7 failed whole, then went one item at a time
    assert all(len(group) == 1 for group in recorder.groups[1:])


def test_a_group_is_cut_once_its_writer_holds_the_store():
    """Items that arrive while the writer waits for the store (another process writing) go in
    the group it writes when its turn comes, not in one more turn after it."""
    store_free = threading.Event()
    waiting = threading.Event()
    groups: list[list[int]] = []

    @contextlib.contextmanager
    def holding():
        waiting.set()
        assert store_free.wait(10)
        yield

    queue = GroupCommit(lambda group: groups.append(list(group)), holding=holding)
    results: dict[int, object] = {}
    threads = [threading.Thread(target=lambda i=i: results.update({i: queue(i)})) for i in range(8)]
    threads[0].start()
    assert waiting.wait(10)  # the first caller has the turn and waits for the store
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 10
    while len(queue._queue) < 8 and time.monotonic() < deadline:
        time.sleep(0.005)
    store_free.set()
    for thread in threads:
        thread.join(10)
    assert results == {i: i for i in range(8)}
    assert len(groups) == 1 and sorted(groups[0]) == list(range(8))


def test_groups_stay_within_their_limit():
    recorder = Recorder()
    queue = GroupCommit(recorder.write, size=lambda item: 10, limit=35)
    results = run_all(queue, list(range(11)))
    assert results == {i: i for i in range(11)}
    assert [len(g) for g in recorder.groups] == [1, 3, 3, 3, 1]
    assert sorted(i for g in recorder.groups for i in g) == list(range(11))


def test_an_item_larger_than_the_limit_still_goes():
    recorder = Recorder()
    recorder.release.set()
    queue = GroupCommit(recorder.write, size=lambda item: 100, limit=10)
    assert queue(5) == 5 and recorder.groups == [[5]]


def test_an_interrupted_write_leaves_no_caller_waiting():
    class Interrupt(BaseException):
        pass

    calls = []

    def write(group: list[int]) -> None:
        calls.append(group)
        if len(calls) == 1:
            raise Interrupt

    queue = GroupCommit(write)
    with pytest.raises(Interrupt):
        queue(1)
    assert queue(2) == 2  # the queue still works
    assert queue._queue == []
