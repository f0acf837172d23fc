"""The custody / balance state machine the rules read (`reetrace.domain.lots`)."""

from builders import MINE, SEP, TRADER, adjust, at, consume, export, extract, new, receive, ship, transform

from reetrace.domain.lots import CONSUMED, EXPORTED, HELD, IN_TRANSIT, Ledger


def _replay(*events):
    ledger = Ledger()
    for event in events:
        ledger.admit(event)
        ledger.apply(event)
    return ledger


def test_custody_follows_creation_shipment_receipt_and_export():
    ledger = _replay(extract(MINE, "e1", at(0), new("L-1")))
    lot = ledger.lots["L-1"]
    assert (lot.custodian, lot.status, lot.remaining_kg, lot.created_by) == (MINE, HELD, 1000.0, f"{MINE}:e1")
    ledger.apply(ship(MINE, "s1", at(1), ["L-1"], SEP, "S1"))
    assert (lot.custodian, lot.status) == (None, IN_TRANSIT)
    assert (lot.transit.shipped_kg, lot.transit.key) == (1000.0, (MINE, SEP, "S1"))
    ledger.apply(receive(SEP, "r1", at(2), ["L-1"], MINE, "S1", mass_kg=990.0))
    assert (lot.custodian, lot.status, lot.remaining_kg, lot.holders) == (SEP, HELD, 990.0, [MINE, SEP])
    ledger.apply(export(SEP, "x1", at(3), ["L-1"]))
    assert (lot.custodian, lot.status, lot.remaining_kg) == (None, EXPORTED, 0.0)


def test_consumption_to_zero_ends_the_lot_and_draws_never_go_negative():
    ledger = _replay(
        extract(MINE, "e1", at(0), new("L-1", 100.0)),
        transform(MINE, "t1", at(1), "beneficiation", [("L-1", 60.0)], new("C-1", 50.0)),
        adjust(MINE, "a1", at(2), "L-1", -70.0),
    )
    assert ledger.lots["L-1"].remaining_kg == 0.0 and ledger.lots["L-1"].status == HELD
    ledger.apply(consume(MINE, "c1", at(3), [("C-1", 49.995)]))  # within 10 g: used up
    used_up = ledger.lots["C-1"]
    assert (used_up.status, used_up.remaining_kg, used_up.custodian) == (CONSUMED, 0.0, None)


def test_a_lot_used_before_it_was_created_is_admitted_of_unknown_origin():
    ledger = Ledger()
    draw = transform(SEP, "t1", at(1), "other", [("GHOST", 40.0), ("GHOST", 2.0)], new("OUT", 10.0))
    assert ledger.admit(draw) == ("GHOST",)
    ghost = ledger.lots["GHOST"]
    assert (ghost.origin_known, ghost.content_known, ghost.custodian, ghost.mass_kg) == (False, False, SEP, 42.0)
    assert ledger.admit(draw) == ()
    ledger.apply(draw)
    # its creation, later in event time, tells what it is; custody and balance stay
    ledger.apply(extract(MINE, "e1", at(2), new("GHOST", 500.0, {"Nd": 0.5}, "oxide")))
    ghost = ledger.lots["GHOST"]  # the state now (a used-up lot is kept packed: read it again)
    assert (ghost.created_by, ghost.form, ghost.composition, ghost.custodian, ghost.remaining_kg) == (
        f"{MINE}:e1",
        "oxide",
        {"Nd": 0.5},
        SEP,
        0.0,
    )
    assert ghost.holders == [MINE, SEP]


def test_a_second_creation_does_not_replace_the_first():
    ledger = _replay(extract(MINE, "e1", at(0), new("L-1", 100.0)), extract(TRADER, "e2", at(1), new("L-1", 5.0)))
    assert (ledger.lots["L-1"].creator, ledger.lots["L-1"].mass_kg) == (MINE, 100.0)


def test_received_mass_is_split_pro_rata_and_a_receipt_first_makes_the_shipment_a_no_op():
    ledger = _replay(
        extract(MINE, "e1", at(0), new("A", 100.0), new("B", 300.0)),
        receive(SEP, "r1", at(1), ["A", "B"], MINE, "S1", mass_kg=200.0),
        ship(MINE, "s1", at(2), ["A", "B"], SEP, "S1"),
    )
    assert (ledger.lots["A"].remaining_kg, ledger.lots["B"].remaining_kg) == (50.0, 150.0)
    assert ledger.lots["A"].held_by(SEP) and ledger.shipment_received(MINE, SEP, "S1")
