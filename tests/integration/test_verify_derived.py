"""`log verify` derives lots, draws, event keys (and on PostgreSQL event identities) again from
the events, and compares the stored findings with a fresh audit: each kind of tampering is
named by table and row, on SQLite and PostgreSQL; an untouched store passes."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from factory import export, extract, lot, receive, ship, transform
from reetrace.config import Settings
from reetrace.ledger.multiset import RowHasher
from reetrace.services import log, supervision
from reetrace.services.audit import audit_ledger
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.services.trace import trace
from reetrace.services.verify import verify_store
from reetrace.services.verify_derived import derived_tables, stored_digests
from reetrace.services.verify_helpers import Helpers
from reetrace.store.derived import share, snapshot
from reetrace.store.derived import state as store_state
from reetrace.store.supervision_repo import mark_stale

AS_OF = __import__("datetime").date(2026, 12, 31)


@pytest.fixture
def settings(store_url, tmp_path):
    return Settings(db_url=store_url, log_key_dir=tmp_path / "logkeys")


@pytest.fixture
def ledger(store, world, write_json, settings):
    """Nine events: the mine extracts C1 and C2 and ships both (seq 1–3); the plant receives
    them, separates them into DY-1 (18.3 kg of oxide, Dy 0.86) and ND-1, consumes 40 kg of ND-1
    and ships DY-1 (seq 4–7); the trader receives and exports it (seq 8–9)."""
    m, p, x = world.mine, world.plant, world.trader
    load_registry(store, world.registry())
    subs = {
        "mine.json": m.submit(
            [extract("m1", "C1", 1000), extract("m2", "C2", 500), ship("m3", ["C1", "C2"], p.uscc, "S1")]
        ),
        "plant.json": p.submit(
            [
                receive("p1", ["C1", "C2"], m.uscc, "S1"),
                transform(
                    "p2",
                    "separation",
                    [("C1", 1000), ("C2", 500)],
                    [lot("DY-1", "oxide", 18.3, {"Dy": 0.86}), lot("ND-1", "oxide", 100, {"Nd": 0.85})],
                ),
                {
                    "event_id": "p3",
                    "type": "consume",
                    "time": "2026-01-11T08:00:00+08:00",
                    "lots": [{"lot": "ND-1", "mass_kg": 40}],
                    "purpose": "magnets",
                },
                ship("p4", ["DY-1"], x.uscc, "S2", time="2026-01-12T08:00:00+08:00"),
            ]
        ),
        "trader.json": x.submit(
            [
                receive("x1", ["DY-1"], p.uscc, "S2", time="2026-01-14T08:00:00+08:00"),
                export("x2", ["DY-1"], time="2026-01-20T08:00:00+08:00"),
            ]
        ),
    }
    ingest(store, [write_json(name, doc) for name, doc in subs.items()], as_received_created_at=True)
    log.publish_checkpoint(store, settings)
    return store


def sql(store, statement: str) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(statement)


def problems(store, settings, helpers: bool = False) -> list[str]:
    result = verify_store(store, settings, helpers=helpers)
    assert not result.ok
    return result.problems


@pytest.mark.parametrize("helpers", [False, True], ids=["alone", "with helper processes"])
def test_an_untouched_store_passes_and_every_derived_row_was_compared(ledger, settings, helpers):
    result = verify_store(ledger, settings, helpers=helpers)
    assert result.ok, result.problems
    expected = {"events": 9, "lots": 4, "lot_draws": 3, "event_keys": 13}  # counted by hand from the fixture
    if ledger.dialect == "postgresql":
        expected["event_ids"] = 9
    assert result.derived == expected


@pytest.mark.parametrize("helpers", [False, True], ids=["alone", "with helper processes"])
def test_a_lots_mass_edited_changes_the_trace_and_is_named(ledger, settings, world, helpers):
    dy = trace(ledger, "DY-1", "backward")["origins"]
    assert round(sum(o["elements_kg"]["Dy"] for o in dy), 3) == round(18.3 * 0.86, 3)
    sql(ledger, "UPDATE lots SET mass_kg = 20438 WHERE lot = 'DY-1'")
    forged = trace(ledger, "DY-1", "backward")["origins"]
    assert round(sum(o["elements_kg"]["Dy"] for o in forged)) == round(20438 * 0.86)  # what the edit does
    assert problems(ledger, settings, helpers) == [
        f"lots: row (seq 5, position 0) differs from event {world.plant.uscc}:p2 (leaf 4): "
        "mass_kg is 20438.0, the event says 18.3: it was changed"
    ]


def test_a_lots_composition_edited_is_named(ledger, settings, world):
    sql(ledger, """UPDATE lots SET composition = '{"Dy": 0.99}' WHERE lot = 'DY-1'""")
    assert problems(ledger, settings) == [
        f"lots: row (seq 5, position 0) differs from event {world.plant.uscc}:p2 (leaf 4): "
        "composition is {Dy: 0.99}, the event says {Dy: 0.86}: it was changed"
    ]


def test_the_same_composition_written_otherwise_is_not_a_difference(ledger, settings):
    sql(ledger, """UPDATE lots SET composition = '{"Dy":0.860}' WHERE lot = 'DY-1'""")
    assert log.verify_log(ledger, settings=settings).ok


def test_a_deleted_draw_is_named(ledger, settings, world):
    sql(ledger, "DELETE FROM lot_draws WHERE lot = 'C2'")
    assert problems(ledger, settings) == [
        f"lot_draws: row (seq 5, position 1) of event {world.plant.uscc}:p2 (leaf 4) is missing "
        "(lot 'C2', mass_kg 500.0): it was deleted"
    ]


def test_a_deleted_event_key_is_named(ledger, settings, world):
    sql(ledger, "DELETE FROM event_keys WHERE key = 'L|DY-1' AND seq = 9")
    assert problems(ledger, settings) == [
        f"event_keys: row (key 'L|DY-1', seq 9) of event {world.trader.uscc}:x2 (leaf 8) is missing: it was deleted"
    ]


def test_an_edited_event_key_is_named_twice(ledger, settings, world):
    sql(ledger, "UPDATE event_keys SET key = 'L|ELSEWHERE' WHERE key = 'L|DY-1' AND seq = 9")
    assert problems(ledger, settings) == [
        f"event_keys: row (key 'L|DY-1', seq 9) of event {world.trader.uscc}:x2 (leaf 8) is missing: it was deleted",
        "event_keys: row (key 'L|ELSEWHERE', seq 9) derives from no event: it was inserted",
    ]


def test_an_inserted_lot_is_named(ledger, settings):
    sql(
        ledger,
        "INSERT INTO lots (seq, position, lot, form, mass_kg, composition) "
        """VALUES (3, 0, 'GHOST-1', 'oxide', 5, '{"Dy": 0.9}')""",
    )
    assert problems(ledger, settings) == [
        "lots: row (seq 3, position 0, lot 'GHOST-1', form 'oxide', mass_kg 5.0, composition {Dy: 0.9}, "
        "hs_code None) derives from no event: it was inserted"
    ]


def test_an_events_time_column_edited_is_named(ledger, settings, world):
    sql(ledger, "UPDATE events SET time = '2026-06-01T00:00:00.000000+00:00' WHERE seq = 9")
    assert problems(ledger, settings) == [
        f"events: row 9 ({world.trader.uscc}:x2, leaf 8): its time column is "
        "'2026-06-01T00:00:00.000000+00:00', the event says '2026-01-20T00:00:00.000000+00:00': "
        "the column was changed"
    ]


def test_event_identities_are_compared_where_the_store_keeps_them(ledger, settings, world):
    if ledger.dialect != "postgresql":
        assert "event_ids" not in log.verify_log(ledger, settings=settings).derived  # SQLite has no such table
        return
    sql(ledger, "DELETE FROM event_ids WHERE seq = 4")
    (problem,) = problems(ledger, settings)
    assert problem.startswith(f"event_ids: row (seq 4) of event {world.plant.uscc}:p1 (leaf 3) is missing (reporter")


def test_a_changed_event_is_named_by_its_leaf_and_the_derived_tables_are_left_aside(ledger, settings):
    sql(ledger, "UPDATE events SET body = replace(body, '\"mass_kg\":18.3', '\"mass_kg\":20438') WHERE seq = 5")
    result = log.verify_log(ledger, settings=settings)
    assert result.problems[0].startswith("leaf 4 ")
    assert "the tables derived from the events were not compared" in result.notes[0]


# --- the stored findings ---------------------------------------------------------------------


@pytest.fixture
def supervised(ledger, settings):
    assert supervision.start(ledger, settings, AS_OF) > 0
    return ledger


@pytest.mark.parametrize("helpers", [False, True], ids=["alone", "with helper processes"])
def test_stored_findings_equal_to_a_fresh_audit_pass(supervised, settings, helpers):
    result = verify_store(supervised, settings, helpers=helpers)
    assert result.ok, result.problems
    assert result.findings == len(audit_ledger(supervised, settings, AS_OF, full=True))


@pytest.mark.parametrize("helpers", [False, True], ids=["alone", "with helper processes"])
def test_an_edited_stored_finding_is_named(supervised, settings, helpers):
    first = audit_ledger(supervised, settings, AS_OF, full=True)[0]
    sql(supervised, f"UPDATE supervised_findings SET detail = 'nothing to see' WHERE code = '{first.code}'")
    named = problems(supervised, settings, helpers)
    assert any(p.startswith(f"supervised_findings: {first.code} (") and "is stored, but" in p for p in named)
    assert any(p.startswith(f"supervised_findings: {first.code} (") and "but not stored" in p for p in named)


def test_a_deleted_stored_finding_is_named(supervised, settings):
    first = audit_ledger(supervised, settings, AS_OF, full=True)[0]
    sql(supervised, f"DELETE FROM supervised_findings WHERE code = '{first.code}'")
    named = problems(supervised, settings)
    assert named and all(p.startswith(f"supervised_findings: {first.code} (") for p in named)
    assert all("found by a fresh audit as of 2026-12-31, but not stored" in p for p in named)


def test_stored_findings_that_are_not_served_are_not_compared(supervised, settings):
    sql(supervised, "UPDATE supervised_findings SET detail = 'nothing to see'")
    with supervised.engine.begin() as conn:
        mark_stale(conn)  # readers audit afresh now: the stored rows reach no one
    result = log.verify_log(supervised, settings=settings)
    assert result.ok and result.findings is None
    assert "not served" in result.notes[-1]


def test_a_helper_that_saw_another_state_of_the_ledger_is_not_used(ledger, settings):
    """A helper reads a snapshot of its own on SQLite; what it made is used only when it saw the
    ledger the verification sees (else that part is done again in the verification's snapshot)."""
    hasher = RowHasher()
    with snapshot(ledger) as conn:
        tables, state = derived_tables(conn), store_state(conn)
        here = stored_digests(conn, tables, hasher)
        helping = Helpers(ledger, settings, hasher.key, tables, share(conn))
        try:
            there = helping.digests(state, hasher)
            assert there is not None
            assert {t: d.state() for t, d in there.items()} == {t: d.state() for t, d in here.items()}
            assert helping.digests((state[0] + 1, state[1]), hasher) is None  # one more event seen
            assert helping.findings(state) == ([], ["no stored findings to compare: supervision is off"], None)
        finally:
            helping.close()


def test_a_deleted_signing_key_is_named(ledger, settings, world):
    with ledger.engine.begin() as conn:
        conn.execute(text("DELETE FROM signing_keys WHERE uscc = :u"), {"u": world.trader.uscc})
    assert problems(ledger, settings) == [
        f"signing_keys: submission 3 of {world.trader.uscc} was signed with key {world.trader.key_id}, which the "
        "registry no longer holds for that enterprise: the key was deleted or given to another"
    ]


def test_a_replaced_signing_key_is_named(ledger, settings, world):
    with ledger.engine.begin() as conn:
        conn.execute(
            text("UPDATE signing_keys SET public_key = :k WHERE uscc = :u"), {"k": b"\x01" * 32, "u": world.mine.uscc}
        )
    assert problems(ledger, settings) == [
        f"signing_keys: key {world.mine.key_id} of {world.mine.uscc}: its public key is not the one its id names: "
        "it was replaced"
    ]


def test_values_of_the_wrong_kind_are_named_not_a_crash(ledger, settings, world):
    """Whoever edits the database can store anything in any column: still a named difference."""
    sql(ledger, "UPDATE lots SET composition = 'nothing' WHERE lot = 'ND-1'")
    loose = ledger.dialect == "sqlite"  # SQLite keeps text in a number column; PostgreSQL refuses it
    if loose:
        sql(ledger, "UPDATE lot_draws SET mass_kg = 'plenty' WHERE lot = 'C1'")
        sql(ledger, "UPDATE event_keys SET seq = 'x' WHERE key = 'L|DY-1' AND seq = 9")
    named = problems(ledger, settings)
    assert any(
        p.startswith("lots: row (seq 5, position 1) differs") and "composition is {<unreadable>" in p for p in named
    )
    if loose:
        assert any(p.startswith("lot_draws: row (seq 5, position 0) differs") and "'plenty'" in p for p in named)
        assert "event_keys: row (key 'L|DY-1', seq 'x') derives from no event: it was inserted" in named


def test_a_stored_finding_that_cannot_be_read_is_named(supervised, settings):
    sql(supervised, "UPDATE supervised_findings SET evidence = '{not json'")
    (problem,) = problems(supervised, settings)
    assert problem.startswith("supervised_findings: the stored findings cannot be read")


def test_helpers_end_with_the_verification_even_when_the_events_differ(supervised, settings):
    import multiprocessing

    sql(supervised, "UPDATE events SET body = replace(body, '\"mass_kg\":18.3', '\"mass_kg\":20438') WHERE seq = 5")
    result = verify_store(supervised, settings, helpers=True)
    assert result.problems[0].startswith("leaf 4 ") and result.findings is None
    assert multiprocessing.active_children() == []  # the audit it no longer needed was ended, not awaited
