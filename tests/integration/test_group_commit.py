"""Submissions arriving together on a real store (SQLite, or PostgreSQL with REETRACE_TEST_DB)
are written in groups: many threads sending at once each get their own answer, counted as
their own, after a commit that holds their submission; the ledger holds every event exactly
once, each submission has its access-log entry, a group shares its checkpoint (fewer
checkpoints than submissions, signed in the group's own transaction: each caller holds its
answer only once a checkpoint covers it), a foreign or bad submission in a group is refused on
its own while the rest are accepted, and the log verifies."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select

from factory import extract
from reetrace.config import Settings
from reetrace.domain.accounts import Actor, Principal
from reetrace.domain.submissions import Delivery
from reetrace.services import group_commit
from reetrace.services.log import sealed, verify_log
from reetrace.services.registry import load_registry
from reetrace.services.submit import ForeignReporter, receive_submission
from reetrace.store import tables as t
from reetrace.store.database import commits_made

SENDERS = 24


def delivery(doc: dict, name: str) -> Delivery:
    raw = json.dumps(doc).encode()
    return Delivery(name, raw, len(raw))


def user(name: str, uscc: str) -> Actor:
    return Actor(Principal(name, "enterprise", uscc), "api", "127.0.0.1")


def count(store, table, *where) -> int:
    with store.reading() as conn:
        return conn.scalar(select(func.count()).select_from(table).where(*where))


@pytest.fixture
def settings(store_url, tmp_path) -> Settings:
    return Settings(db_url=store_url, log_key_dir=tmp_path / "logkeys")


def send_together(store, settings, work, covered: dict[int, bool] | None = None) -> dict[int, object]:
    """Each (delivery, actor, sender) sent from a thread of its own, all released at once; in
    `covered`, whether a checkpoint was known to cover each one's commits when it was answered."""
    start = threading.Barrier(len(work))
    answers: dict[int, object] = {}

    def send(n: int) -> None:
        item, actor, sender = work[n]
        start.wait(10)
        with commits_made() as made:
            try:
                answers[n] = receive_submission(store, settings, item, actor, "POST /api/submissions", sender)
            except Exception as exc:  # the caller's own refusal
                answers[n] = exc
        if covered is not None:
            covered[n] = bool(made) and sealed(store, made)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_submissions_sent_together_are_written_in_groups_each_answered_as_its_own(store, settings, world):
    load_registry(store, world.registry())
    writes = []
    real = group_commit.write_each
    group_commit.write_each = lambda s, st, group, *a, **k: (writes.append(len(group)), real(s, st, group, *a, **k))[1]
    try:
        work = []
        for n in range(SENDERS):
            doc = world.mine.submit(
                [extract(f"m{n}", f"L{n}", mass_kg=100 + n, time="2026-11-01T08:00:00+08:00")],
                created_at=f"2026-11-02T10:00:{n:02d}+08:00",
            )
            work.append((delivery(doc, f"m{n}.json"), user(f"u{n}", world.mine.uscc), world.mine.uscc))
        # one from the plant's user that the mine signed: refused for that user alone
        foreign = world.mine.submit(
            [extract("f1", "F1", time="2026-11-01T08:00:00+08:00")], "2026-11-02T11:00:00+08:00"
        )
        work.append((delivery(foreign, "foreign.json"), user("p", world.plant.uscc), world.plant.uscc))
        # and one whose bytes are not JSON
        work.append((Delivery("bad.json", b"{not json", 9), user("b", world.mine.uscc), world.mine.uscc))
        covered: dict[int, bool] = {}
        answers = send_together(store, settings, work, covered)
    finally:
        group_commit.write_each = real

    assert isinstance(answers[SENDERS], ForeignReporter)
    bad = answers[SENDERS + 1]
    assert bad.outcome == "rejected" and bad.report.rejected[0].reason_class == "parse"
    for n in range(SENDERS):
        report = answers[n].report
        assert answers[n].outcome == "accepted", report.as_contract()
        assert (report.submissions_accepted, report.events_accepted, len(report.rejected)) == (1, 1, 0)
    assert count(store, t.events) == SENDERS
    assert count(store, t.submissions) == SENDERS
    assert count(store, t.rejections) == 2
    # every submission has its own entry in the access log, naming its own user
    with store.reading() as conn:
        users = [
            u
            for (u,) in conn.execute(
                select(t.access_log.c.username).where(t.access_log.c.what == "POST /api/submissions")
            )
        ]
    assert sorted(users) == sorted([f"u{n}" for n in range(SENDERS)] + ["p", "b"])
    # written in groups: fewer transactions, and fewer checkpoints, than submissions
    assert sum(writes) == len(work) and len(writes) < len(work)
    assert count(store, t.checkpoints) <= len(writes) < SENDERS
    # each accepted submission's commit was covered by a checkpoint before its caller returned
    assert all(covered[n] for n in range(SENDERS))
    with store.reading() as conn:
        latest = conn.scalar(select(func.max(t.checkpoints.c.size)))
    assert latest == SENDERS  # the last group's checkpoint covers every event
    assert verify_log(store, settings=settings).ok


def test_a_submission_sent_again_alongside_itself_is_recorded_once(store, settings, world):
    load_registry(store, world.registry())
    doc = world.mine.submit([extract("d1", "D1", time="2026-11-01T08:00:00+08:00")], "2026-11-02T10:00:00+08:00")
    actor = user("u", world.mine.uscc)
    work = [(delivery(doc, f"copy{n}.json"), actor, world.mine.uscc) for n in range(8)]
    answers = send_together(store, settings, work)
    outcomes = sorted(answer.outcome for answer in answers.values())
    assert outcomes == ["accepted"] + ["duplicate"] * 7
    assert count(store, t.events) == 1 and count(store, t.submissions) == 1
    assert verify_log(store, settings=settings).ok
