"""A witness cosigning a real store's log: the cosignatures recorded beside the checkpoints and
served with them, and a split view (another history signed with the same log key) refused."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select, text

from factory import extract, ship
from reetrace.config import Settings
from reetrace.ledger.note import Verifier, open_checkpoint, verify_cosignature
from reetrace.services import log
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.services.witnessing import cosigned_checkpoint, witness_log
from reetrace.store import tables as t
from reetrace.store.database import open_store
from reetrace.witness import SplitView
from reetrace.witness.witness import Witness

REETRACE = str(Path(sys.executable).with_name("reetrace"))
N_EXTRACT, N_SHIP = 20, 13


@pytest.fixture
def settings(store_url, tmp_path):
    return Settings(db_url=store_url, log_key_dir=tmp_path / "logkeys")


@pytest.fixture
def witness_dir(tmp_path, store, settings) -> Path:
    directory = tmp_path / "witness"
    Witness.init(directory, "witness.example.org").trust(log.verifier_key(store, settings))
    return directory


@pytest.fixture
def other_store_url(tmp_path):
    """A second, empty store on the same database server as `store_url`."""
    pg_url = os.environ.get("REETRACE_TEST_DB")
    if not pg_url:
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{pg_url}{'&' if '?' in pg_url else '?'}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def submit(store, world, write_json, name: str, events: list[dict], created_at: str) -> None:
    path = write_json(f"{name}.json", world.mine.submit(events, created_at=created_at))
    report = ingest(store, [path], as_received_created_at=True)
    assert report is not None


def extracts(prefix: str, start: int, stop: int) -> list[dict]:
    return [extract(f"{prefix}e{i}", f"{prefix}L{i}") for i in range(start, stop)]


@pytest.fixture
def witnessed(store, world, write_json, settings, witness_dir):
    """The log witnessed twice: at 20 leaves, then at 33 after a second ingest."""
    load_registry(store, world.registry())
    submit(store, world, write_json, "a", extracts("", 0, N_EXTRACT), "2026-02-05T10:00:00+08:00")
    first = witness_log(store, settings, witness_dir)
    submit(
        store,
        world,
        write_json,
        "b",
        [ship(f"s{i}", [f"L{i}"], world.plant.uscc, f"S{i}") for i in range(N_SHIP)],
        "2026-02-06T10:00:00+08:00",
    )
    second = witness_log(store, settings, witness_dir)
    return first, second


def keys(store, settings, witness_dir) -> tuple[Verifier, Verifier]:
    return (
        Verifier.from_verifier_key(log.verifier_key(store, settings)),
        Verifier.from_verifier_key(Witness.open(witness_dir).verifier_key()),
    )


def test_both_cosignatures_are_stored_and_served_with_their_checkpoints(store, settings, witness_dir, witnessed):
    first, second = witnessed
    assert (first.size, first.previous_size) == (N_EXTRACT, None)
    assert (second.size, second.previous_size) == (N_EXTRACT + N_SHIP, N_EXTRACT)
    with store.reading() as conn:
        rows = conn.execute(
            select(t.cosignatures.c.line, t.cosignatures.c.witness, t.cosignatures.c.timestamp, t.checkpoints.c.size)
            .join(t.checkpoints, t.checkpoints.c.id == t.cosignatures.c.checkpoint_id)
            .order_by(t.cosignatures.c.id)
        ).all()
    assert [(r.size, r.line, r.timestamp) for r in rows] == [
        (N_EXTRACT, first.line, first.timestamp),
        (N_EXTRACT + N_SHIP, second.line, second.timestamp),
    ]
    assert {r.witness for r in rows} == {Witness.open(witness_dir).verifier_key()}
    log_key, witness_key = keys(store, settings, witness_dir)
    for size in (N_EXTRACT, N_EXTRACT + N_SHIP, None):
        note = cosigned_checkpoint(store, size)
        assert open_checkpoint(note, log_key).size == (size or N_EXTRACT + N_SHIP)
        verify_cosignature(note, witness_key)
    assert cosigned_checkpoint(store) == second.note


def test_a_second_witness_adds_its_line_and_a_repeat_supersedes_the_first(
    store, settings, witness_dir, witnessed, tmp_path
):
    other = tmp_path / "witness2"
    Witness.init(other, "witness2.example.org").trust(log.verifier_key(store, settings))
    witness_log(store, settings, other)
    again = witness_log(store, settings, witness_dir, clock=lambda: 2_000_000_000)
    note = cosigned_checkpoint(store)
    assert note.count("\n— ") == 3  # the log's signature and one line per witness
    log_key, witness_key = keys(store, settings, witness_dir)
    open_checkpoint(note, log_key)
    assert verify_cosignature(note, witness_key) == again.timestamp == 2_000_000_000
    verify_cosignature(note, Verifier.from_verifier_key(Witness.open(other).verifier_key()))


def test_another_history_under_the_same_log_key_is_refused(
    store, settings, witness_dir, witnessed, world, write_json, other_store_url
):
    rewritten = open_store(other_store_url)
    try:
        with store.reading() as source, rewritten.writing() as target:  # the same key signs both histories
            target.execute(insert(t.log_keys), [r._asdict() for r in source.execute(select(t.log_keys))])
        forged = dataclasses.replace(settings, db_url=other_store_url)
        load_registry(rewritten, world.registry())
        size = N_EXTRACT + N_SHIP
        cases = (
            ("rollback", 10, "went back from 33 to 10"),
            ("fork", size, "two different roots for the tree of 33 leaves"),
            ("inconsistent", size + 4, "consistency proof from 33 to 37 leaves does not verify"),
        )
        held = 0
        for n, (kind, grow_to, reason) in enumerate(cases):
            submit(
                rewritten, world, write_json, f"x{n}", extracts("x", held, grow_to), f"2026-03-0{n + 1}T10:00:00+08:00"
            )
            held = grow_to
            with pytest.raises(SplitView, match=reason) as refused:
                witness_log(rewritten, forged, witness_dir)
            assert refused.value.kind == kind
        with rewritten.reading() as conn:
            assert conn.scalar(select(func.count()).select_from(t.cosignatures)) == 0
    finally:
        rewritten.dispose()
    alerts = Witness.open(witness_dir).alerts()
    assert [(a["kind"], a["cosigned"]["size"], a["presented"]["size"]) for a in alerts] == [
        ("rollback", 33, 10),
        ("fork", 33, 33),
        ("inconsistent", 33, 37),
    ]
    cosigned_note = witnessed[1].note.removesuffix(witnessed[1].line)  # as the log signed it
    assert all(a["cosigned"]["note"] == cosigned_note for a in alerts)
    assert Witness.open(witness_dir).last_size("reetrace.local/log") == size
    # the honest log still gets cosigned as it grows
    submit(store, world, write_json, "c", extracts("c", 0, 2), "2026-04-01T10:00:00+08:00")
    assert witness_log(store, settings, witness_dir).size == size + 2


def test_the_witness_commands(store_url, settings, world, write_json, tmp_path):
    env = {**os.environ, "REETRACE_DB": store_url, "REETRACE_LOG_KEYS": str(settings.log_key_dir), "COLUMNS": "200"}

    def cli(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
        result = subprocess.run([REETRACE, *args], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == expect, (result.stdout, result.stderr)
        return result

    directory = str(tmp_path / "w")
    witness_key = cli("witness", "init", "--dir", directory, "--name", "witness.example.org").stdout.strip()
    assert cli("witness", "key", "--dir", directory).stdout.strip() == witness_key
    assert Verifier.from_verifier_key(witness_key).key_type == 0x04
    assert "does not trust" in cli("witness", "cosign", "--dir", directory, expect=1).stderr
    log_key = cli("log", "key").stdout.strip()
    cli("witness", "trust", "--dir", directory, "--log-key", log_key)
    cli("registry", "load", str(write_json("registry.json", world.registry())))
    cli("ingest", str(write_json("a.json", world.mine.submit(extracts("", 0, 5)))))
    note = cli("witness", "cosign", "--dir", directory).stdout
    verify_cosignature(note, Verifier.from_verifier_key(witness_key))
    open_checkpoint(note, Verifier.from_verifier_key(log_key))

    # an offline witness, fed from files
    offline = str(tmp_path / "offline")
    cli("witness", "init", "--dir", offline, "--name", "offline.example.org")
    cli("witness", "trust", "--dir", offline, "--log-key", log_key)
    first = tmp_path / "first.note"
    first.write_text(cli("log", "checkpoint").stdout, encoding="utf-8")
    cli("witness", "observe", "--dir", offline, str(first))
    cli(
        "ingest",
        str(write_json("b.json", world.mine.submit(extracts("", 5, 9), created_at="2026-02-06T10:00:00+08:00"))),
    )
    second = tmp_path / "second.note"
    second.write_text(cli("log", "checkpoint").stdout, encoding="utf-8")
    assert (
        "needs a consistency proof from 5 to 9"
        in cli("witness", "observe", "--dir", offline, str(second), expect=1).stderr
    )
    proof = tmp_path / "proof.json"
    proof.write_text(cli("log", "consistency", "5", "9").stdout, encoding="utf-8")
    cosigned = cli("witness", "observe", "--dir", offline, str(second), "--proof", str(proof)).stdout
    assert open_checkpoint(cosigned, Verifier.from_verifier_key(log_key)).size == 9
    refused = cli("witness", "observe", "--dir", offline, str(first), expect=1).stderr
    assert "split view refused" in refused and "size 9" in refused and "size 5" in refused
    listed = cli("witness", "alerts", "--dir", offline, "--json").stdout.splitlines()
    assert [json.loads(line)["kind"] for line in listed] == ["rollback"]
    assert "rollback" in cli("witness", "alerts", "--dir", offline).stdout
