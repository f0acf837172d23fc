"""SHIPMENT_NOT_RECEIVED, RECEIPT_WITHOUT_SHIPMENT and TRANSFER_MISMATCH."""

from datetime import date, timedelta

import pytest
from builders import MINE, SEP, TRADER, at, codes, consume, extract, new, of, one, receive, run, ship, transform

SHIPPED_AT = at(0, 9)  # 2026-03-01 09:00 +08:00


def _shipped(*lots_and_mass, shipment="S1"):
    lots = lots_and_mass or (("L-1", 1000.0),)
    return [
        *(extract(MINE, f"e-{lot}", at(0, 8), new(lot, mass)) for lot, mass in lots),
        ship(MINE, "s1", SHIPPED_AT, [lot for lot, _ in lots], SEP, shipment),
    ]


# -- SHIPMENT_NOT_RECEIVED --------------------------------------------------------------------


def test_a_shipment_never_received_once_thirty_days_have_passed():
    findings = run(_shipped(), as_of=date(2026, 3, 31))  # the window closes 2026-03-31 09:00
    f = one(findings, "SHIPMENT_NOT_RECEIVED")
    assert (f.severity, f.enterprise, f.lot, f.event) == ("medium", MINE, "L-1", f"{MINE}:s1")
    assert f.evidence == {
        "shipment": "S1",
        "to": SEP,
        "lots": ["L-1"],
        "deadline": "2026-03-31",
        "received_late_at": None,
    }


def test_the_window_still_open_on_the_audit_date():
    assert of(run(_shipped(), as_of=date(2026, 3, 30)), "SHIPMENT_NOT_RECEIVED") == []


@pytest.mark.parametrize(("after", "late"), [(timedelta(days=30), False), (timedelta(days=30, minutes=1), True)])
def test_received_on_day_thirty_is_in_time(after, late):
    findings = run([*_shipped(), receive(SEP, "r1", SHIPPED_AT + after, ["L-1"], MINE)])
    assert codes(findings) == (["SHIPMENT_NOT_RECEIVED"] if late else [])
    if late:
        received = one(findings, "SHIPMENT_NOT_RECEIVED").evidence["received_late_at"]
        assert received == "2026-03-31T09:01:00+08:00"


def test_a_receipt_matches_only_the_same_shipment_sender_and_receiver():
    findings = run(
        [
            *_shipped(),
            receive(TRADER, "r1", at(2), ["L-1"], MINE),  # wrong receiver
            receive(SEP, "r2", at(2, 10), ["L-1"], TRADER),  # wrong sender
            receive(SEP, "r3", at(2, 11), ["L-1"], MINE, shipment="S9"),
        ]
    )  # wrong shipment
    assert sorted(codes(findings)) == [
        "RECEIPT_WITHOUT_SHIPMENT",
        "RECEIPT_WITHOUT_SHIPMENT",
        "RECEIPT_WITHOUT_SHIPMENT",
        "SHIPMENT_NOT_RECEIVED",
    ]


def test_a_receipt_recorded_before_its_shipment_still_matches():
    events = [
        extract(MINE, "e1", at(0, 8), new("L-1")),
        receive(SEP, "r1", at(0, 9), ["L-1"], MINE, mass_kg=1000.0),
        ship(MINE, "s1", at(0, 10), ["L-1"], SEP),
        transform(SEP, "t1", at(1), "beneficiation", [("L-1", 1000.0)], new("C-1", 990.0)),
    ]
    assert run(events) == []


# -- RECEIPT_WITHOUT_SHIPMENT -----------------------------------------------------------------


def test_a_receipt_no_shipment_matches():
    findings = run([extract(MINE, "e1", at(0), new("L-1")), receive(SEP, "r1", at(1), ["L-1"], MINE, "S7")])
    f = one(findings, "RECEIPT_WITHOUT_SHIPMENT")
    assert (f.severity, f.enterprise, f.lot, f.event) == ("high", SEP, "L-1", f"{SEP}:r1")
    assert f.evidence == {"shipment": "S7", "from": MINE, "lots": ["L-1"]}


def test_the_receiver_of_an_unmatched_receipt_holds_the_lot():
    findings = run(
        [
            extract(MINE, "e1", at(0), new("L-1")),
            receive(SEP, "r1", at(1), ["L-1"], MINE, "S7"),
            consume(SEP, "c1", at(2), [("L-1", 1000.0)]),
        ]
    )
    assert codes(findings) == ["RECEIPT_WITHOUT_SHIPMENT"]


# -- TRANSFER_MISMATCH ------------------------------------------------------------------------


@pytest.mark.parametrize(("received", "mismatch"), [(995.0, False), (1005.0, False), (994.9, True), (1005.2, True)])
def test_received_mass_more_than_half_a_percent_off(received, mismatch):
    findings = run([*_shipped(), receive(SEP, "r1", at(1), ["L-1"], MINE, mass_kg=received)])
    assert ("TRANSFER_MISMATCH" in codes(findings)) is mismatch


def test_transfer_mismatch_evidence_and_the_received_mass_is_what_remains():
    findings = run(
        [
            *_shipped(),
            receive(SEP, "r1", at(1), ["L-1"], MINE, mass_kg=900.0),
            consume(SEP, "c1", at(2), [("L-1", 950.0)]),
        ]
    )
    f = one(findings, "TRANSFER_MISMATCH")
    assert (f.severity, f.enterprise, f.lot, f.event) == ("medium", SEP, "L-1", f"{SEP}:r1")
    assert f.evidence == {"shipment": "S1", "shipped_kg": 1000.0, "received_kg": 900.0, "difference_kg": -100.0}
    assert one(findings, "LOT_OVERDRAWN").evidence == {"held_kg": 900.0, "taken_kg": 950.0, "excess_kg": 50.0}


def test_shipped_mass_is_what_the_lots_held_when_shipped_and_receipt_splits_pro_rata():
    events = [
        *_shipped(("L-1", 1000.0), ("L-2", 3000.0)),
        receive(SEP, "r1", at(1), ["L-1", "L-2"], MINE, mass_kg=3980.0),  # 0.5 % short: fine
        consume(SEP, "c1", at(2), [("L-1", 995.0), ("L-2", 2985.0)]),
    ]  # each 0.5 % short
    assert run(events) == []
    over = run(events[:-1] + [consume(SEP, "c1", at(2), [("L-1", 1000.0)])])
    assert one(over, "LOT_OVERDRAWN").evidence["held_kg"] == 995.0


def test_a_receipt_without_a_declared_mass_is_not_compared():
    assert run([*_shipped(), receive(SEP, "r1", at(1), ["L-1"], MINE)]) == []
