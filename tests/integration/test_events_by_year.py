"""Events partitioned by year on PostgreSQL (migration 0011), the COPY path of bulk inserts, and
migration 0011 up and down on a store holding data.

The partition tests need PostgreSQL: they run when REETRACE_TEST_DB names one and are skipped
(reported as skipped) on SQLite runs. The SQLite test checks that 0011 leaves SQLite as it was.
"""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import inspect, select, text

from factory import extract, ship
from reetrace.services import log
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.store import tables as t
from reetrace.store.bulk import insert_rows
from reetrace.store.database import open_store
from reetrace.store.ledger_repo import DRAW_COLUMNS, EVENT_COLUMNS, KEY_COLUMNS, LOT_COLUMNS
from reetrace.store.log_repo import NODE_COLUMNS
from reetrace.store.migrate import current_revision, downgrade, head_revision, upgrade
from reetrace.store.partitions import ensure_partitions, event_year, existing_partitions, partition_name
from stores import PG_URL

pg_only = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set REETRACE_TEST_DB")

LEDGER = {  # every ledger table, in an order that makes its rows comparable
    "submissions": "id",
    "events": "seq",
    "event_keys": "key, seq",
    "lots": "seq, position",
    "lot_draws": "seq, position",
    "log_nodes": "level, idx",
}


def rows_of(store, table: str) -> list[tuple]:
    with store.reading() as conn:
        return [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY {LEDGER[table]}"))
        ]


def snapshot(store) -> dict[str, list[tuple]]:
    return {table: rows_of(store, table) for table in LEDGER}


def partition_holding(store, event_id: str) -> str:
    with store.reading() as conn:
        return conn.execute(
            text("SELECT tableoid::regclass::text FROM events WHERE event_id = :e"), {"e": event_id}
        ).scalar_one()


def two_years(world) -> list[dict]:
    """Submissions whose events fall in 2025, 2026 and, by UTC+8, 2027."""
    return [
        world.mine.submit(
            [
                extract("e2025", "L1", time="2025-06-01T08:00:00+08:00"),
                extract("e2026", "L2", time="2026-01-05T08:00:00+08:00"),
            ],
            created_at="2026-01-06T10:00:00+08:00",
        ),
        world.mine.submit(
            [
                ship("s2026", ["L1"], world.plant.uscc, "S1", time="2026-12-31T23:59:59.999999+08:00"),
                ship("s2027", ["L2"], world.plant.uscc, "S2", time="2027-01-01T00:00:00+08:00"),
            ],
            created_at="2027-01-02T10:00:00+08:00",
        ),
    ]


def test_the_year_of_an_event_is_counted_in_utc8():
    assert event_year("2026-12-31T15:59:59.999999+00:00") == 2026
    assert event_year("2026-12-31T16:00:00.000000+00:00") == 2027
    assert event_year("2027-01-01T00:00:00.000000+00:00") == 2027


@pg_only
def test_a_new_year_gets_its_partition_and_each_event_lands_in_its_year(store, world, write_json):
    with store.reading() as conn:
        assert existing_partitions(conn) == set()  # a new store: partitions come with the events
    load_registry(store, world.registry())
    first, second = two_years(world)
    ingest(store, [write_json("a.json", first)], as_received_created_at=True)
    with store.reading() as conn:
        assert existing_partitions(conn) == {"events_y2025", "events_y2026"}
    ingest(store, [write_json("b.json", second)], as_received_created_at=True)  # brings 2027
    with store.reading() as conn:
        assert existing_partitions(conn) == {"events_y2025", "events_y2026", "events_y2027"}
    assert [partition_holding(store, e) for e in ("e2025", "e2026", "s2026", "s2027")] == [
        "events_y2025",
        "events_y2026",
        "events_y2026",
        "events_y2027",
    ]
    with store.reading() as conn:  # every event has its identity, and a query on time reads one year
        assert (
            conn.execute(text("SELECT seq, reporter, event_id, digest FROM event_ids ORDER BY seq")).all()
            == conn.execute(text("SELECT seq, reporter, event_id, digest FROM events ORDER BY seq")).all()
        )
        plan = "\n".join(
            conn.execute(
                text("EXPLAIN SELECT seq FROM events WHERE time >= '2026-12-31T16:00:00.000000+00:00' ORDER BY time")
            ).scalars()
        )
    assert "events_y2027" in plan and "events_y2026" not in plan and "events_y2025" not in plan
    assert log.verify_log(store).ok


