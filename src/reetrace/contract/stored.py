"""Decoding events the ledger already holds.

Stored events passed validation when they were accepted, so they are rebuilt directly, without
validating again: the audit reads hundreds of thousands of them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

from reetrace.domain import events as ev

# Lots of one batch share their composition, and an audit keeps every lot's: equal compositions
# (and the strings every event repeats) are kept once. Bounded, so a long-lived process does not
# accumulate them.
_COMPOSITIONS: dict[tuple[tuple[str, Any], ...], dict[str, float]] = {}
_CACHE_LIMIT = 500_000


def _composition(raw: dict[str, Any]) -> dict[str, float]:
    key = tuple(raw.items())
    found = _COMPOSITIONS.get(key)
    if found is None:
        if len(_COMPOSITIONS) >= _CACHE_LIMIT:
            _COMPOSITIONS.clear()
        found = _COMPOSITIONS[key] = {sys.intern(k): float(v) for k, v in raw.items()}
    return found


# Stored events are built without their dataclass __init__ (see `events.trusted_constructor`):
# each takes every field positionally, `site` fourth.
_extract_event = ev.trusted_constructor(ev.Extract)
_import_event = ev.trusted_constructor(ev.Import)
_transform_event = ev.trusted_constructor(ev.Transform)
_ship_event = ev.trusted_constructor(ev.Ship)
_receive_event = ev.trusted_constructor(ev.Receive)
_export_event = ev.trusted_constructor(ev.Export)
_consume_event = ev.trusted_constructor(ev.Consume)
_adjust_event = ev.trusted_constructor(ev.Adjust)
_new_lot = ev.trusted_constructor(ev.NewLot)
_draw = ev.trusted_constructor(ev.Draw)


def _outputs(body: dict[str, Any]) -> tuple[ev.NewLot, ...]:
    return tuple(
        [
            _new_lot(
                o["lot"], sys.intern(o["form"]), float(o["mass_kg"]), _composition(o["composition"]), o.get("hs_code")
            )
            for o in body["outputs"]
        ]
    )


def _draws(items: list[dict[str, Any]]) -> tuple[ev.Draw, ...]:
    return tuple([_draw(d["lot"], float(d["mass_kg"])) for d in items])


# One decoder per type: a look-up by type, and no dict of the members every event has.


def _extract(reporter: str, time: datetime, b: dict[str, Any]) -> ev.Event:
    return _extract_event(reporter, b["event_id"], time, b.get("site"), b["deposit"], _outputs(b))


def _import(reporter: str, time: datetime, b: dict[str, Any]) -> ev.Event:
    return _import_event(
        reporter, b["event_id"], time, b.get("site"), b["origin_country"], b["customs_declaration"], _outputs(b)
    )


def _transform(reporter: str, time: datetime, b: dict[str, Any]) -> ev.Event:
    return _transform_event(
        reporter, b["event_id"], time, b.get("site"), b["process"], _draws(b["inputs"]), _outputs(b)
    )


def _ship(reporter: str, time: datetime, b: dict[str, Any]) -> ev.Event:
    return _ship_event(
        reporter, b["event_id"], time, b.get("site"), tuple(b["lots"]), sys.intern(b["to"]), b["shipment"]
    )


def _receive(reporter: str, time: datetime, b: dict[str, Any]) -> ev.Event:
    mass = b.get("mass_kg")
    return _receive_event(
        reporter,
        b["event_id"],
        time,
        b.get("site"),
        tuple(b["lots"]),
        sys.intern(b["from"]),
        b["shipment"],
        None if mass is None else float(mass),
    )


def _export(reporter: str, time: datetime, b: dict[str, Any]) -> ev.Event:
    return _export_event(
        reporter,
        b["event_id"],
        time,
        b.get("site"),
        tuple(b["lots"]),
        b["consignee"],
        b["destination"],
        b["customs_declaration"],
        b.get("license_no"),
    )


def _consume(reporter: str, time: datetime, b: dict[str, Any]) -> ev.Event:
    return _consume_event(reporter, b["event_id"], time, b.get("site"), _draws(b["lots"]), b["purpose"])


def _adjust(reporter: str, time: datetime, b: dict[str, Any]) -> ev.Event:
    return _adjust_event(reporter, b["event_id"], time, b.get("site"), b["lot"], float(b["delta_kg"]), b["reason"])


_DECODERS: dict[str, Callable[[str, datetime, dict[str, Any]], ev.Event]] = {
    "extract": _extract,
    "import": _import,
    "transform": _transform,
    "ship": _ship,
    "receive": _receive,
    "export": _export,
    "consume": _consume,
    "adjust": _adjust,
}


def decode_event(reporter: str, time: datetime, body_text: str) -> ev.Event:
    """The domain event for a stored body; `time` is the event time as stored."""
    b = orjson.loads(body_text)
    decoder = _DECODERS.get(b["type"])
    if decoder is None:
        raise ValueError(f"unknown stored event type {b['type']!r}")
    return decoder(sys.intern(reporter), time, b)
