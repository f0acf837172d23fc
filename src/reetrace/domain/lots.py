"""Lots and the custody / balance state machine.

A `Ledger` replays events one at a time, in event-time order, and keeps for every lot what it
is (form, composition), how much of it is left, and who holds it. It records what was reported
and judges nothing: the rules read its state *before* an event is applied and flag what does not
fit, then the ledger applies the event as reported.

Custody: the creator holds its outputs; `ship` puts lots in transit; `receive` makes the
receiver the custodian (it physically has the lots, matched shipment or not); `export` ends
custody; `consume` uses a lot up. A lot that is used before any event created it is *admitted*
as a lot of unknown origin and content, held by the enterprise that used it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple, cast

from reetrace.domain.events import (
    Adjust,
    Consume,
    Event,
    Export,
    Extract,
    Import,
    Receive,
    Ship,
    Transform,
    created_lots,
    used_lots,
)

HELD = "held"
IN_TRANSIT = "in_transit"
EXPORTED = "exported"
CONSUMED = "consumed"

ShipmentKey = tuple[str, str, str]  # (shipper, receiver, shipment id)


class Transit(NamedTuple):
    """A lot on its way: who shipped it to whom, under which shipment, and how much it held."""

    shipper: str
    to: str
    shipment: str
    event: str
    shipped_kg: float

    @property
    def key(self) -> ShipmentKey:
        return (self.shipper, self.to, self.shipment)


@dataclass(slots=True, eq=False)
class LotState:
    """One lot as the replay knows it at a point in event time.

    `created_by` is the ref of the creating event, None while no creation has been seen.
    `composition` is None when the content is unknown (a lot first seen by its use).
    `custodian` is None when the lot is in transit, exported or consumed.
    `holders` is the custody history, in order (creator first), without immediate repeats.
    """

    lot: str
    created_by: str | None
    creator: str | None
    form: str | None
    mass_kg: float
    composition: Mapping[str, float] | None
    remaining_kg: float
    custodian: str | None
    status: str = HELD
    transit: Transit | None = None
    holders: list[str] = field(default_factory=list)
    origin_known: bool = True

    @property
    def content_known(self) -> bool:
        return self.composition is not None

    def held_by(self, uscc: str) -> bool:
        return self.status == HELD and self.custodian == uscc

    def hold(self, uscc: str) -> None:
        self.custodian = uscc
        self.status = HELD
        self.transit = None
        if not self.holders or self.holders[-1] != uscc:
            self.holders.append(uscc)


def _admitted_mass(event: Event, lot_id: str) -> float:
    """What an event tells of the mass of a lot it uses: what it draws or receives, else 0."""
    if isinstance(event, (Transform, Consume)):
        draws = event.inputs if isinstance(event, Transform) else event.lots
        return sum(d.mass_kg for d in draws if d.lot == lot_id)
    if isinstance(event, Adjust):
        return max(0.0, -event.delta_kg)
    if isinstance(event, Receive) and event.mass_kg is not None and event.lots:
        return event.mass_kg / len(event.lots)
    return 0.0


class Ledger:
    """The state of every lot, changed one event at a time."""

    def __init__(self, tolerance_kg: float = 0.01) -> None:
        self.lots: dict[str, LotState] = {}
        self._tolerance_kg = tolerance_kg
        self._received: set[ShipmentKey] = set()

    def get(self, lot_id: str) -> LotState | None:
        return self.lots.get(lot_id)

    def shipment_received(self, shipper: str, to: str, shipment: str) -> bool:
        """Whether a receipt of this shipment has already been replayed."""
        return (shipper, to, shipment) in self._received

    def shipped_kg(self, lot: LotState, key: ShipmentKey) -> float:
        """What the lot held when shipped under `key`; its present mass if it was not."""
        if lot.transit is not None and lot.transit.key == key:
            return lot.transit.shipped_kg
        return lot.remaining_kg

    def admit(self, event: Event) -> tuple[str, ...]:
        """Admit the lots the event uses that no event has created yet, as lots of unknown
        origin held by the reporter. Returns their ids (empty for nearly every event)."""
        # Called for every event, and nearly every event uses only known lots: that is checked
        # first, kind by kind, without building the list of lots used. (`kind is` is the cheapest
        # test of the kind; the casts tell the type checker what it established.)
        lots = self.lots
        kind = type(event)
        if kind is Consume or kind is Transform:
            for draw in cast(Consume, event).lots if kind is Consume else cast(Transform, event).inputs:
                if draw.lot not in lots:
                    break
            else:
                return ()
        elif kind is Extract or kind is Import:
            return ()
        elif kind is Adjust:
            if cast(Adjust, event).lot in lots:
                return ()
        elif kind is Ship or kind is Receive or kind is Export:
            for lot_id in cast("Ship | Receive | Export", event).lots:
                if lot_id not in lots:
                    break
            else:
                return ()
        new: list[str] = []
        for lot_id in used_lots(event):
            if lot_id in lots:
                continue
            mass = _admitted_mass(event, lot_id)
            lots[lot_id] = LotState(
                lot=lot_id,
                created_by=None,
                creator=None,
                form=None,
                mass_kg=mass,
                composition=None,
                remaining_kg=mass,
                custodian=event.reporter,
                holders=[event.reporter],
                origin_known=False,
            )
            new.append(lot_id)
        return tuple(new)

    def apply(self, event: Event) -> None:
        """Change the state as the event reports, whether or not the rules found it valid."""
        self._APPLY[type(event)](self, event)

    # -- one method per kind of event ---------------------------------------------------------

    def _create(self, event: Event) -> None:
        for out in created_lots(event):
            lot = self.lots.get(out.lot)
            if lot is None:
                self.lots[out.lot] = LotState(
                    lot=out.lot,
                    created_by=event.ref,
                    creator=event.reporter,
                    form=out.form,
                    mass_kg=out.mass_kg,
                    composition=out.composition,
                    remaining_kg=out.mass_kg,
                    custodian=event.reporter,
                    holders=[event.reporter],
                )
            elif lot.created_by is None:
                # Created after its first use: the creation tells what the lot is; its custody
                # and balance stay as the replay has them.
                lot.created_by, lot.creator = event.ref, event.reporter
                lot.form, lot.composition = out.form, out.composition
                if lot.mass_kg == 0 and lot.status in (HELD, IN_TRANSIT):
                    lot.mass_kg = lot.remaining_kg = out.mass_kg
                if event.reporter not in lot.holders:
                    lot.holders.insert(0, event.reporter)
            # else: a second creation of the same id; the first stands.

    def _draw(self, lot_id: str, mass_kg: float) -> LotState:
        lot = self.lots[lot_id]
        lot.remaining_kg = max(0.0, lot.remaining_kg - mass_kg)
        return lot

    def _transform(self, event: Transform) -> None:
        for draw in event.inputs:
            self._draw(draw.lot, draw.mass_kg)
        self._create(event)

    def _ship(self, event: Ship) -> None:
        if (event.reporter, event.to, event.shipment) in self._received:
            return  # its receipt came first in event time: custody has already passed
        for lot_id in event.lots:
            lot = self.lots[lot_id]
            lot.transit = Transit(event.reporter, event.to, event.shipment, event.ref, lot.remaining_kg)
            lot.custodian = None
            lot.status = IN_TRANSIT

    def _receive(self, event: Receive) -> None:
        self._received.add((event.sender, event.reporter, event.shipment))
        lots = [self.lots[lot_id] for lot_id in dict.fromkeys(event.lots)]
        if event.mass_kg is not None and lots:
            total = sum(lot.remaining_kg for lot in lots)
            for lot in lots:
                share = lot.remaining_kg / total if total > 0 else 1.0 / len(lots)
                lot.remaining_kg = event.mass_kg * share
        for lot in lots:
            lot.hold(event.reporter)

    def _export(self, event: Export) -> None:
        for lot_id in event.lots:
            lot = self.lots[lot_id]
            lot.remaining_kg = 0.0
            lot.custodian = None
            lot.status = EXPORTED
            lot.transit = None

    def _consume(self, event: Consume) -> None:
        for draw in event.lots:
            lot = self._draw(draw.lot, draw.mass_kg)
            if lot.remaining_kg <= self._tolerance_kg:
                lot.remaining_kg = 0.0
                lot.custodian = None
                lot.status = CONSUMED
                lot.transit = None

    def _adjust(self, event: Adjust) -> None:
        lot = self.lots[event.lot]
        lot.remaining_kg = max(0.0, lot.remaining_kg + event.delta_kg)

    # The method for each kind of event, kept with the class: a table of the instance's bound
    # methods would tie it in a reference cycle, and a ledger of a whole audit (every lot) would
    # wait for the cyclic garbage collector to be freed, which then scans all of it.
    # each kind of event to its method, which takes an event of that kind
    _APPLY: ClassVar[dict[type[Event], Callable[[Ledger, Any], None]]] = {
        Extract: _create,
        Import: _create,
        Transform: _transform,
        Ship: _ship,
        Receive: _receive,
        Export: _export,
        Consume: _consume,
        Adjust: _adjust,
    }
