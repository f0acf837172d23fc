"""The market downstream of separation in a national year: plants selling their products, metal
works, magnet makers, traders and domestic users.

Where products go follows the demo's routes (PrNd oxide to metal works, metal to magnet makers,
half of the magnets exported and half to motor makers, La and Ce oxide to traders, users and
exporters, Y oxide exported or used in ceramics), with the lots the demo leaves in stock sold to
domestic users instead. Downstream buyers order a few packaged lots at a time, and users draw
on each lot over several days, recording every draw.
"""

from __future__ import annotations

from typing import Any

from reetrace.demo.cast import Actor
from reetrace.demo.chain import Holding
from reetrace.demo.chemistry import add_into, composition_of, elements_in, floor3, product_mass, split_mass
from reetrace.demo.downstream import GRADES, LAST_RUN, PURPOSES, _draw, _grade, _pr_nd, _repack
from reetrace.demo.recycling import SWARF_LOAD_KG, divert, divertible, magnet_yields, swarf_lot
from reetrace.demo.upstream import LAST_PROCESS, METAL_RUNS, can_ship, hash_phase
from reetrace.simulate.exports import licensed_exporter
from reetrace.simulate.schemes import layered_trader_day, send_for_tolling, toll_day
from reetrace.simulate.state import PACKAGE_KG, YearState, route

USES = {
    **PURPOSES,
    "catalyst": "rare earth catalysts for exhaust treatment and petroleum cracking",
    "battery": "hydrogen-storage alloy for nickel-metal hydride batteries",
    "ceramics": "yttria-stabilised zirconia ceramics and phosphors",
}
# product -> [(buyer role, share of lots)]; a controlled lot goes to an exporter only if one holds a
# license covering it, otherwise to the next buyer of the list.
PLANT_BUYERS = {
    "ox_PrNd": [("metal", 1.0)],
    "ox_Dy": [("exporter", 0.25), ("metal", 0.75)],
    "ox_Tb": [("exporter", 0.25), ("metal", 0.75)],
    "ox_Y": [("exporter", 0.4), ("trader", 0.3), ("ceramics", 0.3)],
    "ox_La": [("trader", 0.45), ("exporter", 0.25), ("catalyst", 0.15), ("battery", 0.15)],
    "ox_Ce": [("trader", 0.3), ("polishing", 0.4), ("catalyst", 0.1), ("exporter", 0.2)],
}
TRADER_BUYERS = {
    "ox_La": [("catalyst", 0.35), ("battery", 0.35), ("exporter", 0.3)],
    "ox_Ce": [("polishing", 0.6), ("catalyst", 0.2), ("exporter", 0.2)],
    "ox_Y": [("exporter", 0.4), ("ceramics", 0.6)],
}
AS_SCRAP = ("ox_PrNd", "ox_La", "ox_Ce")  # oxides a recycler may be sold to pass off as scrap
RESOLD = 0.3  # share of the lots a trader bought from a plant that it sells on to a regional trader
SHIPMENT_LOTS = {"metal": 6, "trader": 4, "exporter": 3}  # most lots a shipment to them carries; users: 2
RUN_KG = (300, 800)  # a sintering furnace batch of magnets
MAX_RUNS = 40  # a day, per magnet maker
REPACKED = 0.4  # share of magnet lots split into parts for different customers
# kg a user issues to its line at a time: one or two cartons of magnets, a few 25-kg bags of oxide
ISSUE_KG = {
    "motor": (20, 45),
    "polishing": (50, 125),
    "catalyst": (50, 125),
    "battery": (50, 125),
    "ceramics": (25, 75),
}
ISSUE_CHANCE = 0.6  # that a user issues from a lot on a given day


def _buyer(state: YearState, h: Holding, buyers: list[tuple[str, float]]) -> Actor:
    r = state.world.rng.random()
    for n, (role, share) in enumerate(buyers):
        r -= share
        if r <= 0 or n == len(buyers) - 1:
            if role != "exporter":
                return state.pick(role)
            exporter = licensed_exporter(state, h) if state.world.controlled(h) else state.pick("exporter")
            if exporter is not None:
                return exporter
            return _buyer(state, h, [b for b in buyers if b[0] != "exporter"])
    raise AssertionError(buyers)


def _send(state: YearState, sender: Actor, routed: list[tuple[Actor, Holding]], most: int | None = None) -> None:
    by_role: dict[str, list[tuple[Actor, Holding]]] = {}
    for receiver, h in routed:
        by_role.setdefault(receiver.role, []).append((receiver, h))
    for role, lots in by_role.items():
        route(state, lots, sender, most or SHIPMENT_LOTS.get(role, 2))


