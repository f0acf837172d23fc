"""Decoding events the ledger already holds.

Stored events passed validation when they were accepted, so they are rebuilt directly, without
validating again: the audit reads hundreds of thousands of them.
"""

from __future__ import annotations

import orjson
import sys
from datetime import datetime
from typing import Any

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


def _outputs(body: dict[str, Any]) -> tuple[ev.NewLot, ...]:
    return tuple(
        ev.NewLot(o["lot"], sys.intern(o["form"]), float(o["mass_kg"]), _composition(o["composition"]),
                  o.get("hs_code"))
        for o in body["outputs"]
    )


def _draws(items: list[dict[str, Any]]) -> tuple[ev.Draw, ...]:
    return tuple(ev.Draw(d["lot"], float(d["mass_kg"])) for d in items)


def decode_event(reporter: str, time: datetime, body_text: str) -> ev.Event:
    """The domain event for a stored body; `time` is the event time as stored."""
    b = orjson.loads(body_text)
    common = {"reporter": sys.intern(reporter), "event_id": b["event_id"], "time": time, "site": b.get("site")}
    kind = b["type"]
    if kind == "extract":
        return ev.Extract(**common, deposit=b["deposit"], outputs=_outputs(b))
    if kind == "import":
        return ev.Import(**common, origin_country=b["origin_country"],
                         customs_declaration=b["customs_declaration"], outputs=_outputs(b))
    if kind == "transform":
        return ev.Transform(**common, process=b["process"], inputs=_draws(b["inputs"]), outputs=_outputs(b))
    if kind == "ship":
        return ev.Ship(**common, lots=tuple(b["lots"]), to=sys.intern(b["to"]), shipment=b["shipment"])
    if kind == "receive":
        mass = b.get("mass_kg")
        return ev.Receive(**common, lots=tuple(b["lots"]), sender=sys.intern(b["from"]), shipment=b["shipment"],
                          mass_kg=None if mass is None else float(mass))
    if kind == "export":
        return ev.Export(**common, lots=tuple(b["lots"]), consignee=b["consignee"], destination=b["destination"],
                         customs_declaration=b["customs_declaration"], license_no=b.get("license_no"))
    if kind == "consume":
        return ev.Consume(**common, lots=_draws(b["lots"]), purpose=b["purpose"])
    if kind == "adjust":
        return ev.Adjust(**common, lot=b["lot"], delta_kg=float(b["delta_kg"]), reason=b["reason"])
    raise ValueError(f"unknown stored event type {kind!r}")
