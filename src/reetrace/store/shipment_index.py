"""The audit's look-ahead on shipments, computed by the database from the event keys: which
receipts no ship matches, which shipments were not received in time after their first ship, and
whose material can reach whom, and which were shipped again after a receipt
(reetrace.domain.rules.base.ShipmentIndex). One grouped query
instead of holding every shipment of the ledger in memory."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, text

from reetrace.domain.findings import Thresholds
from reetrace.domain.rules.base import ShipmentIndex, reachable

_QUERY = text("""
    SELECT k.key,
           MIN(CASE WHEN e.type = 'ship' THEN e.time END) AS first_ship,
           MIN(CASE WHEN e.type = 'receive' THEN e.time END) AS first_receipt,
           MAX(CASE WHEN e.type = 'ship' THEN e.time END) AS last_ship
    FROM event_keys k JOIN events e ON e.seq = k.seq
    WHERE k.key >= 'S|' AND k.key < 'S}' AND e.time <= :until
    GROUP BY k.key
""")


def shipment_index(conn: Connection, until: str, thresholds: Thresholds) -> ShipmentIndex:
    """The index over the events up to `until` (UTC text, inclusive)."""
    zone = timezone(timedelta(hours=thresholds.utc_offset_hours))
    window = timedelta(days=thresholds.shipment_receipt_days)
    unshipped: set[str] = set()
    late: dict[str, datetime | None] = {}
    receipts: list[str] = []
    reshipped: set[str] = set()
    for key, first_ship, first_receipt, last_ship in conn.execute(_QUERY, {"until": until}):
        if first_receipt is not None:
            receipts.append(key)
            if last_ship is not None and last_ship >= first_receipt:  # UTC text of fixed width
                reshipped.add(key)
        if first_ship is None:
            unshipped.add(key)
            continue
        received = datetime.fromisoformat(first_receipt).astimezone(zone) if first_receipt else None
        if received is None or received > datetime.fromisoformat(first_ship).astimezone(zone) + window:
            late[key] = received
    return ShipmentIndex(frozenset(unshipped), late, reachable(receipts), frozenset(reshipped))


_RECEIVED = text("""
    SELECT DISTINCT k.key
    FROM event_keys k JOIN events e ON e.seq = k.seq
    WHERE k.key >= 'S|' AND k.key < 'S}' AND e.type = 'receive' AND e.time < :limit
""")


def reach_before(conn: Connection, limit: str) -> dict[str, frozenset[str]]:
    """For each sender, the enterprises its material reaches through shipments received before
    `limit` (UTC text): `reetrace.domain.rules.base.reachable` of those receipts."""
    return reachable(key for (key,) in conn.execute(_RECEIVED, {"limit": limit}))