def ship_products(state: YearState, plant: Actor) -> None:
    if not (can_ship(state.world) and state.world.day % 2 == hash_phase(plant.key, 2)):
        return
    routed = []
    for h in state.world.ready(plant, movable=True):
        if h.product not in PLANT_BUYERS:
            continue
        if h.product in AS_SCRAP and state.injections.chance("RECYCLING_IMPLAUSIBLE", state.today):
            state.fed_as_scrap.add(h.lot)  # sold to a recycler, which will feed it in as scrap
            state.injections.begin("RECYCLING_IMPLAUSIBLE")
            routed.append((state.pick("recycler"), h))
        else:
            routed.append((_buyer(state, h, PLANT_BUYERS[h.product]), h))
    _send(state, plant, routed)


# --- metal works ---------------------------------------------------------------------------------
def metal_day(state: YearState, works: Actor) -> None:
    world = state.world
    if world.day <= world.day_of(*LAST_PROCESS):
        for oxide, (process, product) in METAL_RUNS.items():
            lots = world.ready(works, oxide)
            for first in range(0, len(lots), 3):
                _reduce(state, works, lots[first : first + 3], process, product)
    if can_ship(world) and world.day % 2 == hash_phase(works.key, 2):
        routed = []
        for h in world.ready(works, movable=True):
            if h.product == "m_PrNd" and world.rng.random() < 0.10:
                routed.append((state.pick("exporter"), h))
            else:
                routed.append((state.pick("magnet"), h))
        _send(state, works, routed, most=3)


def _reduce(state: YearState, works: Actor, lots: list[Holding], process: str, product: str) -> None:
    """Oxides to metal (or DyFe alloy) by molten-salt electrolysis."""
    world, rng = state.world, state.world.rng
    held: dict[str, float] = {}
    inputs = []
    for h in lots:
        add_into(held, elements_in(h.mass, h.composition))
        inputs.append(world.take_all(works, h))
    diverted = product == "m_PrNd" and state.injections.chance("LOW_YIELD", state.today)
    element_kg = {e: kg * (rng.uniform(0.85, 0.87) if diverted else rng.uniform(0.96, 0.985)) for e, kg in held.items()}
    total = product_mass(element_kg, product)
    composition = composition_of(element_kg, total)
    outputs = []
    for mass in split_mass(rng, total, PACKAGE_KG[product]):
        _, out = world.new_lot(works, product, mass, composition)
        outputs.append(out)
        state.tally["metal" if product != "a_DyFe" else "alloy"] += mass
    event = world.emit(works, "transform", process=process, inputs=inputs, outputs=outputs)
    if diverted:
        yield_ = sum(element_kg.values()) / sum(held.values())
        state.injections.record(
            "LOW_YIELD",
            works.uscc,
            outputs[0]["lot"],
            state.ref(works, event),
            f"diversion: PrNd metal run with a yield of {yield_:.3f}",
        )


# --- magnet makers -------------------------------------------------------------------------------
def magnet_day(state: YearState, maker: Actor) -> None:
    world = state.world
    toll_day(state, maker, can_ship(world))
    if world.day <= world.day_of(*LAST_RUN):
        for _ in range(MAX_RUNS):
            if sum(h.mass * _pr_nd(h) for h in world.ready(maker, "m_PrNd")) < RUN_KG[0] * 0.33:
                break
            _magnet_run(state, maker)
    if can_ship(world):
        _ship_magnets(state, maker)


