"""Events read back from the ledger (reetrace.contract.stored) are the events that were recorded:
built without their dataclass __init__, they must equal the ones built with it."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, dataclass, fields
from datetime import UTC, datetime

import pytest

from reetrace.contract.stored import decode_event
from reetrace.domain import events as ev

REPORTER = "91150200MINE00001A"
TIME = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
COMPOSITION = {"La": 0.12, "Ce": 0.25}


def _output(lot: str, **extra: object) -> dict[str, object]:
    return {"lot": lot, "form": "oxide", "mass_kg": 100, "composition": COMPOSITION, **extra}


BODIES = [
    (
        {"type": "extract", "event_id": "e1", "deposit": "rock", "outputs": [_output("L1"), _output("L2")]},
        ev.Extract(
            REPORTER,
            "e1",
            TIME,
            deposit="rock",
            outputs=(
                ev.NewLot("L1", "oxide", 100.0, dict(COMPOSITION)),
                ev.NewLot("L2", "oxide", 100.0, dict(COMPOSITION)),
            ),
        ),
    ),
    (
        {
            "type": "import",
            "event_id": "i1",
            "site": "S/1",
            "origin_country": "MM",
            "customs_declaration": "CD-1",
            "outputs": [_output("L3", hs_code="2846901100")],
        },
        ev.Import(
            REPORTER,
            "i1",
            TIME,
            site="S/1",
            origin_country="MM",
            customs_declaration="CD-1",
            outputs=(ev.NewLot("L3", "oxide", 100.0, dict(COMPOSITION), "2846901100"),),
        ),
    ),
    (
        {
            "type": "transform",
            "event_id": "t1",
            "process": "separation",
            "inputs": [{"lot": "L1", "mass_kg": 50.5}, {"lot": "L2", "mass_kg": 7}],
            "outputs": [_output("L4")],
        },
        ev.Transform(
            REPORTER,
            "t1",
            TIME,
            process="separation",
            inputs=(ev.Draw("L1", 50.5), ev.Draw("L2", 7.0)),
            outputs=(ev.NewLot("L4", "oxide", 100.0, dict(COMPOSITION)),),
        ),
    ),
    (
        {"type": "ship", "event_id": "s1", "lots": ["L4"], "to": "91310000TRADER0004", "shipment": "SH-1"},
        ev.Ship(REPORTER, "s1", TIME, lots=("L4",), to="91310000TRADER0004", shipment="SH-1"),
    ),
    (
        {
            "type": "receive",
            "event_id": "r1",
            "lots": ["L4", "L5"],
            "from": "91310000TRADER0004",
            "shipment": "SH-2",
            "mass_kg": 12,
        },
        ev.Receive(REPORTER, "r1", TIME, lots=("L4", "L5"), sender="91310000TRADER0004", shipment="SH-2", mass_kg=12.0),
    ),
    (
        {"type": "receive", "event_id": "r2", "lots": ["L6"], "from": "91310000TRADER0004", "shipment": "SH-3"},
        ev.Receive(REPORTER, "r2", TIME, lots=("L6",), sender="91310000TRADER0004", shipment="SH-3"),
    ),
    (
        {
            "type": "export",
            "event_id": "x1",
            "lots": ["L4"],
            "consignee": "Example GmbH",
            "destination": "DE",
            "customs_declaration": "CD-2",
            "license_no": "RE-2026-000123",
        },
        ev.Export(
            REPORTER,
            "x1",
            TIME,
            lots=("L4",),
            consignee="Example GmbH",
            destination="DE",
            customs_declaration="CD-2",
            license_no="RE-2026-000123",
        ),
    ),
    (
        {
            "type": "export",
            "event_id": "x2",
            "lots": ["L5"],
            "consignee": "Example GmbH",
            "destination": "DE",
            "customs_declaration": "CD-3",
        },
        ev.Export(
            REPORTER, "x2", TIME, lots=("L5",), consignee="Example GmbH", destination="DE", customs_declaration="CD-3"
        ),
    ),
    (
        {"type": "consume", "event_id": "c1", "lots": [{"lot": "L6", "mass_kg": 1.25}], "purpose": "catalysts"},
        ev.Consume(REPORTER, "c1", TIME, lots=(ev.Draw("L6", 1.25),), purpose="catalysts"),
    ),
    (
        {"type": "adjust", "event_id": "a1", "lot": "L6", "delta_kg": -3, "reason": "stock-take"},
        ev.Adjust(REPORTER, "a1", TIME, lot="L6", delta_kg=-3.0, reason="stock-take"),
    ),
]


@pytest.mark.parametrize(("body", "expected"), BODIES, ids=[b["event_id"] for b, _ in BODIES])
def test_a_stored_body_decodes_to_the_event_recorded(body, expected):
    event = decode_event(REPORTER, TIME, json.dumps(body))
    assert type(event) is type(expected)
    assert event == expected
    assert repr(event) == repr(expected)  # the same members, with the same types (floats stay floats)


def test_an_unknown_stored_type_is_an_error():
    with pytest.raises(ValueError, match="unknown stored event type"):
        decode_event(REPORTER, TIME, json.dumps({"type": "teleport", "event_id": "z1"}))


@pytest.mark.parametrize(
    "cls",
    [
        ev.Extract,
        ev.Import,
        ev.Transform,
        ev.Ship,
        ev.Receive,
        ev.Export,
        ev.Consume,
        ev.Adjust,
        ev.NewLot,
        ev.Draw,
        ev.RecordedEvent,
    ],
)
def test_a_trusted_constructor_builds_what_the_dataclass_builds(cls):
    values = {f.name: f"value of {f.name}" for f in fields(cls)}
    built = ev.trusted_constructor(cls)(*values.values())
    assert built == cls(**values)
    assert repr(built) == repr(cls(**values))
    with pytest.raises(FrozenInstanceError):
        setattr(built, next(iter(values)), "changed")


def test_a_trusted_constructor_is_refused_what_it_would_get_wrong():
    @dataclass
    class Unslotted:
        a: int

    @dataclass(slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            raise AssertionError("checked")

    for cls in (Unslotted, Checked):
        with pytest.raises(TypeError):
            ev.trusted_constructor(cls)
