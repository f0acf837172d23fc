"""The keys an event is filed under besides its lots' creations and draws, so that everything an
audit rule needs about one lot, shipment, license or customs declaration can be read without
scanning the ledger.

    L|<lot>                  a lot the event moves or adjusts (ship, receive, export, adjust)
    S|<sender>|<receiver>|<shipment>
                             a shipment, from its sender's ship and its receiver's receipt
    X|<license_no>           an export under a license
    D|<declaration_no>       an export naming a customs declaration

Creations and draws are indexed by the ledger's `lots` and `lot_draws` tables already.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MOVING_TYPES = frozenset(("ship", "receive", "export", "adjust"))


def lot_key(lot: str) -> str:
    return f"L|{lot}"


def shipment_key(sender: str, receiver: str, shipment: str) -> str:
    return f"S|{sender}|{receiver}|{shipment}"


def license_key(license_no: str) -> str:
    return f"X|{license_no}"


def declaration_key(declaration_no: str) -> str:
    return f"D|{declaration_no}"


def event_keys(reporter: str, type_: str, body: Mapping[str, Any]) -> tuple[str, ...]:
    """The keys of one event as submitted (its JSON members)."""
    if type_ not in MOVING_TYPES:
        return ()
    if type_ == "adjust":
        return (lot_key(body["lot"]),)
    keys = [lot_key(lot) for lot in dict.fromkeys(body["lots"])]
    if type_ == "ship":
        keys.append(shipment_key(reporter, body["to"], body["shipment"]))
    elif type_ == "receive":
        keys.append(shipment_key(body["from"], reporter, body["shipment"]))
    else:
        if body.get("license_no"):
            keys.append(license_key(body["license_no"]))
        if body.get("customs_declaration"):
            keys.append(declaration_key(body["customs_declaration"]))
    return tuple(keys)
