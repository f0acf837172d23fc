"""Shipments and receipts between enterprises.

A receive matches a ship when the shipment id is the same, the receiver is the ship's `to` and
the receive's `from` is the shipper. Matching is judged on the whole event set up to the audit
date, so a receipt recorded before its shipment in event time still matches.

SHIPMENT_NOT_RECEIVED: a ship with no matching receive within `shipment_receipt_days`, once the
audit date (end of day) has reached the end of that window. RECEIPT_WITHOUT_SHIPMENT: a receive
that no ship matches. TRANSFER_MISMATCH: a matched receive whose declared mass differs from what
the lots held when shipped by more than `transfer_tolerance` of it (not judged on lots of unknown
origin, whose shipped mass is not known).
"""

from __future__ import annotations

from datetime import timedelta

from reetrace.domain.event_keys import shipment_key
from reetrace.domain.events import Receive, Ship
from reetrace.domain.rules.base import AuditContext, Step, exceeds, kg, ratio, show, sole_lot


class Transfers:
    STATE: tuple[str, ...] = ()  # what it carries from one event to the next

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self._window = timedelta(days=ctx.thresholds.shipment_receipt_days)
        # Shipments from this instant on still have their window open on the audit date.
        self._open_from = ctx.as_of_end - self._window

    def on_ship(self, step: Step[Ship]) -> None:
        event = step.event
        if step.time >= self._open_from:
            return  # the window is still open on the audit date
        late_ones = self.ctx.shipments.first_receipt
        key = shipment_key(event.reporter, event.to, event.shipment)
        if key not in late_ones:
            return  # received in time
        deadline = step.time + self._window
        first = late_ones[key]
        if first is not None and first <= deadline:
            return
        late = first
        detail = (
            f"Shipment {event.shipment} from {event.reporter} to {event.to} on "
            f"{step.day.isoformat()} was not received by {deadline.date().isoformat()}"
        )
        detail += f"; it was received only on {late.date().isoformat()}." if late else "."
        self.ctx.flag(
            "SHIPMENT_NOT_RECEIVED",
            step,
            detail,
            {
                "shipment": event.shipment,
                "to": event.to,
                "lots": list(event.lots),
                "deadline": deadline.date().isoformat(),
                "received_late_at": late.isoformat() if late else None,
            },
            lot=sole_lot(event),
            message="SHIPMENT_NOT_RECEIVED" + (".late" if late else ""),
            params={
                "shipment": event.shipment,
                "sender": event.reporter,
                "receiver": event.to,
                "day": step.day.isoformat(),
                "deadline": deadline.date().isoformat(),
                "received_day": late.date().isoformat() if late else "",
            },
        )

    def on_receive(self, step: Step[Receive]) -> None:
        event = step.event
        key = (event.sender, event.reporter, event.shipment)
        if shipment_key(*key) in self.ctx.shipments.unshipped:
            self.ctx.flag(
                "RECEIPT_WITHOUT_SHIPMENT",
                step,
                f"{event.reporter} records receiving shipment {event.shipment} from {event.sender}, "
                f"but {event.sender} recorded no such shipment to it.",
                {"shipment": event.shipment, "from": event.sender, "lots": list(event.lots)},
                lot=sole_lot(event),
                params={"receiver": event.reporter, "shipment": event.shipment, "sender": event.sender},
            )
            return
        lots = self.ctx.ledger.lots
        if event.mass_kg is None or any(not lots[lot_id].origin_known for lot_id in event.lots):
            return  # nothing declared, or lots of unknown origin: the shipped mass is not known
        shipped = sum(self.ctx.ledger.shipped_kg(lots[lot_id], key) for lot_id in dict.fromkeys(event.lots))
        difference = event.mass_kg - shipped
        if not exceeds(abs(difference), self.ctx.thresholds.transfer_tolerance * shipped):
            return
        share = f" ({abs(difference) / shipped:.2%})" if shipped > 0 else ""
        self.ctx.flag(
            "TRANSFER_MISMATCH",
            step,
            f"{event.reporter} received {show(event.mass_kg)} under shipment {event.shipment} from "
            f"{event.sender}, which shipped {show(shipped)}: {'more' if difference > 0 else 'less'} by "
            f"{show(abs(difference))}{share}.",
            {
                "shipment": event.shipment,
                "shipped_kg": kg(shipped),
                "received_kg": kg(event.mass_kg),
                "difference_kg": kg(difference),
            },
            lot=sole_lot(event),
            message="TRANSFER_MISMATCH." + ("more" if difference > 0 else "less"),
            params={
                "receiver": event.reporter,
                "received_kg": kg(event.mass_kg),
                "shipment": event.shipment,
                "sender": event.sender,
                "shipped_kg": kg(shipped),
                "difference_kg": kg(abs(difference)),
                "share": ratio(abs(difference) / shipped) if shipped > 0 else 0.0,
            },
        )
