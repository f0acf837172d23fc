"""What a server process knows of its own writes, on a real store (SQLite, or PostgreSQL with
REETRACE_TEST_DB): commits are numbered in the order they commit and collected where they were
made (and in threads given work from there); a checkpoint signed in a write's own transaction
covers it, and sealing commits already covered reads nothing; the signing keys are read again
exactly when a registry load (from any process) moved the registry; and writers of several
processes queue for the store (the lock file beside an SQLite store, a session's advisory lock
on PostgreSQL)."""

from __future__ import annotations

import contextvars
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from factory import extract, ship
from reetrace.config import Settings
from reetrace.domain.accounts import Actor, Principal
from reetrace.domain.submissions import Delivery
from reetrace.services import log
from reetrace.services.ingest import signers
from reetrace.services.registry import load_registry
from reetrace.services.submit import receive_submission
from reetrace.store import chains
from reetrace.store import tables as t
from reetrace.store.database import commits_made, open_store


@pytest.fixture
def settings(store_url, tmp_path) -> Settings:
    return Settings(db_url=store_url, log_key_dir=tmp_path / "logkeys")


def note_a_read(store, what: str = "GET /") -> None:
    with store.writing() as conn:
        chains.append(
            conn,
            t.access_log,
            dict(at="2026-03-01T00:00:00+00:00", username="u", role="auditor", action="read", what=what),
        )


def statements(store):
    """A list that every statement sent to the store is added to while it is open."""
    sent: list[str] = []

    def count(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    return sent, lambda: event.remove(store.engine, "before_cursor_execute", count)


def test_commits_are_numbered_in_order_and_collected_where_they_were_made(store):
    before = store.commits.count
    with commits_made() as outer:
        note_a_read(store)
        with commits_made() as inner:  # work handed to a thread with this context: its commit is ours
            context = contextvars.copy_context()
            worker = threading.Thread(target=context.run, args=(note_a_read, store))
            worker.start()
            worker.join()
        stranger = threading.Thread(target=note_a_read, args=(store,))  # a thread of its own: not ours
        stranger.start()
        stranger.join()
        with store.writing(numbered=False):  # the signing of a checkpoint moves nothing it covers
            pass
        with pytest.raises(RuntimeError), store.writing() as conn:  # rolled back: never numbered
            chains.append(conn, t.access_log, dict(at="x", username="u", role="auditor", action="read", what="/"))
            raise RuntimeError("undone")
    assert outer == [before + 1, before + 2] and inner == [before + 2]
    assert store.commits.count == before + 3  # the stranger's commit is numbered all the same


def test_a_group_signed_in_its_own_transaction_is_sealed_without_reading(store, settings, world):
    load_registry(store, world.registry())
    doc = world.mine.submit([extract("c1", "C1", time="2026-11-01T08:00:00+08:00")], "2026-11-02T10:00:00+08:00")
    raw = json.dumps(doc).encode()
    actor = Actor(Principal("u", "enterprise", world.mine.uscc), "api", "127.0.0.1")
    with commits_made() as made:
        received = receive_submission(
            store, settings, Delivery("c1.json", raw, len(raw)), actor, "POST /api/submissions", world.mine.uscc
        )
    assert received.outcome == "accepted" and made
    with store.reading() as conn:  # one checkpoint, covering the event, committed with it
        assert conn.scalar(select(func.count()).select_from(t.checkpoints)) == 1
        assert conn.scalar(select(func.max(t.checkpoints.c.size))) == 1
    assert log.sealed(store, made)
    sent, stop = statements(store)
    try:
        assert log.seal(store, settings, made=made) is None
    finally:
        stop()
    assert sent == []  # nothing read: the group's checkpoint already covers this request


def test_a_write_no_checkpoint_covers_is_sealed_and_then_known_covered(store, settings):
    note_a_read(store)
    log.publish_checkpoint(store, settings)
    with commits_made() as made:
        note_a_read(store, "GET /again")
    assert not log.sealed(store, made)
    with store.reading() as conn:
        signed = conn.scalar(select(func.count()).select_from(t.checkpoints))
    assert log.seal(store, settings, made=made) is None
    with store.reading() as conn:
        assert conn.scalar(select(func.count()).select_from(t.checkpoints)) == signed + 1
    assert log.sealed(store, made)
    assert log.seal(store, settings, made=[]) is None  # a request that wrote nothing seals nothing


def test_the_signing_keys_are_read_again_when_any_process_loads_the_registry(store, store_url, world):
    load_registry(store, world.registry())
    keys, enterprises = signers(store)
    assert signers(store)[0] is keys  # kept: the registry did not move
    assert world.mine.key_id in keys and keys[world.mine.key_id].revoked_at is None
    other = open_store(store_url)  # another process's store: its own engine and connections
    try:
        doc = world.registry()
        doc["enterprises"][0] = world.mine.registry_entry(revoked_at="2026-06-01T00:00:00+08:00")
        load_registry(other, doc)
    finally:
        other.dispose()
    again, _ = signers(store)
    assert again is not keys and again[world.mine.key_id].revoked_at is not None


def test_writers_of_two_processes_queue_for_the_store(store, store_url, tmp_path):
    """A process holding the store's write locks keeps another's writer waiting until it lets
    go: on SQLite every write transaction (the lock file), on PostgreSQL a writer cutting a
    group (a session's advisory lock; its transactions queue on the ledger's lock as before)."""
    released = tmp_path / "released"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pathlib\n"
            "from reetrace.store.database import open_store\n"
            "store = open_store(sys.argv[1])\n"
            "with store.locked():\n"
            "    print('holding', flush=True)\n"
            "    time.sleep(1.0)\n"
            "    pathlib.Path(sys.argv[2]).write_text(repr(time.time()))\n",
            store_url,
            str(released),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with store.writing() if store.dialect == "sqlite" else store.locked():
            began = time.time()
        assert holder.wait(30) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
    assert began >= float(released.read_text())
    if store.dialect == "sqlite":
        assert Path(store_url.removeprefix("sqlite:///") + ".write-lock").exists()


def test_a_log_that_lost_events_is_never_taken_as_sealed(store, settings, world, write_json):
    """When the log holds fewer leaves than the latest checkpoint signed (events deleted behind
    the system's back), nothing is signed, and no commit is taken as covered by the old one."""
    from sqlalchemy import delete

    from reetrace.services.ingest import ingest

    load_registry(store, world.registry())
    shipped = ship("s1", ["K0"], world.plant.uscc, "SH1")  # the last: no lot rows depend on it
    doc = world.mine.submit([extract("k0", "K0"), extract("k1", "K1"), shipped], "2026-02-05T10:00:00+08:00")
    assert ingest(store, [write_json("k.json", doc)], as_received_created_at=True).events_accepted == 3
    log.publish_checkpoint(store, settings)
    with store.writing() as conn:
        conn.execute(delete(t.events).where(t.events.c.seq == 3))
    with commits_made() as made:
        note_a_read(store, "GET /after")
    assert log.seal(store, settings, made=made) is None  # nothing to sign a smaller tree with
    assert not log.sealed(store, made)
    with store.reading() as conn:
        assert conn.scalar(select(func.max(t.checkpoints.c.size))) == 3