@pg_only
def test_an_event_id_is_refused_twice_across_years(store, world, write_json):
    load_registry(store, world.registry())
    ingest(store, [write_json("a.json", two_years(world)[0])], as_received_created_at=True)
    # the append path: the same id with another time (another year) is a conflict
    again = world.mine.submit(
        [extract("e2025", "L1", time="2026-03-01T08:00:00+08:00")], created_at="2026-03-02T10:00:00+08:00"
    )
    report = ingest(store, [write_json("b.json", again)], as_received_created_at=True)
    assert [r.reason_class for r in report.rejected] == ["conflict"]
    # the database itself: a row reusing (reporter, event_id), or a seq, in another year's partition
    row, columns = rows_of(store, "events")[0], EVENT_COLUMNS
    for changes in (
        {"seq": 99, "time": "2024-03-01T00:00:00.000000+00:00"},
        {"event_id": "other", "time": "2026-03-01T00:00:00.000000+00:00"},
    ):
        values = dict(zip(columns, row, strict=True)) | changes
        with pytest.raises(psycopg.errors.UniqueViolation, match="event_ids"):  # from the driver, as COPY runs there
            with store.writing() as conn:
                ensure_partitions(conn, [values["time"]])
                insert_rows(conn, t.events, columns, [tuple(values[c] for c in columns)])
    assert len(rows_of(store, "events")) == 2


@pg_only
def test_event_ids_follow_events_changed_by_hand(store, world, write_json):
    load_registry(store, world.registry())
    for i, doc in enumerate(two_years(world)):
        ingest(store, [write_json(f"{i}.json", doc)], as_received_created_at=True)
    identities = "SELECT seq, reporter, event_id, digest FROM {} ORDER BY seq"
    with store.engine.begin() as conn:  # ships have no lot rows referring to them
        conn.execute(text("UPDATE events SET event_id = 'moved', seq = seq + 10 WHERE event_id = 's2026'"))
        conn.execute(text("DELETE FROM events WHERE event_id = 's2027'"))
    with store.reading() as conn:
        ids = conn.execute(text(identities.format("event_ids"))).all()
        assert ids == conn.execute(text(identities.format("events"))).all()
    assert [(seq, event_id) for seq, _, event_id, _ in ids] == [(1, "e2025"), (2, "e2026"), (13, "moved")]


NASTY = ("tab\there", "new\nline", "back\\slash", "稀土 Nd₂O₃", "", "\\N", "quote'\"")


@pg_only
def test_copy_and_executemany_write_the_same_rows(store, world, write_json):
    load_registry(store, world.registry())
    ingest(store, [write_json("a.json", two_years(world)[0])], as_received_created_at=True)  # submission 1
    written = {  # in the order of the append path's columns
        (t.events, EVENT_COLUMNS): [
            (
                100 + i,
                world.mine.uscc,
                f"x{i}",
                "extract",
                f"2026-0{i + 1}-01T00:00:00.000000+00:00",
                1,
                "2026-02-05T02:00:00.000000+00:00",
                "d" * 64,
                value,
                bytes([0, i, 255]) if i % 2 else None,
            )
            for i, value in enumerate(NASTY)
        ],
        (t.lots, LOT_COLUMNS): [
            (100 + i, value or "L", i, "oxide", 0.1 * i + 1e-300, '{"Nd":0.3}', None if i % 2 else "2846901")
            for i, value in enumerate(NASTY)
        ],
        (t.lot_draws, DRAW_COLUMNS): [(100 + i, i, value or "L", 1 / 3) for i, value in enumerate(NASTY)],
        (t.event_keys, KEY_COLUMNS): [(f"L|{value}", 100 + i) for i, value in enumerate(NASTY)],
        (t.log_nodes, NODE_COLUMNS): [(9, 2**40 + i, bytes(range(i, i + 32))) for i in range(3)],
    }

    def read(conn, table, columns) -> list[tuple]:
        return sorted(
            (
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in conn.execute(select(*(table.c[c] for c in columns)))
            ),
            key=repr,
        )

    found = {}
    for copy in (False, True):
        with store.engine.connect() as conn:
            with conn.begin() as transaction:
                before = {key: read(conn, *key) for key in written}
                ensure_partitions(conn, [row[4] for row in written[(t.events, EVENT_COLUMNS)]])
                for (table, columns), rows in written.items():
                    insert_rows(conn, table, columns, rows, copy=copy)
                found[copy] = {key: [row for row in read(conn, *key) if row not in before[key]] for key in written}
                transaction.rollback()
    assert found[True] == found[False]
    assert found[True] == {key: sorted(rows, key=repr) for key, rows in written.items()}


