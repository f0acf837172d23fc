"""The keys an event is filed under, and the subject each finding belongs to."""

from __future__ import annotations

import pytest

from reetrace.domain.event_keys import event_keys
from reetrace.domain.findings import Finding
from reetrace.domain.supervision import subject_of

A, B = "91110000MA0000001X", "91110000MA0000002X"


def test_moves_are_keyed_by_lot_and_shipment_from_both_ends():
    ship = event_keys(A, "ship", {"lots": ["L1", "L2", "L1"], "to": B, "shipment": "S-9"})
    receive = event_keys(B, "receive", {"lots": ["L2"], "from": A, "shipment": "S-9"})
    assert ship == ("L|L1", "L|L2", f"S|{A}|{B}|S-9")
    assert receive == ("L|L2", f"S|{A}|{B}|S-9")  # the same shipment key as its ship


def test_exports_are_keyed_by_license_and_declaration_and_adjustments_by_lot():
    assert event_keys(A, "export", {"lots": ["L1"], "license_no": "RE2026S0001", "customs_declaration": "2201"}) == (
        "L|L1",
        "X|RE2026S0001",
        "D|2201",
    )
    assert event_keys(A, "export", {"lots": ["L1"], "customs_declaration": "2201"}) == ("L|L1", "D|2201")
    assert event_keys(A, "adjust", {"lot": "L7", "delta_kg": -3}) == ("L|L7",)
    # creations and draws are in the lot tables already
    assert event_keys(A, "transform", {"inputs": [{"lot": "L1"}], "outputs": []}) == ()


def finding(code, event=None, year=2026, **evidence):
    return Finding(code, "high", A, None, event, year, "…", evidence)


@pytest.mark.parametrize(
    ("found", "subject"),
    [
        (finding("MINING_QUOTA_EXCEEDED", f"{A}:E1"), f"Q|{A}|2026|mining"),
        (finding("SEPARATION_QUOTA_EXCEEDED", f"{A}:E1"), f"Q|{A}|2026|separation"),
        (finding("LATE_REPORT", month="2026-03"), f"R|{A}|2026-03"),
        (finding("LICENSE_EXCEEDED", f"{A}:E1", license_no="RE1"), "X|RE1"),
        (finding("DECLARATION_WITHOUT_EXPORT", declaration_no="2201"), "D|2201"),
        (finding("HS_CODE_MISDECLARED", f"{A}:E1", declaration_no="2201"), "D|2201"),
        (finding("NOT_CUSTODIAN", f"{A}:E1"), f"E|{A}:E1"),
        (finding("EXPORT_WITHOUT_DECLARATION", f"{A}:E1"), f"E|{A}:E1"),
    ],
)
def test_each_finding_belongs_to_one_subject(found, subject):
    assert subject_of(found) == subject


def test_a_finding_about_no_event_and_no_period_is_refused():
    with pytest.raises(ValueError):
        subject_of(finding("NOT_CUSTODIAN"))
