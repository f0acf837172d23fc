"""The machinery of the simulated year: who holds which lot, the events each enterprise reports,
and shipments in transit.

The simulation runs day by day. A lot created or received on day d can be used from day d+1 at
the earliest, and a shipment arrives at least a day after it left, so every event that uses a
lot comes after the events that made it available, whatever the hour of day. Times of day are
assigned at the end, in the order each enterprise's events were made.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from reetrace.demo.cast import Actor
from reetrace.demo.chemistry import PRODUCTS, floor3
from reetrace.domain.controls import ControlList
from reetrace.domain.elements import reo_per_kg

CST = timezone(timedelta(hours=8))


@dataclass
class Holding:
    """A lot held by an enterprise, with what is left of it."""

    lot: str
    form: str
    product: str
    mass: float
    composition: dict[str, float]
    ready: int  # the first day it may be used
    drawn: bool = False  # partly used: it can no longer move whole
    draws_left: int = 0  # for consumers: how many more times it is drawn from
    came_from: str | None = None  # the role of the enterprise it was last received from


@dataclass
class Shipment:
    shipment: str
    sender: Actor
    receiver: Actor
    lots: list[Holding]
    wait: int  # days between arrival and use


@dataclass
class Emitted:
    day: int
    event: dict[str, Any]


@dataclass
class World:
    rng: random.Random
    year: int
    scale: float
    actors: list[Actor]
    controls: ControlList
    holdings: dict[str, dict[str, Holding]] = field(default_factory=lambda: defaultdict(dict))
    stockpiles: dict[str, dict[str, Holding]] = field(default_factory=lambda: defaultdict(dict))
    events: dict[str, list[Emitted]] = field(default_factory=lambda: defaultdict(list))
    arrivals: dict[int, list[Shipment]] = field(default_factory=lambda: defaultdict(list))
    counters: dict[tuple[str, ...], int] = field(default_factory=lambda: defaultdict(int))
    extracted_reo: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    separated_reo: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # each enterprise's output (kg REO of its extracts and transforms but repacks), as CAPACITY_EXCEEDED
    # counts it; for the enterprises in `output_steps`, the running total after each such event
    site_output: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    output_steps: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    day: int = 0

    def __post_init__(self) -> None:
        self.by_key = {a.key: a for a in self.actors}
        self.by_role: dict[str, list[Actor]] = defaultdict(list)
        for a in self.actors:
            self.by_role[a.role].append(a)
        self.start = date(self.year, 1, 1)
        self.days = (date(self.year + 1, 1, 1) - self.start).days

    # --- calendar -------------------------------------------------------------------------
    def date(self, day: int | None = None) -> date:
        return self.start + timedelta(days=self.day if day is None else day)

    def day_of(self, month: int, dom: int) -> int:
        return (date(self.year, month, dom) - self.start).days

    # --- identifiers ----------------------------------------------------------------------
    def _next(self, *key: str) -> int:
        self.counters[key] += 1
        return self.counters[key]

    def lot_id(self, actor: Actor, code: str) -> str:
        month = self.date().month
        n = self._next(actor.key, code, str(month))
        return f"{actor.prefix}-{code}-{self.year}-{month:02d}-{n:04d}"

    def declaration(self, port: str, direction: str) -> str:
        """An 18-digit customs declaration number: port, year, 0 export / 1 import, serial."""
        return f"{port}{self.year}{direction}{self._next('decl', port, direction):09d}"

    # --- events ---------------------------------------------------------------------------
    def emit(self, actor: Actor, type_: str, **members: Any) -> dict[str, Any]:
        n = self._next("event", actor.key)
        event = {"event_id": f"EV-{self.year}-{n:06d}", "type": type_, "time": None, "site": actor.site_ref}
        event.update(members)
        self.events[actor.key].append(Emitted(self.day, event))
        if type_ == "extract" or (type_ == "transform" and members["process"] != "repack"):
            self.site_output[actor.key] += sum(o["mass_kg"] * reo_per_kg(o["composition"]) for o in members["outputs"])
            steps = self.output_steps.get(actor.key)
            if steps is not None:
                steps.append((self.site_output[actor.key], self.ref(actor, event)))
        return event

    def ref(self, actor: Actor, event: dict[str, Any]) -> str:
        return f"{actor.uscc}:{event['event_id']}"

    def assign_times(self) -> None:
        """Give each enterprise's events of a day increasing times within working hours."""
        for emitted in self.events.values():
            by_day: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for e in emitted:
                by_day[e.day].append(e.event)
            for day, events in by_day.items():
                base = datetime.combine(self.date(day), datetime.min.time(), CST) + timedelta(hours=7, minutes=30)
                step = min(2400, 13 * 3600 // (len(events) + 1))
                for i, event in enumerate(events):
                    seconds = (i + 1) * step + self.rng.randrange(0, max(1, step // 2))
                    event["time"] = (base + timedelta(seconds=seconds)).isoformat()

    # --- lots -----------------------------------------------------------------------------
    def new_lot(
        self,
        actor: Actor,
        product: str,
        mass: float,
        composition: dict[str, float],
        form: str | None = None,
        code: str | None = None,
    ) -> tuple[Holding, dict[str, Any]]:
        """A lot the enterprise creates today; returns the holding and its `outputs` member."""
        if product in PRODUCTS:
            form, _, _, code = PRODUCTS[product]
        assert form and code, product
        holding = Holding(self.lot_id(actor, code), form, product, mass, composition, self.day + 1)
        self.holdings[actor.key][holding.lot] = holding
        out: dict[str, Any] = {"lot": holding.lot, "form": form, "mass_kg": mass, "composition": composition}
        if form == "magnet":
            out["hs_code"] = "8505111000"
        return holding, out

    def keep(self, actor: Actor, holding: Holding) -> None:
        """Put a lot aside: the enterprise keeps it in stock for the rest of the year."""
        self.stockpiles[actor.key][holding.lot] = self.holdings[actor.key].pop(holding.lot)

    def ready(self, actor: Actor, *products: str, movable: bool = False) -> list[Holding]:
        """Lots the enterprise may use today, oldest first."""
        return [
            h
            for h in self.holdings[actor.key].values()
            if h.ready <= self.day and (not products or h.product in products) and (not movable or not h.drawn)
        ]

    def take(self, actor: Actor, holding: Holding, kg: float) -> dict[str, Any]:
        """Draw `kg` from a held lot; the draw member of a transform or consumption."""
        kg = holding.mass if kg >= holding.mass - 0.0005 else min(floor3(kg), holding.mass)
        holding.mass = round(holding.mass - kg, 3)
        holding.drawn = True
        if holding.mass <= 0.0005:
            del self.holdings[actor.key][holding.lot]
        return {"lot": holding.lot, "mass_kg": kg}

    def take_all(self, actor: Actor, holding: Holding) -> dict[str, Any]:
        return self.take(actor, holding, holding.mass)

    def controlled(self, holding: Holding) -> list[tuple[str, str]]:
        """The (element, form) pairs that put a lot under export control today."""
        items = self.controls.classify(holding.form, holding.composition, self.date())
        return sorted({(i.element, holding.form) for i in items})

    # --- custody --------------------------------------------------------------------------
    def ship(
        self,
        sender: Actor,
        receiver: Actor,
        lots: Iterable[Holding],
        delay: int | None = None,
        wait: int = 1,
        received: bool = True,
    ) -> dict[str, Any]:
        lots = list(lots)
        for h in lots:
            del self.holdings[sender.key][h.lot]
        shipment = f"{sender.prefix}-SH-{self.year}-{self._next('shipment', sender.key):05d}"
        event = self.emit(sender, "ship", lots=[h.lot for h in lots], to=receiver.uscc, shipment=shipment)
        if received:
            arrive = self.day + (delay if delay is not None else self.rng.randint(1, 3))
            self.arrivals[arrive].append(Shipment(shipment, sender, receiver, lots, wait))
        return event

    def deliver(self) -> list[tuple[Shipment, dict[str, Any]]]:
        """Record today's arrivals as receipts."""
        done = []
        for s in self.arrivals.pop(self.day, []):
            mass = round(sum(h.mass for h in s.lots), 3)
            event = self.emit(
                s.receiver,
                "receive",
                lots=[h.lot for h in s.lots],
                **{"from": s.sender.uscc},
                shipment=s.shipment,
                mass_kg=mass,
            )
            for h in s.lots:
                h.ready = self.day + s.wait
                h.came_from = s.sender.role
                self.holdings[s.receiver.key][h.lot] = h
            done.append((s, event))
        return done

    def lot_reo(self, mass: float, composition: dict[str, float]) -> float:
        return mass * reo_per_kg(composition)
