"""Use case: one lot as the ledger shows it (form, composition, creator, custodian, the events
touching it), and the enterprises involved with it (those that created, held, sent or received
it), which decides who outside the authority may see it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from reetrace.config import Settings
from reetrace.domain.events import Event, Ship, created_lots, used_lots
from reetrace.errors import InvalidInput, NotFound
from reetrace.services.prereview import lot_facts
from reetrace.store import tables as t
from reetrace.store.database import Store
from reetrace.store.lot_history import events_touching
from reetrace.store.lot_search import LotEntry, lot_exists, lots_starting_with


@dataclass(frozen=True, slots=True)
class LotView:
    lot: str
    involved: frozenset[str]  # enterprises that created, held, sent or received it
    doc: dict[str, Any]

    @property
    def owner(self) -> str | None:
        """Whose data the lot is, as the access log names it: its creator's, else its custodian's."""
        creator = self.doc["creator"]
        return creator["enterprise"] if creator else self.doc["custodian"]


def _touches(event: Event, lot: str) -> bool:
    return lot in used_lots(event) or any(o.lot == lot for o in created_lots(event))


def involved_enterprises(events: list[Event], lot: str) -> frozenset[str]:
    """Every enterprise that reported an event on the lot, and every enterprise it was shipped to."""
    found: set[str] = set()
    for event in events:
        if _touches(event, lot):
            found.add(event.reporter)
            if isinstance(event, Ship):
                found.add(event.to)
    return frozenset(found)


def lot_view(store: Store, settings: Settings, lot: str) -> LotView:
    with store.reading() as conn:
        e, lo = t.events.c, t.lots.c
        creations = list(
            conn.execute(
                select(lo.form, lo.mass_kg, lo.composition, lo.hs_code, e.reporter, e.event_id, e.type, e.time)
                .join(t.events, t.events.c.seq == lo.seq)
                .where(lo.lot == lot)
                .order_by(lo.seq)
            )
        )
        events = [ev for ev in events_touching(conn, [lot]) if _touches(ev, lot)]
        if not creations and not events:
            raise NotFound(f"lot {lot!r} is not in the ledger")
        facts = lot_facts(conn, [lot], settings.thresholds.overdraw_tolerance_kg).get(lot)
    events.sort(key=lambda ev: (ev.time, ev.reporter, ev.event_id))
    first = creations[0] if creations else None
    doc = {
        "lot": lot,
        "form": first.form if first else None,
        "mass_kg": first.mass_kg if first else None,
        "composition": json.loads(first.composition) if first else None,
        "hs_code": first.hs_code if first else None,
        "creator": None
        if first is None
        else {
            "enterprise": first.reporter,
            "event": f"{first.reporter}:{first.event_id}",
            "type": first.type,
            "time": first.time,
        },
        "custodian": facts.custodian if facts else None,
        "status": facts.status if facts else "unknown_origin",
        "remaining_kg": round(facts.remaining_kg, 6) if facts else None,
        "created_again": len(creations) - 1 if creations else 0,
        "events": [
            {
                "event": ev.ref,
                "type": ev.type,
                "enterprise": ev.reporter,
                "time": ev.time.isoformat(),
                **({"to": ev.to} if isinstance(ev, Ship) else {}),
            }
            for ev in events
        ],
    }
    involved = set(involved_enterprises(events, lot))
    if facts and facts.custodian:
        involved.add(facts.custodian)
    return LotView(lot, frozenset(involved), doc)


PREFIX_MAX = 80  # the longest lot id
SHOWN = 200


def find_lots(store: Store, prefix: str, limit: int = SHOWN) -> tuple[list[LotEntry], bool]:
    """Lots whose id begins with `prefix` (every lot for an empty one), at most `limit`, and
    whether there are more."""
    if len(prefix) > PREFIX_MAX or any(not c.isprintable() for c in prefix):
        raise InvalidInput(f"a lot id has at most {PREFIX_MAX} printable characters")
    with store.reading() as conn:
        found = lots_starting_with(conn, prefix, limit + 1)
    return found[:limit], len(found) > limit


def known_lot(store: Store, lot: str) -> bool:
    """Whether a lot of this id was ever created (an id too long or unprintable never was)."""
    if len(lot) > PREFIX_MAX or any(not c.isprintable() for c in lot):
        return False
    with store.reading() as conn:
        return lot_exists(conn, lot)
