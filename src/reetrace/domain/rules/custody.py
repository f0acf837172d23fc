"""Custody and the balance of each lot.

UNKNOWN_LOT: an event uses a lot no event created before it in event time (once per lot, at its
first use; the lot is then admitted as a lot of unknown origin held by the user, and nothing else
of this family is judged on it at that event). If a creation of the lot comes later, the evidence
names it. DUPLICATE_LOT: a lot id created a second time (the first creation stands).
LOT_OVERDRAWN: a draw (transform input, consumption, negative adjustment) beyond what the lot
holds plus `overdraw_tolerance_kg`, or a shipment or export of a lot already used up.
NOT_CUSTODIAN: a ship, transform, consume or export of a lot the reporter does not hold.
CIRCULAR_TRADE: a lot received by an enterprise that held it before.
LARGE_ADJUSTMENT: an adjustment beyond `adjustment_relative` of the lot or `adjustment_absolute_kg`.
"""

from __future__ import annotations

from typing import Any

from reetrace.domain.events import Adjust, Consume, Draw, Export, Receive, Ship, Transform, created_lots
from reetrace.domain.lots import LotState
from reetrace.domain.rules.base import AuditContext, Step, exceeds, kg, ratio, show


class Custody:
    STATE: tuple[str, ...] = ("_unknown",)  # what it carries from one event to the next

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self._tolerance_kg = ctx.thresholds.overdraw_tolerance_kg
        self._unknown: list[tuple[str, dict[str, Any]]] = []  # (lot, evidence) to complete at the end

    # -- events ---------------------------------------------------------------------------------

    def on_extract(self, step: Step) -> None:
        self._creations(step)

    on_import = on_extract

    def on_transform(self, step: Step[Transform]) -> None:
        event = step.event
        self._admitted(step)
        self._draws(step, event.inputs)
        self._creations(step)

    def on_consume(self, step: Step[Consume]) -> None:
        event = step.event
        self._admitted(step)
        self._draws(step, event.lots)

    def on_ship(self, step: Step[Ship]) -> None:
        event = step.event
        self._admitted(step)
        if self.ctx.ledger.shipment_received(event.reporter, event.to, event.shipment):
            return  # the receipt came first in event time; custody has passed through this shipment
        self._moves(step, event.lots)

    def on_export(self, step: Step[Export]) -> None:
        event = step.event
        self._admitted(step)
        self._moves(step, event.lots)

    def on_receive(self, step: Step[Receive]) -> None:
        event = step.event
        self._admitted(step)
        for lot in self._known(step, event.lots):
            if step.reporter in lot.holders and lot.custodian != step.reporter:
                holders = [*lot.holders, step.reporter]
                self.ctx.flag(
                    "CIRCULAR_TRADE",
                    step,
                    f"Lot {lot.lot} returns to {step.reporter}, which held it before (custody: {' → '.join(holders)}).",
                    {"holders": holders},
                    lot=lot.lot,
                    params={"lot": lot.lot, "enterprise": step.reporter, "holders": holders},
                )

    def on_adjust(self, step: Step[Adjust]) -> None:
        event = step.event
        self._admitted(step)
        if event.lot in step.introduced:
            return
        lot = self.ctx.ledger.lots[event.lot]
        held, size = lot.remaining_kg, abs(event.delta_kg)
        t = self.ctx.thresholds
        if exceeds(size, t.adjustment_relative * held) or exceeds(size, t.adjustment_absolute_kg):
            share = size / held if held > 0 else None
            of = f"{share:.2%} of the {show(held)} it held" if share is not None else "a lot holding nothing"
            self.ctx.flag(
                "LARGE_ADJUSTMENT",
                step,
                f"Lot {lot.lot} is adjusted by {event.delta_kg:+,.3f} kg ({event.reason}), {of}.",
                {
                    "delta_kg": kg(event.delta_kg),
                    "held_kg": kg(held),
                    "share": ratio(share) if share is not None else None,
                },
                lot=lot.lot,
                message="LARGE_ADJUSTMENT" if share is not None else "LARGE_ADJUSTMENT.empty",
                params={
                    "lot": lot.lot,
                    "delta_kg": kg(event.delta_kg),
                    "reason": event.reason,
                    "share": ratio(share) if share is not None else 0.0,
                    "held_kg": kg(held),
                },
            )
        if event.delta_kg < 0:
            self._overdraw(step, lot, size)

    def finish(self) -> None:
        for lot_id, evidence in self._unknown:
            lot = self.ctx.ledger.lots[lot_id]
            evidence["created_later_by"] = lot.created_by

    # -- checks ---------------------------------------------------------------------------------

    def _known(self, step: Step, lot_ids: tuple[str, ...]) -> list[LotState]:
        """The distinct lots an event names, less those first seen at it."""
        lots = self.ctx.ledger.lots
        if len(lot_ids) == 1 and not step.introduced:
            return [lots[lot_ids[0]]]
        return [lots[lot_id] for lot_id in dict.fromkeys(lot_ids) if lot_id not in step.introduced]

    def _admitted(self, step: Step) -> None:
        for lot_id in step.introduced:
            evidence: dict[str, Any] = {"usage": step.event.type, "created_later_by": None}
            self._unknown.append((lot_id, evidence))
            self.ctx.flag(
                "UNKNOWN_LOT",
                step,
                f"Lot {lot_id} is used in a {step.event.type} by {step.reporter} but no event "
                f"created it before: material of unknown origin enters the chain.",
                evidence,
                lot=lot_id,
                params={"lot": lot_id, "event_type": step.event.type, "reporter": step.reporter},
            )

    def _creations(self, step: Step) -> None:
        seen: set[str] = set()
        for out in created_lots(step.event):
            lot = self.ctx.ledger.get(out.lot)
            first = step.ref if out.lot in seen else (lot.created_by if lot is not None else None)
            seen.add(out.lot)
            if first is not None:
                self.ctx.flag(
                    "DUPLICATE_LOT",
                    step,
                    f"Lot {out.lot} is created again by {step.ref}; it was first created by {first}.",
                    {"first_created_by": first},
                    lot=out.lot,
                    params={"lot": out.lot, "event": step.ref, "first": first},
                )

    def _draws(self, step: Step, draws: tuple[Draw, ...]) -> None:
        if len(draws) == 1 and not step.introduced:
            # most consumptions and transforms draw once from one known lot: nothing to add up
            draw = draws[0]
            lot = self.ctx.ledger.lots[draw.lot]
            self._custodian(step, lot)
            self._overdraw(step, lot, draw.mass_kg)
            return
        taken: dict[str, float] = {}
        for draw in draws:
            taken[draw.lot] = taken.get(draw.lot, 0.0) + draw.mass_kg
        for lot in self._known(step, tuple(taken)):
            self._custodian(step, lot)
            self._overdraw(step, lot, taken[lot.lot])

    def _moves(self, step: Step, lot_ids: tuple[str, ...]) -> None:
        for lot in self._known(step, lot_ids):
            self._custodian(step, lot)
            if lot.remaining_kg <= self._tolerance_kg:
                self.ctx.flag(
                    "LOT_OVERDRAWN",
                    step,
                    f"Lot {lot.lot} is moved by a {step.event.type} of {step.reporter} but holds "
                    f"{show(lot.remaining_kg)}: it was already used up.",
                    {"held_kg": kg(lot.remaining_kg), "taken_kg": None, "excess_kg": None, "used_up": True},
                    lot=lot.lot,
                    message="LOT_OVERDRAWN.used_up",
                    params={
                        "lot": lot.lot,
                        "event_type": step.event.type,
                        "reporter": step.reporter,
                        "held_kg": kg(lot.remaining_kg),
                    },
                )

    def _overdraw(self, step: Step, lot: LotState, taken: float) -> None:
        held = lot.remaining_kg
        limit = held + self._tolerance_kg
        if taken <= limit or not exceeds(taken, limit):
            return
        self.ctx.flag(
            "LOT_OVERDRAWN",
            step,
            f"{step.reporter} takes {show(taken)} from lot {lot.lot}, which holds only {show(held)} "
            f"(excess {show(taken - held)}).",
            {"held_kg": kg(held), "taken_kg": kg(taken), "excess_kg": kg(taken - held)},
            lot=lot.lot,
            params={
                "reporter": step.reporter,
                "taken_kg": kg(taken),
                "lot": lot.lot,
                "held_kg": kg(held),
                "excess_kg": kg(taken - held),
            },
        )

    def _custodian(self, step: Step, lot: LotState) -> None:
        if lot.held_by(step.event.reporter):
            return
        where = {
            "held": f"held by {lot.custodian}",
            "in_transit": "in transit",
            "exported": "already exported",
            "consumed": "already consumed",
        }[lot.status]
        self.ctx.flag(
            "NOT_CUSTODIAN",
            step,
            f"{step.reporter} uses lot {lot.lot} in a {step.event.type} but the lot is {where}.",
            {"custodian": lot.custodian, "state": lot.status},
            lot=lot.lot,
            message=f"NOT_CUSTODIAN.{lot.status}",
            params={
                "reporter": step.reporter,
                "lot": lot.lot,
                "event_type": step.event.type,
                "custodian": lot.custodian or "",
            },
        )
