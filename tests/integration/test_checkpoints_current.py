"""Checkpoints always current: a new one whenever the log or a chain moved (and only then); after
a crash between a commit and its checkpoint, opening the store (the CLI's, the server's) signs
one covering every committed event first, and so does asking for a proof; on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from factory import extract
from reetrace.api.app import create_app
from reetrace.certificates.verify import verify as verify_certificate
from reetrace.config import Settings
from reetrace.ledger import chains as formula
from reetrace.ledger import merkle
from reetrace.ledger.note import Checkpoint, Verifier, open_checkpoint
from reetrace.services import log
from reetrace.services.certify import certify
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.store import chains
from reetrace.store import tables as t
from reetrace.witness.witness import Witness

REETRACE = str(Path(sys.executable).with_name("reetrace"))


@pytest.fixture
def settings(store_url, tmp_path):
    return Settings(db_url=store_url, log_key_dir=tmp_path / "logkeys")


@pytest.fixture
def registered(store, world):
    load_registry(store, world.registry())
    return store


def submit(store, world, write_json, name: str, *event_ids: str) -> None:
    """Events committed as an ingest commits them, with no checkpoint after: the state a process
    leaves when it dies between the commit and the signing."""
    doc = world.mine.submit(
        [extract(e, f"L-{e}") for e in event_ids], created_at=f"2026-02-0{len(name)}T10:00:00+08:00"
    )
    report = ingest(store, [write_json(name, doc)], as_received_created_at=True)
    assert report.events_accepted == len(event_ids)


def checkpoints(store) -> list[Checkpoint]:
    with store.reading() as conn:
        notes = conn.scalars(select(t.checkpoints.c.note).order_by(t.checkpoints.c.id)).all()
    return [log.peek(note) for note in notes]


def note_a_read(store, n: int) -> None:
    with store.writing() as conn:
        chains.append(
            conn,
            t.access_log,
            dict(at=f"2026-03-0{n}T00:00:00+00:00", username="u", role="auditor", action="read", what="GET /"),
        )


def test_a_checkpoint_is_signed_when_a_chain_moved_and_only_then(registered, world, write_json, settings):
    submit(registered, world, write_json, "a.json", "e1", "e2")
    first = log.publish_checkpoint(registered, settings)
    assert log.publish_checkpoint(registered, settings) == first  # nothing moved: no new checkpoint
    note_a_read(registered, 1)
    second = log.publish_checkpoint(registered, settings)
    one, two = checkpoints(registered)
    assert (one.size, one.root_hash) == (two.size, two.root_hash) == (2, one.root_hash)  # the same tree
    with registered.reading() as conn:
        submitted, read = chains.links(conn, "access_log")  # the submission's entry, then the read's
    assert formula.parse_extensions(one.extensions)["access_log"] == (1, bytes(submitted.link))
    assert formula.parse_extensions(two.extensions)["access_log"] == (2, bytes(read.link))
    assert second != first and log.seal(registered, settings) is None and len(checkpoints(registered)) == 2


def test_a_witness_cosigns_a_checkpoint_of_the_same_tree_with_other_heads(
    registered, world, write_json, settings, tmp_path
):
    submit(registered, world, write_json, "a.json", "e1")
    witness = Witness.init(tmp_path / "witness")
    witness.trust(log.verifier_key(registered, settings))
    witness.observe(log.publish_checkpoint(registered, settings))
    note_a_read(registered, 1)
    cosigned = witness.observe(log.publish_checkpoint(registered, settings))
    assert checkpoints(registered)[-1].size == 1 and cosigned.count("\u2014 ") == 2


def test_opening_the_store_from_the_command_line_after_a_crash_signs_first(
    registered, world, write_json, settings, store_url
):
    submit(registered, world, write_json, "a.json", "e1", "e2")
    log.publish_checkpoint(registered, settings)
    submit(registered, world, write_json, "bb.json", "e3")  # committed, never checkpointed
    assert checkpoints(registered)[-1].size == 2
    env = {**os.environ, "REETRACE_DB": store_url, "REETRACE_LOG_KEYS": str(settings.log_keys_path())}
    done = subprocess.run([REETRACE, "registry", "show"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert checkpoints(registered)[-1].size == 3
    assert log.verify_log(registered, settings=settings).ok


def test_an_ingest_killed_between_its_commit_and_its_checkpoint_is_covered_when_the_store_is_next_opened(
    registered, world, write_json, settings, store_url
):
    path = write_json("a.json", world.mine.submit([extract("e1", "L1"), extract("e2", "L2")]))
    env = {**os.environ, "REETRACE_DB": store_url, "REETRACE_LOG_KEYS": str(settings.log_keys_path())}
    dies = (
        "import os, sys\n"
        "import reetrace.services.log as log\n"
        "log.publish_checkpoint = lambda *args: os._exit(9)  # the process dies right after the commit\n"
        "from reetrace.cli import app\n"
        "sys.argv = ['reetrace', 'ingest', '--as-received', 'created_at', sys.argv[1]]\n"
        "app()\n"
    )
    killed = subprocess.run([sys.executable, "-c", dies, str(path)], env=env, capture_output=True, timeout=300)
    assert killed.returncode == 9
    with registered.reading() as conn:
        assert conn.scalar(select(func.count()).select_from(t.events)) == 2
    assert checkpoints(registered) == []  # committed, not signed
    proof = subprocess.run(
        [REETRACE, "log", "prove", f"{world.mine.uscc}:e2"], env=env, capture_output=True, text=True, timeout=300
    )
    assert proof.returncode == 0, proof.stderr
    assert checkpoints(registered)[-1].size == 2


def test_an_inclusion_proof_right_after_a_crash_works(registered, world, write_json, settings):
    submit(registered, world, write_json, "a.json", "e1", "e2")
    log.publish_checkpoint(registered, settings)
    submit(registered, world, write_json, "bb.json", "e3")  # committed, never checkpointed
    proof = log.inclusion_proof(registered, settings, f"{world.mine.uscc}:e3")
    assert (proof["leaf_index"], proof["tree_size"]) == (2, 3)
    verifier = Verifier.from_verifier_key(log.verifier_key(registered, settings))
    checkpoint = open_checkpoint(proof["checkpoint"], verifier)
    assert checkpoint.size == 3
    merkle.verify_inclusion(
        base64.b64decode(proof["leaf_hash"]),
        2,
        3,
        [base64.b64decode(p) for p in proof["proof"]],
        checkpoint.root_hash,
    )


def test_the_server_signs_when_it_starts_and_while_it_runs(registered, world, write_json, settings):
    submit(registered, world, write_json, "a.json", "e1")  # a crash before the checkpoint
    app = create_app(
        Settings(db_url=settings.db_url, log_key_dir=settings.log_key_dir, checkpoint_seconds=0.05),
        registered,
        session_secret=b"s" * 32,
    )
    assert checkpoints(registered)[-1].size == 1  # made on opening, before serving anything

    async def serving() -> None:
        async with app.router.lifespan_context(app):  # as the server runs it
            note_a_read(registered, 1)  # a read logged meanwhile moves the access log
            deadline = time.monotonic() + 30
            while formula.parse_extensions(checkpoints(registered)[-1].extensions)["access_log"][0] != 1:
                assert time.monotonic() < deadline, "no checkpoint covered the access log entry"
                await asyncio.sleep(0.05)

    asyncio.run(serving())


def test_a_store_that_holds_nothing_is_not_signed_on_opening(store, settings):
    assert log.seal(store, settings) is None
    assert checkpoints(store) == []
    assert not settings.log_keys_path().exists()


def test_a_mangled_checkpoint_never_stops_a_command(registered, world, write_json, settings, store_url):
    submit(registered, world, write_json, "a.json", "e1")
    log.publish_checkpoint(registered, settings)
    with registered.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE checkpoints SET note = 'garbage'")
    submit(registered, world, write_json, "bb.json", "e2")
    assert log.seal(registered, settings).startswith("no checkpoint signed: the latest stored checkpoint is not one")
    env = {**os.environ, "REETRACE_DB": store_url, "REETRACE_LOG_KEYS": str(settings.log_keys_path())}
    done = subprocess.run([REETRACE, "log", "verify"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "warning: no checkpoint signed" in done.stderr
    assert "checkpoint of size 1: its signature does not verify" in done.stderr


def test_a_certificate_anchored_to_a_checkpoint_with_moved_chains_verifies_offline(
    registered, world, write_json, settings
):
    submit(registered, world, write_json, "a.json", "e1")
    log.publish_checkpoint(registered, settings)
    note_a_read(registered, 1)  # a chain moves: the next checkpoint is of the same tree
    certificate = certify(registered, settings, "L-e1")
    checkpoint = log.peek(certificate["checkpoint"])
    assert formula.parse_extensions(checkpoint.extensions)["access_log"][0] == 2  # the submission's and the read's
    result = verify_certificate(certificate, log.verifier_key(registered, settings))
    assert result.ok, result.failures
