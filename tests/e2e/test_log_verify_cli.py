"""`reetrace log verify` end to end: what it prints on an untouched store, the table and row it
names when a derived table or a chained one was edited, `--events-only` leaving them aside, and
the checkpoint signed when a command changed a chain."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from factory import extract, ship

REETRACE = str(Path(sys.executable).with_name("reetrace"))


@pytest.fixture
def cli(store_url, tmp_path):
    env = {**os.environ, "REETRACE_DB": store_url, "REETRACE_LOG_KEYS": str(tmp_path / "keys"), "COLUMNS": "250"}

    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
        result = subprocess.run([REETRACE, *args], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == expect, (result.stdout, result.stderr)
        return result

    return run


@pytest.fixture
def ingested(cli, world, write_json, store_url):
    cli("registry", "load", str(write_json("registry.json", world.registry())))
    doc = world.mine.submit(
        [extract("e1", "C1", 1000), extract("e2", "C2", 500), ship("s1", ["C1"], world.plant.uscc, "S1")]
    )
    cli("ingest", "--as-received", "created_at", str(write_json("subs/mine.json", doc)))
    cli("controls", "suspend", "1C902", "--from", "2026-03-01", "--by", "official", "--why", "review")
    return store_url


def edit(url: str, statement: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def test_an_untouched_store_verifies_and_says_what_was_checked(cli, ingested):
    out = cli("log", "verify").stdout
    assert "3 leaves recomputed from the events" in out
    assert "events 3, lots 2, lot_draws 0, event_keys 2" in out
    # the access log's entries of the registry load, the ingest and the control change, and the change
    assert "16 chained tables, 4 rows" in out


def test_a_command_that_changed_a_chain_left_it_signed(cli, ingested):
    engine = create_engine(ingested)
    with engine.connect() as conn:
        note = conn.exec_driver_sql("SELECT note FROM checkpoints ORDER BY id DESC LIMIT 1").scalar_one()
    engine.dispose()
    assert "\nchain control_changes 1 " in note  # the suspension, signed as its command ended


def test_an_edited_lot_is_named_and_the_events_alone_still_verify(cli, ingested, world):
    edit(ingested, "UPDATE lots SET mass_kg = 20438 WHERE lot = 'C2'")
    failed = cli("log", "verify", expect=1)
    assert (
        f"lots: row (seq 2, position 0) differs from event {world.mine.uscc}:e2 (leaf 1): mass_kg is 20438.0, "
        "the event says 500.0: it was changed"
    ) in failed.stderr.replace("\n", " ")
    assert "3 leaves recomputed" in cli("log", "verify", "--events-only").stdout


def test_a_deleted_control_change_is_named(cli, ingested):
    edit(ingested, "DELETE FROM control_changes")
    failed = cli("log", "verify", expect=1)
    assert "control_changes: row [1] (link 1) is missing: it was deleted" in failed.stderr
