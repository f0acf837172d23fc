"""UNKNOWN_LOT, DUPLICATE_LOT, LOT_OVERDRAWN, NOT_CUSTODIAN, CIRCULAR_TRADE, LARGE_ADJUSTMENT."""

import pytest
from builders import (
    MAGNET,
    MINE,
    SEP,
    TRADER,
    adjust,
    at,
    codes,
    consume,
    export,
    extract,
    new,
    of,
    one,
    receive,
    run,
    ship,
    transform,
)


def _mined(lot="L-1", mass=1000.0, owner=MINE):
    return extract(owner, f"e-{lot}", at(0), new(lot, mass))


def _moved(lot, frm, to, day, shipment):
    return [
        ship(frm, f"s-{shipment}", at(day), [lot], to, shipment),
        receive(to, f"r-{shipment}", at(day, 15), [lot], frm, shipment),
    ]


# -- UNKNOWN_LOT ------------------------------------------------------------------------------


def test_a_lot_no_event_created_is_unknown_once_at_its_first_use():
    findings = run(
        [
            ship(TRADER, "s1", at(1), ["GHOST"], SEP),
            receive(SEP, "r1", at(2), ["GHOST"], TRADER, mass_kg=100.0),
            transform(SEP, "t1", at(3), "other", [("GHOST", 100.0)], new("OUT", 10.0)),
        ]
    )
    f = one(findings, "UNKNOWN_LOT")
    assert (f.severity, f.enterprise, f.lot, f.event) == ("high", TRADER, "GHOST", f"{TRADER}:s1")
    assert f.evidence == {"usage": "ship", "created_later_by": None}
    # admitted as held by its user: no custody or balance findings follow from it
    assert codes(findings) == ["UNKNOWN_LOT"]


def test_a_lot_created_after_its_first_use_is_unknown_at_the_use_and_not_duplicate():
    findings = run(
        [
            ship(MINE, "s1", at(1), ["L-1"], SEP),
            extract(MINE, "e1", at(2), new("L-1")),
            receive(SEP, "r1", at(3), ["L-1"], MINE),
        ]
    )
    f = one(findings, "UNKNOWN_LOT")
    assert f.event == f"{MINE}:s1"
    assert f.evidence["created_later_by"] == f"{MINE}:e1"
    assert "DUPLICATE_LOT" not in codes(findings)


def test_a_lot_created_before_its_use_is_known():
    assert run([_mined(), ship(MINE, "s1", at(1), ["L-1"], SEP), receive(SEP, "r1", at(2), ["L-1"], MINE)]) == []


# -- DUPLICATE_LOT ----------------------------------------------------------------------------


def test_creating_a_lot_id_twice():
    findings = run([_mined("L-1"), extract(SEP, "e2", at(3), new("L-1", 5.0))])
    f = one(findings, "DUPLICATE_LOT")
    assert (f.severity, f.enterprise, f.lot, f.event) == ("high", SEP, "L-1", f"{SEP}:e2")
    assert f.evidence == {"first_created_by": f"{MINE}:e-L-1"}
    # the first creation stands: the mine still holds its 1000 kg
    assert codes(
        run([_mined("L-1"), extract(SEP, "e2", at(3), new("L-1", 5.0)), consume(MINE, "c1", at(4), [("L-1", 1000.0)])])
    ) == ["DUPLICATE_LOT"]


def test_two_outputs_with_the_same_id_in_one_event():
    findings = run([extract(MINE, "e1", at(0), new("L-1"), new("L-1"))])
    assert one(findings, "DUPLICATE_LOT").evidence == {"first_created_by": f"{MINE}:e1"}


def test_distinct_lot_ids_are_not_duplicates():
    assert run([_mined("L-1"), _mined("L-2")]) == []


# -- LOT_OVERDRAWN ----------------------------------------------------------------------------


@pytest.mark.parametrize(("taken", "over"), [(1000.01, False), (1000.02, True)])
def test_a_draw_beyond_the_lot_and_the_tolerance(taken, over):
    findings = run([_mined(), transform(MINE, "t1", at(1), "beneficiation", [("L-1", taken)], new("C-1", 1.0))])
    assert ("LOT_OVERDRAWN" in codes(findings)) is over
    if over:
        f = one(findings, "LOT_OVERDRAWN")
        assert (f.lot, f.event) == ("L-1", f"{MINE}:t1")
        assert f.evidence == {"held_kg": 1000.0, "taken_kg": 1000.02, "excess_kg": 0.02}


def test_draws_add_up_and_remaining_never_goes_below_zero():
    findings = run(
        [
            _mined(),
            consume(MINE, "c1", at(1), [("L-1", 600.0), ("L-1", 300.0)]),  # 900 of 1000: fine
            consume(MINE, "c2", at(2), [("L-1", 150.0)]),  # 150 of 100: over by 50
            adjust(MINE, "a1", at(3), "L-1", -1.0),  # the lot is empty: over by 1
        ]
    )
    first, second = of(findings, "LOT_OVERDRAWN")
    assert first.evidence == {"held_kg": 100.0, "taken_kg": 150.0, "excess_kg": 50.0}
    assert second.evidence == {"held_kg": 0.0, "taken_kg": 1.0, "excess_kg": 1.0}


