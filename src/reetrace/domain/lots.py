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

import marshal
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple, cast

from reetrace.domain.event_keys import shipment_key
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


class Lots(Mapping[str, LotState]):
    """Every lot the replay knows, by id. The lots that may still change are kept as `LotState`;
    the used-up ones (nothing left, not in transit) are kept *packed*, in about 40% of the memory:
    a national ledger of several years holds millions of them, and a later event names one only
    when something is wrong. Reading a packed lot gives a `LotState` equal to the one packed;
    the ledger alone changes lots, and `revive` unpacks one for good before it does.

    The packed form is the lot's fields marshalled, with the strings lots share (enterprises,
    forms, statuses) and the compositions (lots of the same content share one) as indexes into
    tables of their own. Packing loses nothing: unpacking gives back every field, bit for bit."""

    __slots__ = ("live", "_packed", "_names", "_name_at", "_compositions", "_composition_at")

    def __init__(self) -> None:
        self.live: dict[str, LotState] = {}
        self._packed: dict[str, bytes] = {}
        self._names: list[str | None] = [None]
        self._name_at: dict[str | None, int] = {None: 0}
        self._compositions: list[Mapping[str, float] | None] = [None]
        self._composition_at: dict[int, int] = {id(None): 0}  # by the composition's identity

    # -- reading ----------------------------------------------------------------------------------

    def __getitem__(self, lot_id: str) -> LotState:
        lot = self.live.get(lot_id)
        return lot if lot is not None else self._unpack(lot_id, self._packed[lot_id])

    def get(self, lot_id: str, default: Any = None) -> Any:
        lot = self.live.get(lot_id)
        if lot is not None:
            return lot
        packed = self._packed.get(lot_id)
        return default if packed is None else self._unpack(lot_id, packed)

    def __contains__(self, lot_id: object) -> bool:
        return lot_id in self.live or lot_id in self._packed

    def __len__(self) -> int:
        return len(self.live) + len(self._packed)

    def __iter__(self) -> Iterator[str]:
        yield from self.live
        yield from self._packed

    @property
    def packed(self) -> int:
        """How many lots are kept packed."""
        return len(self._packed)

    # -- changing (the ledger's) ------------------------------------------------------------------

    def add(self, lot: LotState) -> None:
        self.live[lot.lot] = lot

    def revive(self, lot_id: str) -> LotState:
        """The lot, unpacked for good if it was packed: what the ledger changes."""
        lot = self.live.get(lot_id)
        if lot is None:
            lot = self.live[lot_id] = self._unpack(lot_id, self._packed.pop(lot_id))
        return lot

    def settle(self, lot: LotState) -> None:
        """Pack the lot if it is used up: nothing left and not in transit (once: a lot met again
        in the same event is already packed)."""
        if (
            lot.remaining_kg == 0.0
            and lot.status != IN_TRANSIT
            and lot.transit is None
            and self.live.get(lot.lot) is lot
        ):
            self._packed[lot.lot] = self._pack(lot)
            del self.live[lot.lot]

    # -- the packed form --------------------------------------------------------------------------

    def _name(self, name: str | None) -> int:
        at = self._name_at.get(name)
        if at is None:
            at = self._name_at[name] = len(self._names)
            self._names.append(name)
        return at

    def _pack(self, lot: LotState) -> bytes:
        composition = lot.composition
        at = self._composition_at.get(id(composition))
        if at is None:
            at = self._composition_at[id(composition)] = len(self._compositions)
            self._compositions.append(composition)  # kept: its identity stays its key
        name_at, name = self._name_at, self._name
        holders = lot.holders
        return marshal.dumps(
            (
                lot.created_by,
                name_at.get(lot.creator) or name(lot.creator),
                name_at.get(lot.form) or name(lot.form),
                lot.mass_kg,
                at,
                lot.remaining_kg,
                name_at.get(lot.custodian) or name(lot.custodian),
                name_at.get(lot.status) or name(lot.status),
                tuple([name_at.get(h) or name(h) for h in holders]),
                lot.origin_known,
            )
        )

    def _unpack(self, lot_id: str, packed: bytes) -> LotState:
        created_by, creator, form, mass, at, remaining, custodian, status, holders, origin_known = marshal.loads(packed)
        names = self._names
        return LotState(
            lot=lot_id,
            created_by=created_by,
            creator=names[creator],
            form=names[form],
            mass_kg=mass,
            composition=self._compositions[at],
            remaining_kg=remaining,
            custodian=names[custodian],
            status=cast(str, names[status]),
            transit=None,
            holders=[cast(str, names[h]) for h in holders],
            origin_known=origin_known,
        )

    # -- kept in an opening (reetrace.domain.closing) -----------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {"live": self.live, "names": self._names, "compositions": self._compositions, "packed": self._packed}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.live = state["live"]
        self._names = state["names"]
        self._name_at = {name: at for at, name in enumerate(self._names)}
        self._compositions = state["compositions"]
        self._composition_at = {id(c): at for at, c in enumerate(self._compositions)}
        self._packed = state["packed"]


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
        self.lots = Lots()
        self._tolerance_kg = tolerance_kg
        self._received: set[ShipmentKey] = set()
        # Whether a receipt must be remembered: only when a ship of its shipment may follow it
        # (the audit sets this from its shipment index; by `shipment_key`). None: every receipt.
        self.keeps_receipt: Callable[[str], bool] | None = None

    def __getstate__(self) -> dict[str, Any]:
        """What an opening keeps and its digest walks: the lots and the receipts remembered."""
        return {"lots": self.lots, "_tolerance_kg": self._tolerance_kg, "_received": self._received}

    def __setstate__(self, state: dict[str, Any]) -> None:
        lots = state["lots"]
        if isinstance(lots, dict):  # kept before used-up lots were packed
            state["lots"] = Lots()
            for lot in lots.values():
                state["lots"].add(lot)
                state["lots"].settle(lot)
        self.__dict__.update(state)
        self.keeps_receipt = None

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
        # Called for every event, and nearly every event uses only lots that may still change:
        # that is checked first, kind by kind, without building the list of lots used. (`kind
        # is` is the cheapest test of the kind; the casts tell the type checker what it
        # established.)
        live = self.lots.live
        kind = type(event)
        if kind is Consume or kind is Transform:
            for draw in cast(Consume, event).lots if kind is Consume else cast(Transform, event).inputs:
                if draw.lot not in live:
                    break
            else:
                return ()
        elif kind is Extract or kind is Import:
            return ()
        elif kind is Adjust:
            if cast(Adjust, event).lot in live:
                return ()
        elif kind is Ship or kind is Receive or kind is Export:
            for lot_id in cast("Ship | Receive | Export", event).lots:
                if lot_id not in live:
                    break
            else:
                return ()
        lots = self.lots
        new: list[str] = []
        for lot_id in used_lots(event):
            if lot_id in lots:
                continue
            mass = _admitted_mass(event, lot_id)
            lots.add(
                LotState(
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
            )
            new.append(lot_id)
        return tuple(new)

    def apply(self, event: Event) -> None:
        """Change the state as the event reports, whether or not the rules found it valid."""
        self._APPLY[type(event)](self, event)

    # -- one method per kind of event ---------------------------------------------------------

    def _create(self, event: Event) -> None:
        lots = self.lots
        for out in created_lots(event):
            if out.lot not in lots:
                lots.add(
                    LotState(
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
                )
                continue
            lot = lots.revive(out.lot)
            if lot.created_by is None:
                # Created after its first use: the creation tells what the lot is; its custody
                # and balance stay as the replay has them.
                lot.created_by, lot.creator = event.ref, event.reporter
                lot.form, lot.composition = out.form, out.composition
                if lot.mass_kg == 0 and lot.status in (HELD, IN_TRANSIT):
                    lot.mass_kg = lot.remaining_kg = out.mass_kg
                if event.reporter not in lot.holders:
                    lot.holders.insert(0, event.reporter)
            # else: a second creation of the same id; the first stands.
            lots.settle(lot)

    def _draw(self, lot_id: str, mass_kg: float) -> LotState:
        lot = self.lots.revive(lot_id)
        lot.remaining_kg = max(0.0, lot.remaining_kg - mass_kg)
        return lot

    def _transform(self, event: Transform) -> None:
        drawn = [self._draw(draw.lot, draw.mass_kg) for draw in event.inputs]
        self._create(event)
        for lot in drawn:
            self.lots.settle(lot)

    def _ship(self, event: Ship) -> None:
        if (event.reporter, event.to, event.shipment) in self._received:
            return  # its receipt came first in event time: custody has already passed
        revive = self.lots.revive
        for lot_id in event.lots:
            lot = revive(lot_id)
            lot.transit = Transit(event.reporter, event.to, event.shipment, event.ref, lot.remaining_kg)
            lot.custodian = None
            lot.status = IN_TRANSIT

    def _receive(self, event: Receive) -> None:
        keeps = self.keeps_receipt
        if keeps is None or keeps(shipment_key(event.sender, event.reporter, event.shipment)):
            self._received.add((event.sender, event.reporter, event.shipment))
        revive = self.lots.revive
        lots = [revive(lot_id) for lot_id in dict.fromkeys(event.lots)]
        if event.mass_kg is not None and lots:
            total = sum(lot.remaining_kg for lot in lots)
            for lot in lots:
                share = lot.remaining_kg / total if total > 0 else 1.0 / len(lots)
                lot.remaining_kg = event.mass_kg * share
        settle = self.lots.settle
        for lot in lots:
            lot.hold(event.reporter)
            settle(lot)

    def _export(self, event: Export) -> None:
        revive, settle = self.lots.revive, self.lots.settle
        for lot_id in dict.fromkeys(event.lots):
            lot = revive(lot_id)
            lot.remaining_kg = 0.0
            lot.custodian = None
            lot.status = EXPORTED
            lot.transit = None
            settle(lot)

    def _consume(self, event: Consume) -> None:
        settle = self.lots.settle
        drawn = []
        for draw in event.lots:
            lot = self._draw(draw.lot, draw.mass_kg)
            if lot.remaining_kg <= self._tolerance_kg:
                lot.remaining_kg = 0.0
                lot.custodian = None
                lot.status = CONSUMED
                lot.transit = None
            drawn.append(lot)
        for lot in drawn:
            settle(lot)

    def _adjust(self, event: Adjust) -> None:
        lot = self.lots.revive(event.lot)
        lot.remaining_kg = max(0.0, lot.remaining_kg + event.delta_kg)
        self.lots.settle(lot)

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
