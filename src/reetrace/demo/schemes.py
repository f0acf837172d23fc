"""The demo's round trips: the injected layered circular trade, and one toll processing, the
honest round trip that the layered-trade rule must let pass (CONTRACT §12).

Layered: the exporter of the schedule sends a lot to the Shanghai trader, which repacks it (a new
lot id) three weeks later and sells it to the Ganzhou trader, which sells it back to the exporter
three weeks after that. Toll: a Baotou magnet maker has a lot ground and coated by a Ningbo one,
which sends the result straight back (one other enterprise: not layered).
"""

from __future__ import annotations

from typing import Any

from reetrace.demo.cast import Actor
from reetrace.demo.chain import Holding, Shipment, World
from reetrace.demo.violations import Plan

REPACK_AFTER = 20  # days the first trader holds the lot
ONWARD_AFTER = 3  # days between the repack and the sale on
BACK_AFTER = 22  # days the second trader holds it
TOLL = ("btn", "nbn", 4, 20)  # owner, toll processor, month and day from which


def repack(world: World, trader: Actor, h: Holding) -> str:
    """A trader repacks the whole of a lot it holds into a new lot (the same material); its id."""
    inputs = [world.take_all(trader, h)]
    new, out = world.new_lot(trader, h.product, inputs[0]["mass_kg"], h.composition)
    world.emit(trader, "transform", process="repack", inputs=inputs, outputs=[out])
    return new.lot


def toll_grind(world: World, toller: Actor, h: Holding, owner: Actor) -> str:
    """Toll processing: another maker's lot ground and coated (the same elements, a new lot); its id."""
    inputs = [world.take_all(toller, h)]
    new, out = world.new_lot(toller, "magnet_part", inputs[0]["mass_kg"], h.composition)
    world.emit(
        toller,
        "transform",
        process="other",
        inputs=inputs,
        outputs=[out],
        ext={"service": "toll grinding and coating", "for": owner.uscc},
    )
    return new.lot


def start_layered(world: World, exporter: Actor, plan: Plan, lots: list[Holding]) -> None:
    if not plan.due("LAYERED_CIRCULAR_TRADE", exporter.key, world.date()) or "layered" in plan.state:
        return
    free = [h for h in lots if not world.controlled(h) and h.came_from != "trader"]
    if not free:
        return
    h = free[0]
    world.ship(exporter, world.by_key["sht"], [h], wait=1)
    lots.remove(h)
    plan.state["layered"] = {
        "origin": exporter,
        "lot": h.lot,
        "earlier": h.lot,
        "shipped": world.day,
        "repack_on": world.day + REPACK_AFTER,
    }


def layered_trader_day(world: World, trader: Actor, plan: Plan) -> set[str]:
    """The traders' part of the layered trip; returns the lots that are on it."""
    trip: dict[str, Any] | None = plan.state.get("layered")
    if trip is None or "return" in trip:
        return set()
    for h in world.ready(trader, movable=True):
        if h.lot != trip["lot"]:
            continue
        if trader.key == "sht" and "repacked" not in trip and world.day >= trip["repack_on"]:
            trip.update(lot=repack(world, trader, h), repacked=world.day)
        elif trader.key == "sht" and "repacked" in trip and world.day >= trip["repacked"] + ONWARD_AFTER:
            world.ship(trader, world.by_key["gzt"], [h], wait=1)
            trip["back_on"] = world.day + BACK_AFTER
        elif trader.key == "gzt" and world.day >= trip.get("back_on", world.days):
            trip["return"] = world.ship(trader, trip["origin"], [h], wait=1)["shipment"]
    return {trip["lot"]}


def layered_receipt(world: World, plan: Plan, shipment: Shipment, receipt: dict[str, Any]) -> None:
    trip = plan.state.get("layered")
    if trip is None or trip.get("return") != shipment.shipment:
        return
    receiver = shipment.receiver
    plan.record(
        "LAYERED_CIRCULAR_TRADE",
        receiver.uscc,
        trip["lot"],
        world.ref(receiver, receipt),
        f"{trip['earlier']} went to a trader, was repacked as {trip['lot']}, sold to a second trader and back "
        f"to {receiver.name_en} {world.day - trip['shipped']} days after it left",
    )


def send_for_tolling(world: World, maker: Actor, plan: Plan, h: Holding) -> bool:
    owner, toller, month, day = TOLL
    if maker.key != owner or "toll" in plan.state or world.date() < world.date(world.day_of(month, day)):
        return False
    world.ship(maker, world.by_key[toller], [h], wait=1)
    plan.state["toll"] = {"lot": h.lot, "owner": maker}
    return True


def toll_day(world: World, toller: Actor, plan: Plan) -> set[str]:
    """Grind and coat the lot the day it is ready, send the result back; returns the lots to keep
    out of the toller's own shipments."""
    toll: dict[str, Any] | None = plan.state.get("toll")
    if toll is None or toller.key != TOLL[1] or "back" in toll:
        return set()
    for h in world.ready(toller, movable=True):
        if h.lot == toll["lot"] and "done" not in toll:
            toll.update(lot=toll_grind(world, toller, h, toll["owner"]), done=True)
        elif h.lot == toll["lot"]:
            world.ship(toller, toll["owner"], [h], wait=1)
            toll["back"] = True
    return {toll["lot"]}
