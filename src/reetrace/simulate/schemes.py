"""Round trips of a national year: the injected layered circular trade, and toll processing, the
honest round trip that the layered-trade rule must let pass.

LAYERED_CIRCULAR_TRADE (CONTRACT §12): an exporter A sends a lot to trader B, which holds it for
weeks, repacks it (a new lot id) and sells it to trader C, which holds it for weeks more and
sells it back to A, all within 180 days: A receives its own material back under a lot id it
never held, after two other enterprises and a transform. Toll processing: a magnet maker sends
a lot to another maker to be ground and coated, which sends the result straight back (one other
enterprise: not layered).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reetrace.demo.cast import Actor
from reetrace.demo.chain import Holding, Shipment
from reetrace.demo.schemes import repack, toll_grind
from reetrace.demo.upstream import LAST_SHIPMENT
from reetrace.simulate.state import YearState

HOLD_AT_FIRST = (15, 45)  # days the first trader holds the lot before repacking it
BEFORE_ONWARD = (2, 10)  # days between the repack and the sale to the second trader
HOLD_AT_SECOND = (15, 60)  # days the second trader holds it before selling it back
LONGEST_TRIP = 125  # days, at most (the rule looks back 180)
TOLL_SHARE = 0.01  # of magnet lots sent to another maker for toll grinding and coating


@dataclass
class LayeredTrip:
    origin: Actor  # A, who held the earlier lot and gets its material back
    first: Actor  # trader B, who repacks it
    second: Actor  # trader C, who sells it back
    earlier: str  # the lot A shipped away
    shipped: int  # the day A shipped it
    repack_on: int
    onward_on: int
    back_on: int
    repacked: str | None = None  # the lot B made of it


def start_layered_trip(state: YearState, exporter: Actor, h: Holding) -> bool:
    """Whether this lot of an exporter sets off on a layered round trip (sent to the first
    trader now); only when two traders exist and the trip ends before the year's last shipments."""
    world, rng = state.world, state.world.rng
    traders = world.by_role["trader"]
    if len(traders) < 2 or world.day + LONGEST_TRIP > world.day_of(*LAST_SHIPMENT):
        return False
    if not state.injections.chance("LAYERED_CIRCULAR_TRADE", state.today):
        return False
    first = state.pick("trader")
    second = state.pick("trader", [t for t in traders if t is not first])
    repack_on = world.day + rng.randint(*HOLD_AT_FIRST)
    onward_on = repack_on + rng.randint(*BEFORE_ONWARD)
    back_on = onward_on + rng.randint(*HOLD_AT_SECOND)
    trip = LayeredTrip(exporter, first, second, h.lot, world.day, repack_on, onward_on, back_on)
    world.ship(exporter, first, [h], wait=1)
    state.layered[h.lot] = trip
    state.injections.begin("LAYERED_CIRCULAR_TRADE")
    return True


def layered_trader_day(state: YearState, trader: Actor) -> None:
    """The traders' part of the layered trips: repack, sell on, sell back, each on its day."""
    world = state.world
    for h in world.ready(trader, movable=True):
        trip = state.layered.get(h.lot)
        if trip is None:
            continue
        if trader is trip.first and trip.repacked is None and world.day >= trip.repack_on:
            del state.layered[h.lot]
            trip.repacked = repack(world, trader, h)
            state.layered[trip.repacked] = trip
        elif trader is trip.first and trip.repacked == h.lot and world.day >= trip.onward_on:
            world.ship(trader, trip.second, [h], wait=1)
        elif trader is trip.second and world.day >= trip.back_on:
            event = world.ship(trader, trip.origin, [h], wait=1)
            state.layered_returns[event["shipment"]] = trip


def layered_receipt(state: YearState, shipment: Shipment, receipt: dict[str, Any]) -> None:
    """A's receipt of its own material: what the rule must report."""
    trip = state.layered_returns.pop(shipment.shipment, None)
    if trip is None:
        return
    (h,) = shipment.lots
    lot, receiver = h.lot, shipment.receiver
    del state.layered[lot]
    days = state.world.day - trip.shipped
    state.injections.record(
        "LAYERED_CIRCULAR_TRADE",
        receiver.uscc,
        lot,
        state.ref(receiver, receipt),
        f"{trip.earlier} went to {trip.first.name_en}, was repacked as {lot}, sold to "
        f"{trip.second.name_en} and back to {receiver.name_en} {days} days after it left",
    )


def send_for_tolling(state: YearState, maker: Actor, h: Holding) -> bool:
    """Now and then a magnet maker sends a lot to another maker to be ground and coated."""
    world = state.world
    others = [m for m in world.by_role["magnet"] if m is not maker]
    if not others or world.rng.random() >= TOLL_SHARE:
        return False
    toller = state.pick("magnet", others)
    world.ship(maker, toller, [h], wait=1)
    state.tolls[h.lot] = maker
    return True


def toll_day(state: YearState, toller: Actor, shipping: bool) -> None:
    """Toll processing: a lot of another maker's is ground and coated the day it is ready (same
    elements, a new lot) and the result sent straight back."""
    world = state.world
    for h in world.ready(toller, movable=True):
        owner = state.tolls.pop(h.lot, None)
        if owner is not None:
            state.toll_back[toll_grind(world, toller, h, owner)] = owner
        elif shipping and h.lot in state.toll_back:
            world.ship(toller, state.toll_back.pop(h.lot), [h], wait=1)


def plan_capacity_overruns(state: YearState) -> None:
    """The plants that will exceed their registered capacity: drawn among the larger half of the
    separation plants, metal works and magnet makers, whose output is then followed event by event."""
    world, rng = state.world, state.world.rng
    candidates: list[Actor] = []
    for role in ("separation", "metal", "magnet"):
        actors = sorted(world.by_role[role], key=lambda a: -a.share)
        candidates += actors[: max(1, len(actors) // 2)]
    sites = sum(len(world.by_role[r]) for r in ("mine", "separation", "metal", "magnet", "recycler"))
    count = min(len(candidates), state.injections.per_volume("CAPACITY_EXCEEDED", sites))
    for actor in rng.sample(candidates, count):
        state.capacity_over.append(actor.key)
        world.output_steps[actor.key] = []
