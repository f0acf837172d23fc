"""The transparency log on a real store: proofs that verify, checkpoints, and tampering of
every kind (change, delete, reorder, insert) detected by `log verify` and named."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import text

from factory import extract, ship
from reetrace.config import Settings
from reetrace.ledger import merkle
from reetrace.ledger.note import Checkpoint, Verifier, open_checkpoint
from reetrace.services import log
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.store.chains import CHAINED

N_EXTRACT, N_SHIP = 20, 13  # 33 leaves: not a power of two


@pytest.fixture
def settings(store_url, tmp_path):
    return Settings(db_url=store_url, log_key_dir=tmp_path / "logkeys")


@pytest.fixture
def logged(store, world, write_json, settings):
    load_registry(store, world.registry())
    first = world.mine.submit([extract(f"e{i}", f"L{i}") for i in range(N_EXTRACT)])
    second = world.mine.submit(
        [ship(f"s{i}", [f"L{i}"], world.plant.uscc, f"S{i}") for i in range(N_SHIP)],
        created_at="2026-02-06T10:00:00+08:00",
    )
    ingest(store, [write_json("a.json", first)], as_received_created_at=True)
    log.publish_checkpoint(store, settings)
    ingest(store, [write_json("b.json", second)], as_received_created_at=True)
    log.publish_checkpoint(store, settings)
    return store


def verifier(store, settings) -> Verifier:
    return Verifier.from_verifier_key(log.verifier_key(store, settings))


def test_checkpoints_and_proofs_verify(logged, world, settings):
    note = log.latest_checkpoint(logged, settings)
    checkpoint = open_checkpoint(note, verifier(logged, settings))
    assert (checkpoint.origin, checkpoint.size) == ("reetrace.local/log", N_EXTRACT + N_SHIP)
    for event, index in ((f"{world.mine.uscc}:e0", 0), (f"{world.mine.uscc}:s12", 32)):
        proof = log.inclusion_proof(logged, settings, event)
        assert proof["format"] == "reetrace/inclusion-proof@1" and proof["leaf_index"] == index
        merkle.verify_inclusion(
            base64.b64decode(proof["leaf_hash"]),
            index,
            proof["tree_size"],
            [base64.b64decode(p) for p in proof["proof"]],
            checkpoint.root_hash,
        )
    old = log.inclusion_proof(logged, settings, f"{world.mine.uscc}:e3", size=N_EXTRACT)
    first = open_checkpoint(old["checkpoint"], verifier(logged, settings))
    assert first.size == N_EXTRACT
    consistency = log.consistency_proof(logged, N_EXTRACT, N_EXTRACT + N_SHIP)
    merkle.verify_consistency(
        N_EXTRACT,
        N_EXTRACT + N_SHIP,
        [base64.b64decode(p) for p in consistency["proof"]],
        first.root_hash,
        checkpoint.root_hash,
    )


def test_the_leaf_is_the_contract_bytes_of_reporter_and_event(logged, world, settings):
    proof = log.inclusion_proof(logged, settings, f"{world.mine.uscc}:e5")
    event = extract("e5", "L5")
    import rfc8785

    data = rfc8785.dumps({"reporter": world.mine.uscc, "event": event})
    assert base64.b64decode(proof["leaf_hash"]) == merkle.leaf_hash(data)


def test_an_untouched_log_verifies(logged):
    result = log.verify_log(logged)
    assert result.ok, result.problems
    assert (result.leaves, result.checkpoints) == (N_EXTRACT + N_SHIP, 2)


def sql(store, statement: str) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(statement)


def first_problem(store) -> str:
    result = log.verify_log(store)
    assert not result.ok
    return result.problems[0]


def test_a_changed_event_is_named(logged):
    sql(logged, "UPDATE events SET body = replace(body, '\"mass_kg\":1000', '\"mass_kg\":9000') WHERE seq = 8")
    assert first_problem(logged).startswith("leaf 7 ")


def test_a_changed_event_with_its_leaf_recomputed_is_named(logged, world):
    body = json.dumps(extract("e7", "L7", mass_kg=9000), sort_keys=True, separators=(",", ":"))
    leaf = merkle.leaf_hash(merkle.leaf_data(world.mine.uscc, body))
    with logged.engine.begin() as conn:
        conn.execute(text("UPDATE events SET body = :b, leaf = :l WHERE seq = 8"), {"b": body, "l": leaf})
    # the block of 16 leaves holding it no longer hashes as logged
    assert first_problem(logged).startswith("leaf 0: the subtree of leaves 0–15")


def test_a_removed_event_is_named(logged):
    sql(logged, "DELETE FROM events WHERE seq = 25")  # a shipment: no lot rows depend on it
    assert first_problem(logged).startswith("leaf 24:")


def test_a_removed_tail_is_named(logged):
    sql(logged, "DELETE FROM events WHERE seq = 33")
    problem = first_problem(logged)
    assert "leaf 32" in problem


def test_reordered_events_are_named(logged):
    with logged.engine.begin() as conn:
        rows = {
            r.seq: r for r in conn.execute(text("SELECT seq, event_id, body, leaf FROM events WHERE seq IN (26, 30)"))
        }
        conn.execute(text("UPDATE events SET event_id = 'tmp' WHERE seq = 26"))
        for seq, other in ((30, 26), (26, 30)):
            conn.execute(
                text("UPDATE events SET event_id = :e, body = :b, leaf = :l WHERE seq = :s"),
                {"e": rows[other].event_id, "b": rows[other].body, "l": rows[other].leaf, "s": seq},
            )
    assert first_problem(logged).startswith("leaf 16: the subtree of leaves 16–31")  # leaves 25 and 29 moved


def test_an_inserted_event_is_named(logged, world):
    with logged.engine.begin() as conn:
        conn.execute(text("UPDATE events SET seq = seq + 100 WHERE seq >= 30"))
        conn.execute(text("UPDATE events SET seq = seq - 99 WHERE seq >= 130"))
        conn.execute(
            text(
                "INSERT INTO events (seq, reporter, event_id, type, time, submission_id, received_at, digest, body) "
                "VALUES (30, :r, 'forged', 'ship', '2026-01-06T00:00:00.000000+00:00', 1, "
                "'2026-02-05T02:00:00.000000+00:00', 'x', '{}')"
            ),
            {"r": world.mine.uscc},
        )
    assert first_problem(logged).startswith("leaf 29 ")


def test_a_rewritten_checkpoint_is_refused(logged):
    sql(logged, "UPDATE checkpoints SET note = replace(note, 'reetrace.local/log\n20\n', 'reetrace.local/log\n21\n')")
    assert "checkpoint of size 20" in first_problem(logged)


def test_the_log_never_signs_an_inconsistent_checkpoint(logged, settings):
    # the stored hash of the first 32 leaves no longer agrees with the subtrees below it
    sql(
        logged,
        "UPDATE log_nodes SET hash = (SELECT hash FROM log_nodes WHERE level = 4 AND idx = 1) "
        "WHERE level = 5 AND idx = 0",
    )
    sql(logged, "DELETE FROM checkpoints WHERE size = 33")
    from reetrace.errors import StoreError

    with pytest.raises(StoreError, match="not consistent"):
        log.publish_checkpoint(logged, settings)


def test_rotation_keeps_old_checkpoints_verifiable(logged, settings, world, write_json):
    old_key = log.verifier_key(logged, settings)
    new_key = log.rotate_key(logged, settings)
    assert new_key != old_key
    ingest(
        logged,
        [write_json("c.json", world.mine.submit([extract("x1", "X1")], created_at="2026-02-07T10:00:00+08:00"))],
        as_received_created_at=True,
    )
    note = log.publish_checkpoint(logged, settings)
    assert Checkpoint.parse(note.split("\n\n")[0] + "\n").size == N_EXTRACT + N_SHIP + 1
    open_checkpoint(note, Verifier.from_verifier_key(new_key))
    result = log.verify_log(logged)
    assert result.ok and result.checkpoints == 3


def test_checkpoints_sign_the_receipt_chain(logged, settings):
    note = log.latest_checkpoint(logged, settings)
    checkpoint = open_checkpoint(note, verifier(logged, settings))
    assert checkpoint.extensions[0].split()[:2] == ["receipts", "2"]
    # then one line per chained table, by name: the access log holds the two submissions' entries,
    # the others are empty here
    assert [line.split()[:3] for line in checkpoint.extensions[1:]] == [
        ["chain", name, "2" if name == "access_log" else "0"] for name in sorted(CHAINED)
    ]


def test_a_back_dated_receipt_is_named(logged):
    sql(logged, "UPDATE submissions SET received_at = '2026-02-01T00:00:00.000000+00:00' WHERE id = 2")
    sql(logged, "UPDATE events SET received_at = '2026-02-01T00:00:00.000000+00:00' WHERE submission_id = 2")
    assert first_problem(logged).startswith("submission 2 ")


def test_an_event_moved_to_another_receipt_time_is_named(logged):
    sql(logged, "UPDATE events SET received_at = '2026-01-01T00:00:00.000000+00:00' WHERE seq = 22")
    assert first_problem(logged).startswith("leaf 21 ")


def test_a_deleted_subtree_hash_is_named(logged):
    sql(logged, "DELETE FROM log_nodes WHERE level = 4 AND idx = 1")
    assert first_problem(logged).startswith("leaf 16: the stored hash of the subtree of leaves 16–31 is missing")