def _magnet_run(state: YearState, maker: Actor) -> None:
    world, rng = state.world, state.world.rng
    grade, dy, tb = _grade(world)
    re_total = rng.uniform(0.295, 0.32)  # lands within 29-32.5 % after the yield
    avail = {
        p: sum(h.mass * sum(h.composition.values()) for h in world.ready(maker, p))
        for p in ("m_PrNd", "a_DyFe", "m_Tb")
    }
    mass = rng.uniform(*RUN_KG)
    if dy and avail["a_DyFe"] * 0.97 / dy < mass:
        grade, dy, tb = GRADES[0][0], 0.0, 0.0
    if tb and avail["m_Tb"] * 0.97 / tb < mass:
        grade, tb = GRADES[1][0], 0.0
    mass = floor3(min(mass, avail["m_PrNd"] * 0.97 / (re_total - dy - tb)))
    inputs: list[dict[str, Any]] = []
    held: dict[str, float] = {}
    _draw(world, maker, "m_PrNd", ("Pr", "Nd"), mass * (re_total - dy - tb) / 0.975, inputs, held)
    if dy:
        _draw(world, maker, "a_DyFe", ("Dy",), mass * dy / 0.975, inputs, held)
    if tb:
        _draw(world, maker, "m_Tb", ("Tb",), mass * tb / 0.975, inputs, held)
    unknown = state.injections.chance("UNKNOWN_LOT", state.today)
    if unknown:  # DyFe of unknown origin; the output is figured on the recorded inputs only
        month = world.date().month
        world.counters[("unknown", str(month))] += 1
        n = world.counters[("unknown", str(month))]
        inputs.append({"lot": f"HN-DYFE-{world.year}-{month:02d}-{n:04d}", "mass_kg": floor3(rng.uniform(20, 60))})
    out, swarf = magnet_yields(rng, held)
    diverted = None
    heavy = [] if unknown else divertible(held)
    if heavy and state.injections.chance("ELEMENT_DIVERTED", state.today):
        element = heavy[rng.randrange(len(heavy))]
        diverted = element if divert(rng, element, held, out, swarf) else None
    composition = composition_of(out, mass)
    outputs = []
    for part in split_mass(rng, mass, PACKAGE_KG["magnet"]):
        _, lot = world.new_lot(maker, "magnet", part, composition)
        outputs.append(lot)
        state.tally["magnets"] += part
    if swarf:
        outputs.append(swarf_lot(world, maker, swarf))
    event = world.emit(
        maker,
        "transform",
        process="magnet",
        inputs=inputs,
        outputs=outputs,
        ext={"grade": grade, "kind": "sintered NdFeB"},
    )
    if unknown:
        state.injections.record(
            "UNKNOWN_LOT",
            maker.uscc,
            inputs[-1]["lot"],
            state.ref(maker, event),
            f"magnet run drawing {inputs[-1]['mass_kg']:.1f} kg of DyFe from {inputs[-1]['lot']}, a lot nobody created",
        )
    if diverted:
        element = diverted
        kept = sum(elements_in(o["mass_kg"], o["composition"]).get(element, 0.0) for o in outputs)
        state.injections.record(
            "ELEMENT_DIVERTED",
            maker.uscc,
            None,
            state.ref(maker, event),
            f"magnet run putting out {kept:,.2f} kg of the {held[element]:,.2f} kg of {element} it took in "
            f"({kept / held[element]:.3f})",
        )


def _ship_magnets(state: YearState, maker: Actor) -> None:
    world, rng = state.world, state.world.rng
    routed = []
    for h in world.ready(maker, "magnet", "magnet_part", movable=True):
        if h.lot in state.toll_back:
            continue  # another maker's, going back to it
        if h.product == "magnet" and h.mass >= 300 and rng.random() < REPACKED:
            _repack(world, maker, h)  # parts for different customers, shipped from tomorrow
            continue
        if h.product == "magnet" and send_for_tolling(state, maker, h):
            continue
        routed.append((_buyer(state, h, [("exporter", 0.5), ("motor", 0.5)]), h))
    _send(state, maker, routed, most=2)
    swarf = world.ready(maker, "scrap_swarf", movable=True)
    if sum(h.mass for h in swarf) >= SWARF_LOAD_KG:
        world.ship(maker, state.pick("recycler"), swarf, wait=rng.randint(1, 3))


# --- traders and users ---------------------------------------------------------------------------
def trader_day(state: YearState, trader: Actor) -> None:
    world = state.world
    for h in world.ready(trader, movable=True):
        if h.lot in state.circular:  # the injected round trip: straight back where it came from
            event = world.ship(trader, state.circular.pop(h.lot), [h], wait=2)
            state.returns[event["shipment"]] = h.lot
    if state.layered:
        layered_trader_day(state, trader)
    if can_ship(world) and world.day % 2 == hash_phase(trader.key, 2):
        routed = []
        others = [t for t in world.by_role["trader"] if t is not trader]
        for h in world.ready(trader, movable=True):
            if h.lot in state.layered:
                continue  # on a layered round trip
            if h.came_from == "separation" and others and world.rng.random() < RESOLD:
                routed.append((state.pick("trader", others), h))
            else:
                routed.append((_buyer(state, h, TRADER_BUYERS.get(h.product, [("exporter", 1.0)])), h))
        _send(state, trader, routed, most=2)


def user_day(state: YearState, user: Actor) -> None:
    """Each issue of material from a lot to the line is recorded as a consumption."""
    world, rng = state.world, state.world.rng
    for h in world.ready(user):
        if rng.random() < ISSUE_CHANCE:
            kg = rng.uniform(*ISSUE_KG[user.role])
            if h.mass - kg < ISSUE_KG[user.role][0]:  # the last of the lot
                kg = h.mass
            draw = world.take(user, h, kg)
            state.tally["consumed"] += draw["mass_kg"]
            world.emit(user, "consume", lots=[draw], purpose=USES[user.role])
