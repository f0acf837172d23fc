"""`SqlLotSource` traces exactly as `InMemoryLotSource` does, from rows written by hand.

The database is `store_url`'s (tests/conftest.py): a fresh SQLite file, or, with
`REETRACE_TEST_DB` set (e.g. `postgresql+psycopg://postgres@127.0.0.1:5432/test`), a PostgreSQL
schema of its own, dropped afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Connection, create_engine, event, insert

from reetrace.domain.events import Draw, Event, Extract, Import, NewLot, Transform
from reetrace.domain.provenance import provenance
from reetrace.domain.trace import InMemoryLotSource, backward, forward
from reetrace.errors import NotFound
from reetrace.services.trace import trace
from reetrace.store import tables as t
from reetrace.store.database import Store
from reetrace.store.lot_source import SqlLotSource

MINER_A = "91150200MA0N0P1X25"
MINER_B = "91360700MA35F0XX1K"
SEPARATOR = "91150200MA0N0SEP01"
MAKER = "91330200MA2MAG0001"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def connection(store_url: str) -> Iterator[Connection]:
    """The store's tables, empty, created straight from `reetrace.store.tables`."""
    engine = create_engine(store_url)
    with engine.connect() as conn:
        t.metadata.create_all(conn)
        conn.commit()
        yield conn
    engine.dispose()


def at(day: int) -> datetime:
    return T0 + timedelta(days=day)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def write(conn: Connection, events: Sequence[Event]) -> None:
    """The rows accepting these events would write: `events`, `lots` and `lot_draws`."""
    conn.execute(
        insert(t.submissions).values(
            id=1,
            digest="0" * 64,
            reporter=MINER_A,
            key_id="0" * 16,
            created_at=utc_text(T0),
            received_at=utc_text(T0),
            signature="x",
            source="by hand",
            event_count=len(events),
        )
    )
    for seq, e in enumerate(events, start=1):
        body = {"event_id": e.event_id, "type": e.type, "time": e.time.isoformat()}
        if isinstance(e, Transform):
            body["process"] = e.process
        if isinstance(e, Import):
            body["origin_country"] = e.origin_country
        conn.execute(
            insert(t.events).values(
                seq=seq,
                reporter=e.reporter,
                event_id=e.event_id,
                type=e.type,
                time=utc_text(e.time),
                submission_id=1,
                received_at=utc_text(T0),
                digest=f"{seq:064d}",
                body=json.dumps(body, sort_keys=True, separators=(",", ":")),
            )
        )
        for position, new in enumerate(getattr(e, "outputs", ())):
            conn.execute(
                insert(t.lots).values(
                    lot=new.lot,
                    seq=seq,
                    position=position,
                    form=new.form,
                    mass_kg=new.mass_kg,
                    composition=json.dumps(new.composition),
                    hs_code=new.hs_code,
                )
            )
        for position, d in enumerate(getattr(e, "inputs", ())):
            conn.execute(insert(t.lot_draws).values(seq=seq, position=position, lot=d.lot, mass_kg=d.mass_kg))


def transform(reporter, event_id, day, process, inputs, outputs):
    return Transform(
        reporter,
        event_id,
        at(day),
        process=process,
        inputs=tuple(Draw(lot, kg) for lot, kg in inputs),
        outputs=tuple(outputs),
    )


CHAIN: list[Event] = [
    # recorded after the ore it duplicates, but earlier in event time: this creation counts
    Extract(
        MINER_B,
        "x-7",
        at(0),
        deposit="ion_adsorption",
        outputs=(NewLot("ORE-B", "ore", 500, {"Nd": 0.01, "Dy": 0.003}),),
    ),
    Extract(MINER_A, "x-1", at(0), deposit="rock", outputs=(NewLot("ORE-A", "ore", 1000, {"Nd": 0.02, "Dy": 0.001}),)),
    Import(
        MAKER,
        "i-1",
        at(1),
        origin_country="MM",
        customs_declaration="CD-1",
        outputs=(NewLot("CONC-MM", "concentrate", 100, {"Dy": 0.02, "Tb": 0.005}, "2846901900"),),
    ),
    transform(
        SEPARATOR,
        "sep-1",
        5,
        "separation",
        [("ORE-A", 1000), ("ORE-B", 500), ("CONC-MM", 100), ("SCRAP-X", 40)],
        [NewLot("OX-ND", "oxide", 25, {"Nd": 0.8}), NewLot("OX-DY", "oxide", 6, {"Dy": 0.8, "Tb": 0.05})],
    ),
    transform(
        SEPARATOR,
        "met-1",
        8,
        "metal",
        [("OX-ND", 20), ("OX-ND", 5)],  # one lot drawn twice
        [NewLot("MET-ND", "metal", 20, {"Nd": 0.95})],
    ),
    transform(
        MAKER,
        "mag-1",
        12,
        "magnet",
        [("MET-ND", 10), ("OX-DY", 1)],
        [NewLot("MAG-1", "magnet", 11, {"Nd": 0.86, "Dy": 0.07, "Tb": 0.004})],
    ),
    transform(
        MAKER,
        "mag-2",
        13,
        "magnet",
        [("MET-ND", 10), ("OX-DY", 2)],
        [NewLot("MAG-2", "magnet", 6, {"Nd": 0.8, "Dy": 0.1}), NewLot("SCRAP-M", "scrap", 5, {"Nd": 0.5})],
    ),
    Extract(MINER_B, "x-9", at(20), deposit="rock", outputs=(NewLot("ORE-B", "ore", 1, {"La": 0.5}),)),
]
LOTS = ["ORE-A", "ORE-B", "CONC-MM", "SCRAP-X", "OX-ND", "OX-DY", "MET-ND", "MAG-1", "MAG-2", "SCRAP-M", "NOWHERE"]