def references(conn) -> set[str]:
    """The tables the ledger's row tables refer to by foreign key."""
    return {
        fk["referred_table"]
        for table in ("events", "lots", "lot_draws")
        for fk in inspect(conn).get_foreign_keys(table)
    }


def register_at_an_old_revision(store, doc) -> None:
    """The registry's enterprises, keys, quotas and licenses, written by the store as it is today,
    without sites, whose columns grew after these revisions (0019), nor GTINs, whose table came
    with 0022, nor the registry's revision, whose table came with 0024."""
    from unittest import mock

    from reetrace.contract.registry import validate_registry
    from reetrace.store import registry_repo

    doc = {**doc, "enterprises": [{**e, "sites": []} for e in doc["enterprises"]]}
    with (
        store.writing() as conn,
        mock.patch.object(registry_repo, "save_gtins"),
        mock.patch.object(registry_repo, "revise"),
    ):
        registry_repo.save_registry(conn, validate_registry(doc))


def append_at_an_old_revision(store, path) -> None:
    """A submission written by the ledger's own writer, as ingest would (archived: received at
    its created_at), but without its access-log entry, whose columns came with 0014."""
    from reetrace.services.intake import authenticate
    from reetrace.store.ledger_repo import append
    from reetrace.store.registry_repo import known_enterprises, load_keys

    with store.reading() as conn:
        keys, enterprises = load_keys(conn), known_enterprises(conn)
    with store.writing() as conn:
        append(conn, [authenticate(path.read_bytes(), str(path), keys, enterprises, None)])


@pg_only
def test_upgrading_a_store_holding_data_keeps_every_row_and_downgrading_returns_it(
    store_url, world, write_json, tmp_path
):
    store = open_store(store_url, migrate=False)
    try:
        upgrade(store.engine, "0010")
        register_at_an_old_revision(store, world.registry())
        for i, doc in enumerate(two_years(world)):
            append_at_an_old_revision(store, write_json(f"{i}.json", doc))
        before = snapshot(store)
        assert len(before["events"]) == 4 and before["lots"] and before["event_keys"] and before["log_nodes"] == []

        upgrade(store.engine, "0011")
        with store.reading() as conn:
            assert existing_partitions(conn) == {partition_name(y) for y in (2025, 2026, 2027)}
            assert conn.scalar(text("SELECT count(*) FROM event_ids")) == 4
            assert references(conn) == {"event_ids", "submissions"}
        upgrade(store.engine)
        with store.reading() as conn:
            assert current_revision(conn) == head_revision()
            assert references(conn) == set()  # 0013: ledger rows go in without per-row key checks
        assert snapshot(store) == before
        assert partition_holding(store, "s2027") == "events_y2027"
        assert log.verify_log(store).ok

        downgrade(store.engine, "0010")
        with store.reading() as conn:
            assert existing_partitions(conn) is None
            assert not inspect(conn).has_table("event_ids")
            assert {c["name"] for c in inspect(conn).get_unique_constraints("events")} == {
                "uq_events_reporter_event_id"
            }
        assert snapshot(store) == before
        assert log.verify_log(store).ok

        upgrade(store.engine)  # and up again, appending after it
        more = world.mine.submit(
            [extract("e2028", "L9", time="2028-02-01T08:00:00+08:00")], created_at="2028-02-02T10:00:00+08:00"
        )
        assert ingest(store, [write_json("c.json", more)], as_received_created_at=True).events_accepted == 1
        assert partition_holding(store, "e2028") == "events_y2028"
        assert snapshot(store)["events"][:4] == before["events"]
        assert log.verify_log(store).ok
    finally:
        store.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite layout; the PostgreSQL one is tested above")
def test_sqlite_keeps_one_events_table_through_0011(store_url, world, write_json):
    store = open_store(store_url, migrate=False)
    try:
        upgrade(store.engine, "0010")
        register_at_an_old_revision(store, world.registry())
        append_at_an_old_revision(store, write_json("a.json", two_years(world)[0]))
        before = snapshot(store)
        upgrade(store.engine)
        with store.reading() as conn:
            assert existing_partitions(conn) is None and not inspect(conn).has_table("event_ids")
            assert {c["name"] for c in inspect(conn).get_unique_constraints("events")} == {
                "uq_events_reporter_event_id"
            }
        assert snapshot(store) == before
        downgrade(store.engine, "0010")
        assert snapshot(store) == before
        with pytest.raises(ValueError, match="PostgreSQL"):
            with store.writing() as conn:
                insert_rows(conn, t.event_keys, ("key", "seq"), [("L|x", 1)], copy=True)
    finally:
        store.dispose()
