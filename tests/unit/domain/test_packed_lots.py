"""What the replay keeps in memory, and what it leaves out: used-up lots kept packed
(reetrace.domain.lots.Lots), and only the receipts a later ship can ask about remembered. Neither
changes what the replay finds or the state a closed year keeps, beyond those receipts."""

import dataclasses
import pickle
from unittest import mock

from builders import (
    CST,
    EVERYONE,
    MINE,
    SEP,
    adjust,
    at,
    consume,
    controls,
    export,
    extract,
    new,
    receive,
    recorded,
    registry,
    ship,
    transform,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.domain import closing
from reetrace.domain.audit import _steps, audit_keyed, audit_stream
from reetrace.domain.findings import Thresholds
from reetrace.domain.lots import CONSUMED, EXPORTED, HELD, Ledger, Lots, LotState
from reetrace.domain.rules.base import ShipmentIndex

CONTROLS = controls()
_LOTS = [f"L{i}" for i in range(4)]


@st.composite
def _ledgers(draw):
    """Events that use lots up and then name them again: drawn, moved, adjusted, created anew."""
    events = []
    for i in range(draw(st.integers(1, 40))):
        who, other = draw(st.sampled_from(EVERYONE[:3])), draw(st.sampled_from(EVERYONE[:3]))
        when = at(draw(st.integers(0, 20)), hour=draw(st.integers(8, 10)))
        lot = draw(st.sampled_from(_LOTS))
        mass = float(draw(st.integers(0, 4)) * 25)
        kind = draw(st.integers(0, 6))
        eid = f"ev{i}"
        if kind == 0:
            composition = draw(st.sampled_from([{"Nd": 0.5, "Dy": 0.01}, {"Nd": 0.6}, {"Ce": 0.3}]))
            events.append(extract(who, eid, when, new(lot, mass or 10.0, composition, "oxide")))
        elif kind == 1:
            events.append(ship(who, eid, when, [lot], other, f"S{i % 3}"))
        elif kind == 2:
            events.append(receive(who, eid, when, [lot], other, f"S{i % 3}", mass_kg=mass or None))
        elif kind == 3:
            output = new(draw(st.sampled_from(_LOTS)), 20.0, {"Nd": 0.6}, "oxide")
            events.append(transform(who, eid, when, "separation", [(lot, mass)], output))
        elif kind == 4:
            events.append(consume(who, eid, when, [(lot, mass), (lot, 1.0)]))
        elif kind == 5:
            events.append(adjust(who, eid, when, lot, draw(st.sampled_from([-200.0, -5.0, 5.0, 80.0]))))
        else:
            events.append(export(who, eid, when, [lot, lot]))
    return [recorded(e, seq=n + 1) for n, e in enumerate(events)]


def _replayed(records):
    """The ledger after the events, and the audit's findings with their keys."""
    ledger = Ledger()
    for record in sorted(records, key=lambda r: (r.event.time, r.seq)):
        ledger.admit(record.event)
        ledger.apply(record.event)
    return ledger, audit_keyed(records, registry(), CONTROLS, at(60).date(), Thresholds())


def _states(ledger):
    return {lot_id: closing._encode(ledger.lots[lot_id]) for lot_id in ledger.lots}


@settings(max_examples=200, deadline=None)
@given(_ledgers())
def test_packing_used_up_lots_changes_nothing_the_replay_finds_or_keeps(records):
    packed_ledger, packed_found = _replayed(records)
    with mock.patch.object(Lots, "settle", lambda self, lot: None):  # never pack
        plain_ledger, plain_found = _replayed(records)
    assert plain_ledger.lots.packed == 0
    assert packed_found == plain_found
    assert _states(packed_ledger) == _states(plain_ledger)
    assert closing._encode(packed_ledger) == closing._encode(plain_ledger)  # what a state digest walks
    # and only used-up lots are packed
    for lot_id in packed_ledger.lots:
        state = packed_ledger.lots[lot_id]
        if lot_id not in packed_ledger.lots.live:
            assert state.remaining_kg == 0.0 and state.transit is None and state.status != "in_transit"


def test_a_used_up_lot_is_packed_read_back_whole_and_revived_by_the_next_change():
    ledger, _ = _replayed(
        [
            recorded(extract(MINE, "e1", at(0), new("L-1", 100.0, {"Nd": 0.5}, "oxide"))),
            recorded(ship(MINE, "s1", at(1), ["L-1"], SEP, "S1")),
            recorded(receive(SEP, "r1", at(2), ["L-1"], MINE, "S1", mass_kg=100.0)),
            recorded(consume(SEP, "c1", at(3), [("L-1", 100.0)])),
        ]
    )
    assert ledger.lots.packed == 1 and "L-1" not in ledger.lots.live and "L-1" in ledger.lots
    used = ledger.lots["L-1"]
    assert (used.status, used.remaining_kg, used.custodian, used.holders) == (CONSUMED, 0.0, None, [MINE, SEP])
    assert (used.created_by, used.form, used.composition, used.mass_kg) == (f"{MINE}:e1", "oxide", {"Nd": 0.5}, 100.0)
    assert ledger.get("L-1") is not None and ledger.get("L-2") is None and len(ledger.lots) == 1
    ledger.apply(adjust(SEP, "a1", at(4), "L-1", 30.0))  # found again in a stock-take
    assert ledger.lots.packed == 0 and ledger.lots["L-1"].remaining_kg == 30.0
    ledger.apply(export(SEP, "x1", at(5), ["L-1"]))
    assert ledger.lots.packed == 1 and ledger.lots["L-1"].status == EXPORTED


def test_a_ledger_with_packed_lots_is_kept_and_read_back_whole():
    ledger, _ = _replayed(
        [recorded(extract(MINE, f"e{i}", at(0), new(f"L-{i}", 10.0, {"Nd": 0.5}, "oxide"))) for i in range(5)]
        + [recorded(consume(MINE, f"c{i}", at(1), [(f"L-{i}", 10.0)])) for i in range(3)]
    )
    assert ledger.lots.packed == 3
    back = pickle.loads(pickle.dumps(ledger, protocol=5))
    assert back.lots.packed == 3 and _states(back) == _states(ledger)
    assert closing._encode(back) == closing._encode(ledger)
    back.apply(consume(MINE, "c4", at(2), [("L-4", 10.0)]))  # tables rebuilt: packing goes on
    assert back.lots.packed == 4 and back.lots["L-4"].status == CONSUMED


def test_a_ledger_kept_before_lots_were_packed_reads_back_with_its_used_up_lots_packed():
    def lot(lot_id, remaining, status, custodian):
        return LotState(
            lot_id, f"{MINE}:e1", MINE, "oxide", 10.0, {"Nd": 0.5}, remaining, custodian, status, None, [MINE]
        )

    old = Ledger.__new__(Ledger)
    old.__dict__.update(
        {
            "lots": {"A": lot("A", 10.0, HELD, MINE), "B": lot("B", 0.0, CONSUMED, None)},
            "_tolerance_kg": 0.01,
            "_received": {(MINE, SEP, "S1")},
        }
    )
    back = pickle.loads(pickle.dumps(old, protocol=5))
    assert isinstance(back.lots, Lots) and back.lots.packed == 1 and set(back.lots.live) == {"A"}
    assert back.lots["B"].status == CONSUMED and back.shipment_received(MINE, SEP, "S1")


def test_packing_keeps_every_field_bit_for_bit():
    shared = {"Nd": 0.25, "Pr": 1e-300}
    states = [
        LotState("A", None, None, None, 0.0, None, -0.0, MINE, HELD, None, [MINE], origin_known=False),
        LotState("B", "x:1", MINE, "oxide", 1 / 3, shared, 0.0, None, EXPORTED, None, [MINE, SEP, MINE]),
        LotState("C", "x:2", SEP, "metal", 5e-324, shared, 0.0, None, CONSUMED, None, []),
    ]
    lots = Lots()
    for state in states:
        before = closing._encode(state)
        lots.add(state)
        lots.settle(state)
        assert closing._encode(lots[state.lot]) == before
    assert lots.packed == 3 and lots["B"].composition is lots["C"].composition  # one table entry
    assert str(lots["A"].remaining_kg) == "-0.0"


def test_the_opening_of_a_year_keeps_its_used_up_lots_packed():
    records = [
        recorded(extract(MINE, "e1", at(0, year=2025), new("L-1", 10.0, {"Nd": 0.5}, "oxide"))),
        recorded(consume(MINE, "c1", at(1, year=2025), [("L-1", 10.0)])),
        recorded(extract(MINE, "e2", at(2, year=2025), new("L-2", 10.0, {"Nd": 0.5}, "oxide"))),
    ]
    ledger, _ = _replayed(records)
    opening = closing.Opening(2025, at(0, year=2026).astimezone(CST), at(0).date(), 3, ledger, (), [], {})
    back = closing.load(closing.dump(opening))
    assert back.ledger.lots.packed == 1 and closing.state_digest(back) == closing.state_digest(opening)


@settings(max_examples=200, deadline=None)
@given(_ledgers())
def test_remembering_only_the_receipts_a_later_ship_can_ask_about_changes_no_finding(records):
    as_of = at(60).date()
    index = ShipmentIndex.of(_steps(records, as_of, Thresholds()), Thresholds())
    assert index.reshipped is not None

    def audit(shipments):
        ordered = sorted(records, key=lambda r: r.event.time)
        return audit_stream(ordered, registry(), CONTROLS, as_of, Thresholds(), None, shipments)

    assert audit(index) == audit(dataclasses.replace(index, reshipped=None))  # None: every receipt


def test_a_receipt_is_remembered_only_when_its_shipment_is_shipped_at_or_after_it():
    records = [
        recorded(extract(MINE, "e1", at(0), new("L-1", 10.0))),
        recorded(ship(MINE, "s1", at(1), ["L-1"], SEP, "S1")),
        recorded(receive(SEP, "r1", at(2), ["L-1"], MINE, "S1")),  # shipped before: forgotten
        recorded(extract(MINE, "e2", at(0), new("L-2", 10.0))),
        recorded(receive(SEP, "r2", at(3), ["L-2"], MINE, "S2")),
        recorded(ship(MINE, "s2", at(4), ["L-2"], SEP, "S2")),  # shipped after its receipt
    ]
    index = ShipmentIndex.of(_steps(records, at(60).date(), Thresholds()), Thresholds())
    assert index.reshipped == {f"S|{MINE}|{SEP}|S2"}
    ledger = Ledger()
    ledger.keeps_receipt = index.shipped_after_receipt
    for record in sorted(records, key=lambda r: r.event.time):
        ledger.admit(record.event)
        ledger.apply(record.event)
    assert ledger._received == {(MINE, SEP, "S2")}
    assert ledger.lots["L-2"].custodian == SEP  # the late ship did not take it back into transit