def test_shipping_or_exporting_a_used_up_lot():
    findings = run(
        [
            _mined(),
            transform(MINE, "t1", at(1), "beneficiation", [("L-1", 1000.0)], new("C-1", 500.0)),
            ship(MINE, "s1", at(2), ["L-1"], TRADER),
        ]
    )
    f = one(findings, "LOT_OVERDRAWN")
    assert f.event == f"{MINE}:s1"
    assert f.evidence == {"held_kg": 0.0, "taken_kg": None, "excess_kg": None, "used_up": True}
    assert "NOT_CUSTODIAN" not in codes(findings)  # an empty lot is still held


# -- NOT_CUSTODIAN ----------------------------------------------------------------------------


def test_shipping_a_lot_held_by_another():
    f = one(run([_mined(), ship(TRADER, "s1", at(1), ["L-1"], SEP)]), "NOT_CUSTODIAN")
    assert (f.enterprise, f.lot, f.event) == (TRADER, "L-1", f"{TRADER}:s1")
    assert f.evidence == {"custodian": MINE, "state": "held"}


def test_using_a_lot_while_it_is_in_transit():
    findings = run(
        [
            _mined(),
            ship(MINE, "s1", at(1), ["L-1"], SEP),
            transform(SEP, "t1", at(2), "separation", [("L-1", 10.0)], new("OX", 5.0)),
        ]
    )
    assert one(findings, "NOT_CUSTODIAN").evidence == {"custodian": None, "state": "in_transit"}


def test_consuming_an_exported_lot_and_exporting_a_consumed_one():
    findings = run(
        [
            _mined("L-1"),
            _mined("L-2"),
            export(MINE, "x1", at(1), ["L-1"]),
            consume(MINE, "c1", at(2), [("L-1", 1.0)]),
            consume(MINE, "c2", at(2), [("L-2", 1000.0)]),
            export(MINE, "x2", at(3), ["L-2"]),
        ]
    )
    states = [(f.lot, f.evidence["state"]) for f in of(findings, "NOT_CUSTODIAN")]
    assert states == [("L-1", "exported"), ("L-2", "consumed")]


def test_the_receiver_is_custodian_after_receipt():
    events = [
        _mined(),
        *_moved("L-1", MINE, SEP, 1, "S1"),
        transform(SEP, "t1", at(2), "beneficiation", [("L-1", 1000.0)], new("C-1", 990.0)),
    ]
    assert run(events) == []


# -- CIRCULAR_TRADE ---------------------------------------------------------------------------


def test_a_lot_that_comes_back_to_a_past_holder():
    findings = run(
        [
            _mined(),
            *_moved("L-1", MINE, TRADER, 1, "S1"),
            *_moved("L-1", TRADER, MAGNET, 2, "S2"),
            *_moved("L-1", MAGNET, MINE, 3, "S3"),
        ]
    )
    f = one(findings, "CIRCULAR_TRADE")
    assert (f.severity, f.enterprise, f.lot, f.event) == ("medium", MINE, "L-1", f"{MINE}:r-S3")
    assert f.evidence == {"holders": [MINE, TRADER, MAGNET, MINE]}


def test_a_lot_passed_along_without_returning():
    assert run([_mined(), *_moved("L-1", MINE, TRADER, 1, "S1"), *_moved("L-1", TRADER, SEP, 2, "S2")]) == []


# -- LARGE_ADJUSTMENT -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mass", "delta", "large"),
    [
        (1000.0, -20.0, False),  # exactly 2 %
        (1000.0, -20.5, True),
        (1000.0, +20.5, True),
        (10000.0, +100.0, False),  # exactly 100 kg (1 %)
        (10000.0, -100.5, True),
    ],
)
def test_adjustments_beyond_two_percent_or_a_hundred_kilograms(mass, delta, large):
    findings = run([_mined(mass=mass), adjust(MINE, "a1", at(1), "L-1", delta)])
    assert ("LARGE_ADJUSTMENT" in codes(findings)) is large
    assert "LOT_OVERDRAWN" not in codes(findings)


def test_large_adjustment_evidence():
    f = one(run([_mined(mass=1000.0), adjust(MINE, "a1", at(1), "L-1", -20.5)]), "LARGE_ADJUSTMENT")
    assert (f.severity, f.lot, f.event) == ("medium", "L-1", f"{MINE}:a1")
    assert f.evidence == {"delta_kg": -20.5, "held_kg": 1000.0, "share": 0.0205}


def test_adjustment_is_judged_against_what_remains():
    findings = run(
        [_mined(mass=1000.0), consume(MINE, "c1", at(1), [("L-1", 900.0)]), adjust(MINE, "a1", at(2), "L-1", -3.0)]
    )
    assert one(findings, "LARGE_ADJUSTMENT").evidence == {"delta_kg": -3.0, "held_kg": 100.0, "share": 0.03}