@pytest.mark.parametrize("chunk_size", [500, 2])
def test_sql_source_traces_as_the_in_memory_one(connection, chunk_size):
    write(connection, CHAIN)
    memory, store = InMemoryLotSource.from_events(CHAIN), SqlLotSource(connection, chunk_size=chunk_size)
    for lot in LOTS:
        assert backward(lot, store).as_contract() == backward(lot, memory).as_contract(), lot
        assert forward(lot, store).as_contract() == forward(lot, memory).as_contract(), lot


def test_sql_source_gives_the_in_memory_provenance(connection):
    """The import's declared origin comes back from its body: CONC-MM is of Myanmar origin."""
    write(connection, CHAIN)
    memory, store = InMemoryLotSource.from_events(CHAIN), SqlLotSource(connection, chunk_size=2)
    for lot in LOTS:
        assert provenance(lot, store).as_contract() == provenance(lot, memory).as_contract(), lot
    assert "MM" in provenance("MAG-1", store).stages[0].countries


def test_sql_source_reads_events_whole(connection):
    write(connection, CHAIN)
    store = SqlLotSource(connection)
    created = store.creations(["ORE-B", "MAG-2", "SCRAP-X"])
    assert set(created) == {"ORE-B", "MAG-2"}
    assert created["ORE-B"].ref == f"{MINER_B}:x-7"
    mag = created["MAG-2"]
    assert (mag.ref, mag.type, mag.process, mag.time) == (f"{MAKER}:mag-2", "transform", "magnet", utc_text(at(13)))
    assert mag.inputs == (Draw("MET-ND", 10), Draw("OX-DY", 2))
    assert [o.lot for o in mag.outputs] == ["MAG-2", "SCRAP-M"]
    imported = store.creations(["CONC-MM"])["CONC-MM"]
    assert (imported.outputs[0].hs_code, imported.origin_country, imported.process) == ("2846901900", "MM", None)
    assert (mag.origin_country, created["ORE-B"].origin_country) == (None, None)
    uses = store.uses(["MET-ND", "OX-ND", "MAG-1"])
    assert [c.ref for c in uses["MET-ND"]] == [f"{MAKER}:mag-1", f"{MAKER}:mag-2"]
    assert [c.ref for c in uses["OX-ND"]] == [f"{SEPARATOR}:met-1"]
    assert "MAG-1" not in uses


def test_a_trace_costs_queries_per_level_not_per_lot(connection):
    """A blend of 3 mines and a blend of 120 are traced with the same number of queries."""

    def blend(name: str, mines: int) -> list[Event]:
        ores = [
            Extract(
                MINER_A,
                f"{name}-x-{i}",
                at(0),
                deposit="rock",
                outputs=(NewLot(f"{name}-ORE-{i}", "ore", 100 + i, {"La": 0.01, "Ce": 0.02}),),
            )
            for i in range(mines)
        ]
        return [
            *ores,
            transform(
                SEPARATOR,
                f"{name}-sep",
                5,
                "separation",
                [(f"{name}-ORE-{i}", 50) for i in range(mines)],
                [NewLot(f"{name}-OX", "oxide", 80, {"La": 0.7})],
            ),
        ]

    write(connection, [*blend("small", 3), *blend("large", 120)])
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    def queries(trace) -> int:
        statements.clear()
        trace()
        return len(statements)

    store = SqlLotSource(connection)
    event.listen(connection, "before_cursor_execute", count)
    try:
        small = queries(lambda: backward("small-OX", store)), queries(lambda: forward("small-ORE-1", store))
        large = queries(lambda: backward("large-OX", store)), queries(lambda: forward("large-ORE-1", store))
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert small == large
    # backward: two levels (the oxide, then its ores) of two queries each; forward: the ore
    # (2), the transforms using it (2), the lots those name (2), and who uses the oxide (1,
    # no parts to read when nobody does)
    assert large == (4, 7)
    assert len(backward("large-OX", store).origins) == 120


@pytest.fixture
def chain_store(store_url: str) -> Iterator[Store]:
    """A store holding `CHAIN`, written by hand into tables created from `reetrace.store.tables`."""
    engine = create_engine(store_url)
    with engine.connect() as conn:
        t.metadata.create_all(conn)
        write(conn, CHAIN)
        conn.commit()
    yield Store(engine)
    engine.dispose()


def count_statements(store: Store, call) -> tuple[object, int]:
    """What `call()` returns, and how many statements it sent to the database."""
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        return call(), len(statements)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def test_the_trace_service_costs_two_queries_per_level(chain_store):
    """MAG-1 has three levels (MAG-1; MET-ND and OX-DY; OX-ND and the raw lots): six queries, and
    no separate check that the lot is in the ledger, since its creation was found."""
    back, queries = count_statements(chain_store, lambda: trace(chain_store, "MAG-1", "backward"))
    assert queries == 6
    assert back == backward("MAG-1", InMemoryLotSource.from_events(CHAIN)).as_contract()


def test_the_trace_service_checks_the_ledger_only_for_a_lot_nobody_created(chain_store):
    # drawn from but never created: one level without parts, then the check that finds it
    back, queries = count_statements(chain_store, lambda: trace(chain_store, "SCRAP-X", "backward"))
    assert queries == 2
    assert [(o["lot"], o["type"]) for o in back["origins"]] == [("SCRAP-X", "unknown")]
    assert trace(chain_store, "SCRAP-X", "forward")["descendants"]
    for direction in ("backward", "forward"):
        with pytest.raises(NotFound, match=r"^lot 'NOWHERE' is not in the ledger$"):
            trace(chain_store, "NOWHERE", direction)
