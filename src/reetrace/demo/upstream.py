"""Mines, separation plants and metal works: a day's work for each.

Throughput is in lots a day per enterprise at scale 1; when the scale grows, an enterprise's
throughput grows with it, shared with the copies of it that the cast adds. Lot sizes are
realistic and fixed, so the number of events grows with the scale.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from reetrace.demo.cast import Actor
from reetrace.demo.chain import Holding, World
from reetrace.demo.chemistry import (
    HEAVY_PRODUCTS,
    LIGHT_PRODUCTS,
    PRODUCTS,
    add_into,
    blend_to_distance,
    composition_of,
    deposit_shares,
    elements_in,
    floor3,
    heavy_share,
    l1_distance,
    lot_shares,
    ore_composition,
    product_mass,
    reo_shares,
    split_mass,
    type_shares,
)
from reetrace.demo.violations import ILLEGAL_EXTRACTS, Plan

# deposit -> (lots a day per mine at scale 1, lot size range kg, REO grade range, form, lot code)
MINING = {
    "bayan_obo": (0.25, (40_000, 70_000), (0.48, 0.58), "concentrate", "CONC"),
    "sichuan": (0.06, (20_000, 40_000), (0.55, 0.65), "concentrate", "CONC"),
    "ion": (0.13, (4_000, 15_000), (0.88, 0.92), "mixed_compound", "MREC"),
}
IMPORTS_PER_DAY = 0.025
LAST_EXTRACT = (12, 15)
LAST_PROCESS = (12, 18)
LAST_SHIPMENT = (12, 20)
FEED_BATCH_KG = {"bayan_obo": 110_000, "sichuan": 60_000, "ion": 25_000}
CLEAN_ADJUST_SHARE = 0.06


def pick(world: World, choices: list[Actor]) -> Actor:
    return choices[world.rng.randrange(len(choices))]


def _rate(world: World, actor: Actor, per_day: float) -> float:
    return per_day * world.scale * actor.share


def can_ship(world: World) -> bool:
    return world.day <= world.day_of(*LAST_SHIPMENT)


def ship_grouped(
    world: World,
    sender: Actor,
    routed: list[tuple[Actor, Holding]],
    wait: tuple[int, int] = (1, 2),
    per_shipment: int = 8,
) -> None:
    """Ship lots to their destinations, one shipment per destination and up to `per_shipment` lots."""
    by_receiver: dict[str, list[Holding]] = defaultdict(list)
    receivers: dict[str, Actor] = {}
    for receiver, h in routed:
        by_receiver[receiver.key].append(h)
        receivers[receiver.key] = receiver
    for key, lots in by_receiver.items():
        for i in range(0, len(lots), per_shipment):
            world.ship(sender, receivers[key], lots[i : i + per_shipment], wait=world.rng.randint(*wait))


# --- mines ---------------------------------------------------------------------------------------
def mine_day(world: World, mine: Actor, plan: Plan, acc: dict[str, float]) -> None:
    today = world.date()
    per_day = MINING[mine.worked_deposit][0]
    illegal = plan.actor_of("UNAUTHORIZED_MINING") == mine.key and today >= plan.start("UNAUTHORIZED_MINING")
    if illegal and plan.state.get("illegal_extracts", 0) >= ILLEGAL_EXTRACTS:
        return  # inspectors sealed the site
    if 2 <= world.day <= world.day_of(*LAST_EXTRACT):
        acc[mine.key] += _rate(world, mine, per_day) * world.rng.uniform(0.6, 1.4)
        n = int(acc[mine.key])
        acc[mine.key] -= n
        for first in range(0, n, 4):  # a big day is reported as several extractions
            if illegal and plan.state.get("illegal_extracts", 0) >= ILLEGAL_EXTRACTS:
                break
            _extract(world, mine, plan, min(4, n - first), illegal)
    if can_ship(world) and world.day % 3 == hash_phase(mine.key, 3):
        lots = world.ready(mine, movable=True)
        if lots:
            plants = separation_plants_for(world, mine.worked_deposit)
            steer = world.by_key[plan.actor_of("SHIPMENT_NOT_RECEIVED")]
            if steer in plants and plan.wants("SHIPMENT_NOT_RECEIVED", today):
                plants = [steer]  # make sure that plant has product to ship then
            ship_grouped(world, mine, [(pick(world, plants), h) for h in lots], wait=(1, 2), per_shipment=6)


def _extract(world: World, mine: Actor, plan: Plan, lots: int, illegal: bool) -> None:
    _, sizes, grades, form, code = MINING[mine.worked_deposit]
    assert mine.profile is not None, mine.key
    blended = plan.due("COMPOSITION_IMPLAUSIBLE", mine.key, world.date())
    outputs = []
    for n in range(lots):
        shares = lot_shares(world.rng, mine.profile, mine.worked_deposit)
        if blended and n == 0:  # heavy ore mined elsewhere, passed off under this mine's quota
            target = world.rng.uniform(0.33, 0.45)
            shares = blend_to_distance(shares, type_shares(world.rng, "ion_heavy"), mine.profile, target)
        composition = ore_composition(shares, world.rng.uniform(*grades))
        mass = float(world.rng.randrange(*sizes))
        h, out = world.new_lot(mine, f"conc_{mine.deposit}", mass, composition, form=form, code=code)
        if illegal:  # what was mined without a qualification stays in the yard
            world.keep(mine, h)
        outputs.append(out)
        world.extracted_reo[mine.key] += world.lot_reo(mass, composition)
    deposit = "rock" if mine.deposit in ("bayan_obo", "sichuan") else "ion_adsorption"
    event = world.emit(mine, "extract", deposit=deposit, outputs=outputs)
    if blended:
        shares = reo_shares(outputs[0]["composition"])
        plan.record(
            "COMPOSITION_IMPLAUSIBLE",
            mine.uscc,
            outputs[0]["lot"],
            world.ref(mine, event),
            f"{outputs[0]['lot']}: heavy ion-adsorption ore blended into rock concentrate, "
            f"L1 {l1_distance(shares, mine.profile):.3f} from the registered profile, "
            f"heavy share {heavy_share(shares):.1%}",
        )
    if illegal:
        plan.state["illegal_extracts"] = plan.state.get("illegal_extracts", 0) + 1
        plan.record(
            "UNAUTHORIZED_MINING",
            mine.uscc,
            outputs[0]["lot"],
            world.ref(mine, event),
            f"extraction on {world.date()} after the mining qualification expired",
        )


def hash_phase(key: str, period: int) -> int:
    """A stable phase for periodic work (not Python's randomised hash)."""
    return sum(key.encode()) % period


def separation_plants_for(world: World, deposit: str) -> list[Actor]:
    prefixes = {"bayan_obo": ("bts", "btk"), "sichuan": ("lss",), "ion": ("gzs",)}[deposit]
    return [a for a in world.by_role["separation"] if a.key.rstrip("0123456789") in prefixes]


def import_day(world: World, plant: Actor, acc: dict[str, float]) -> None:
    """Ganzhou plants import Myanmar ion-adsorption mixed rare earth compounds."""
    if world.day < 5 or world.day > world.day_of(*LAST_EXTRACT):
        return
    acc[plant.key] += _rate(world, plant, IMPORTS_PER_DAY)
    if acc[plant.key] >= 1:
        acc[plant.key] -= 1
        shares = deposit_shares(world.rng, "ion", 0.35)
        composition = ore_composition(shares, world.rng.uniform(0.88, 0.92))
        mass = float(world.rng.randrange(10_000, 25_000))
        _, out = world.new_lot(plant, "conc_ion", mass, composition, form="mixed_compound", code="IMP")
        world.emit(
            plant, "import", origin_country="MM", customs_declaration=world.declaration("6701", "1"), outputs=[out]
        )


# --- separation ----------------------------------------------------------------------------------
def separation_day(world: World, plant: Actor, plan: Plan, checked: set[str]) -> None:
    feed = [h for h in world.ready(plant) if h.product.startswith("conc_")]
    for h in feed:
        if h.lot in checked:
            continue
        checked.add(h.lot)
        if plan.due("LARGE_ADJUSTMENT", plant.key, world.date()):
            delta = -floor3(h.mass * world.rng.uniform(0.025, 0.035))
            event = _adjust(world, plant, h, delta, "stock-take shortfall, cause under investigation")
            plan.record(
                "LARGE_ADJUSTMENT",
                plant.uscc,
                h.lot,
                world.ref(plant, event),
                f"{h.lot} written down by {-delta:.0f} kg ({-delta / (h.mass - delta):.1%})",
            )
        elif world.rng.random() < CLEAN_ADJUST_SHARE:
            delta = -min(60.0, floor3(h.mass * world.rng.uniform(0.002, 0.008)))
            _adjust(world, plant, h, delta, "stock-take: moisture loss found on re-weighing")
    feed = [h for h in world.ready(plant) if h.product.startswith("conc_")]
    last = world.day <= world.day_of(*LAST_PROCESS)
    if feed and last:
        deposit = feed[0].product.removeprefix("conc_")
        waited = world.day - min(h.ready for h in feed)
        if sum(h.mass for h in feed) >= FEED_BATCH_KG[deposit] or waited >= 6:
            _separate(world, plant, feed[:10])
    if can_ship(world) and world.day % 3 == hash_phase(plant.key, 3):
        _ship_products(world, plant, plan)


def _adjust(world: World, plant: Actor, h: Holding, delta: float, reason: str) -> dict[str, Any]:
    event = world.emit(plant, "adjust", lot=h.lot, delta_kg=delta, reason=reason)
    h.mass = round(h.mass + delta, 3)
    h.ready = world.day + 1
    return event


def _separate(world: World, plant: Actor, feed: list[Holding]) -> None:
    heavy = plant.key.startswith("gzs")
    routes = HEAVY_PRODUCTS if heavy else LIGHT_PRODUCTS
    inputs = []
    held: dict[str, float] = {}
    for h in feed:
        add_into(held, elements_in(h.mass, h.composition))
        inputs.append(world.take_all(plant, h))
    by_product: dict[str, dict[str, float]] = defaultdict(dict)
    for e, kg in held.items():
        by_product[routes[e]][e] = kg * world.rng.uniform(0.93, 0.97)
    outputs = []
    for product, element_kg in by_product.items():
        _, _, largest, _ = PRODUCTS[product]
        total = product_mass(element_kg, product)
        composition = composition_of(element_kg, total)
        if not composition:
            continue
        for mass in split_mass(world.rng, total, largest):
            h, out = world.new_lot(plant, product, mass, composition)
            if product.startswith("mc_"):  # mixed SEG and heavy concentrates are stocked
                world.keep(plant, h)
            outputs.append(out)
            world.separated_reo[plant.key] += world.lot_reo(mass, composition)
    world.emit(plant, "transform", process="separation", inputs=inputs, outputs=outputs)


def _ship_products(world: World, plant: Actor, plan: Plan) -> None:
    rng = world.rng
    if plan.due("SHIPMENT_NOT_RECEIVED", plant.key, world.date()):
        oxides = world.ready(plant, "ox_La", "ox_Ce", "ox_PrNd", movable=True)
        if oxides:  # it leaves the plant and is never recorded again
            trader = world.by_key["sht"]
            event = world.ship(plant, trader, oxides[:1], received=False)
            plan.record(
                "SHIPMENT_NOT_RECEIVED",
                plant.uscc,
                oxides[0].lot,
                world.ref(plant, event),
                f"{oxides[0].product.removeprefix('ox_')} oxide shipped to a trader that never recorded its receipt",
            )
    group = "btm" if plant.key.startswith(("bts", "btk")) else "gzm"
    metal_works = [a for a in world.by_role["metal"] if a.key.startswith(group)]
    exporters, traders = world.by_role["exporter"], world.by_role["trader"]
    polishers = world.by_role["polishing"]
    routed = []
    for h in world.ready(plant, movable=True):
        if h.product.startswith("conc_"):
            continue
        r = rng.random()
        dest: Actor | None
        if h.product == "ox_PrNd" and group == "gzm" and "scrap_oxide" not in plan.state:
            if plan.wants("RECYCLING_IMPLAUSIBLE", world.date()):  # sold to a recycler to pass off as scrap
                dest = world.by_key[plan.actor_of("RECYCLING_IMPLAUSIBLE")]
                plan.state["scrap_oxide"] = h.lot
            else:
                dest = pick(world, metal_works)
        elif h.product == "ox_PrNd":
            dest = pick(world, metal_works)
        elif h.product == "ox_Dy" and plan.wants("LICENSE_EXCEEDED", world.date()):
            dest = world.by_key[plan.actor_of("LICENSE_EXCEEDED")]
        elif h.product in ("ox_Dy", "ox_Tb"):
            dest = pick(world, metal_works if r < 0.75 else exporters)
        elif h.product == "ox_Y":
            dest = pick(world, exporters) if r < 0.5 else None
        elif h.product == "ox_La":
            dest = pick(world, traders) if r < 0.5 else pick(world, exporters) if r < 0.8 else None
        elif h.product == "ox_Ce":
            dest = pick(world, polishers) if r < 0.6 else pick(world, traders) if r < 0.8 else None
        else:
            dest = None
        if dest is None:
            world.keep(plant, h)
        else:
            routed.append((dest, h))
    ship_grouped(world, plant, routed, wait=(1, 3))


# --- metal works ---------------------------------------------------------------------------------
METAL_RUNS = {"ox_PrNd": ("metal", "m_PrNd"), "ox_Dy": ("alloy", "a_DyFe"), "ox_Tb": ("metal", "m_Tb")}


def metal_day(world: World, works: Actor, plan: Plan) -> None:
    if world.day <= world.day_of(*LAST_PROCESS):
        for oxide, (process, product) in METAL_RUNS.items():
            lots = world.ready(works, oxide)
            while lots:
                _reduce(world, works, plan, lots[:3], process, product)
                lots = lots[3:]
    if can_ship(world) and world.day % 2 == hash_phase(works.key, 2):
        magnets, exporters = world.by_role["magnet"], world.by_role["exporter"]
        routed = []
        today = world.date()
        for h in world.ready(works, movable=True):
            to_export = h.product == "m_PrNd" and world.rng.random() < 0.10
            dest = pick(world, exporters if to_export else magnets)
            for code in ("MASS_BALANCE_VIOLATION", "UNKNOWN_LOT"):  # make sure those makers have stock
                if plan.wants(code, today) and not to_export and world.rng.random() < 0.5:
                    dest = world.by_key[plan.actor_of(code)]
            routed.append((dest, h))
        ship_grouped(world, works, routed, wait=(1, 3))


def _reduce(world: World, works: Actor, plan: Plan, lots: list[Holding], process: str, product: str) -> None:
    """Oxides to metal (or DyFe alloy) by molten-salt electrolysis."""
    held: dict[str, float] = {}
    inputs = []
    for h in lots:
        add_into(held, elements_in(h.mass, h.composition))
        inputs.append(world.take_all(works, h))
    diverted = product == "m_PrNd" and plan.due("LOW_YIELD", works.key, world.date())
    element_kg = {
        e: kg * (world.rng.uniform(0.85, 0.87) if diverted else world.rng.uniform(0.96, 0.985))
        for e, kg in held.items()
    }
    total = product_mass(element_kg, product)
    composition = composition_of(element_kg, total)
    outputs = []
    for mass in split_mass(world.rng, total, PRODUCTS[product][2]):
        _, out = world.new_lot(works, product, mass, composition)
        outputs.append(out)
    event = world.emit(works, "transform", process=process, inputs=inputs, outputs=outputs)
    if diverted:
        plan.record("LOW_YIELD", works.uscc, outputs[0]["lot"], world.ref(works, event))
