"""Magnet makers, the domestic trader and the domestic users: a day's work for each."""

from __future__ import annotations

from typing import Any

from reetrace.demo.cast import Actor
from reetrace.demo.chain import Holding, World
from reetrace.demo.chemistry import add_into, composition_of, elements_in, floor3, split_mass
from reetrace.demo.recycling import SWARF_LOAD_KG, divert, divertible, magnet_yields, swarf_lot
from reetrace.demo.schemes import layered_trader_day, send_for_tolling, toll_day
from reetrace.demo.upstream import can_ship, hash_phase, pick, ship_grouped
from reetrace.demo.violations import UNKNOWN_LOT_ID, Plan

# grade, share of runs, Dy fraction range, Tb fraction range (sintered NdFeB)
GRADES = [
    ("N52", 0.30, (0.0, 0.0), (0.0, 0.0)),
    ("N48H", 0.45, (0.0062, 0.009), (0.0, 0.0)),
    ("N42SH", 0.25, (0.009, 0.0118), (0.002, 0.004)),
]
MIN_PRND_KG = 400.0  # Pr+Nd a maker needs on hand to start a run
LAST_RUN = (12, 22)
PURPOSES = {
    "motor": "traction motors for new-energy vehicles",
    "polishing": "cerium oxide polishing powder for display glass",
}


def _pr_nd(h: Holding) -> float:
    return h.composition.get("Pr", 0.0) + h.composition.get("Nd", 0.0)


def magnet_day(world: World, maker: Actor, plan: Plan) -> None:
    if world.day <= world.day_of(*LAST_RUN):
        for _ in range(12):
            if sum(h.mass * _pr_nd(h) for h in world.ready(maker, "m_PrNd")) < MIN_PRND_KG:
                break
            _magnet_run(world, maker, plan)
    tolled = toll_day(world, maker, plan) if can_ship(world) else set()
    if can_ship(world) and world.day % 2 == hash_phase(maker.key, 2):
        _ship_magnets(world, maker, plan, tolled)


def _grade(world: World) -> tuple[str, float, float]:
    r = world.rng.random()
    for grade in GRADES:
        r -= grade[1]
        if r <= 0:
            break
    name, _, dy, tb = grade
    return name, world.rng.uniform(*dy), world.rng.uniform(*tb)


def _draw(
    world: World,
    maker: Actor,
    product: str,
    elements: tuple[str, ...],
    need: float,
    inputs: list[dict[str, Any]],
    held: dict[str, float],
) -> None:
    """Draw lots of a product, oldest first, until they supply `need` kg of the elements."""
    for h in world.ready(maker, product):
        if need <= 0.001:
            return
        per_kg = sum(h.composition.get(e, 0.0) for e in elements)
        kg = min(h.mass, need / per_kg)
        if h.mass - kg < 1.0:  # no crumbs left behind
            kg = h.mass
        composition = h.composition
        draw = world.take(maker, h, kg)
        add_into(held, elements_in(draw["mass_kg"], composition))
        need -= draw["mass_kg"] * per_kg
        inputs.append(draw)


def _magnet_run(world: World, maker: Actor, plan: Plan) -> None:
    rng = world.rng
    grade, dy, tb = _grade(world)
    if not dy and plan.due("MASS_BALANCE_VIOLATION", maker.key, world.date()):
        grade, _, (low, high), _ = GRADES[1]
        dy = rng.uniform(low, high)
    re_total = rng.uniform(0.295, 0.32)  # lands within 29–32.5 % after the yield
    avail = {
        p: sum(h.mass * sum(h.composition.values()) for h in world.ready(maker, p))
        for p in ("m_PrNd", "a_DyFe", "m_Tb")
    }
    mass = rng.uniform(3000, 9000)
    if dy and avail["a_DyFe"] * 0.97 / dy < mass:
        grade, dy, tb = "N52", 0.0, 0.0
    if tb and avail["m_Tb"] * 0.97 / tb < mass:
        grade, tb = "N48H", 0.0
    mass = min(mass, avail["m_PrNd"] * 0.97 / (re_total - dy - tb))
    laundering = dy > 0 and plan.due("MASS_BALANCE_VIOLATION", maker.key, world.date())
    mass = floor3(mass)
    inputs: list[dict[str, Any]] = []
    held: dict[str, float] = {}
    _draw(world, maker, "m_PrNd", ("Pr", "Nd"), mass * (re_total - dy - tb) / 0.975, inputs, held)
    if dy:
        _draw(world, maker, "a_DyFe", ("Dy",), mass * dy / 0.975 / (1.5 if laundering else 1.0), inputs, held)
    if tb:
        _draw(world, maker, "m_Tb", ("Tb",), mass * tb / 0.975, inputs, held)
    out, swarf = magnet_yields(rng, held)
    if laundering:
        out["Dy"] *= 1.5
    unknown = plan.due("UNKNOWN_LOT", maker.key, world.date())
    diverted = None
    if not (laundering or unknown) and plan.due("ELEMENT_DIVERTED", maker.key, world.date()):
        heavy = divertible(held)
        if heavy and divert(rng, heavy[0], held, out, swarf):
            diverted = heavy[0]
    if unknown:  # DyFe of unknown origin; the output is figured on the recorded inputs only
        inputs.append({"lot": UNKNOWN_LOT_ID.format(year=world.year), "mass_kg": floor3(rng.uniform(60, 120))})
    composition = composition_of(out, mass)
    outputs = []
    for part in split_mass(rng, mass, 5000):
        _, lot = world.new_lot(maker, "magnet", part, composition)
        outputs.append(lot)
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
    if laundering:
        plan.record("MASS_BALANCE_VIOLATION", maker.uscc, outputs[0]["lot"], world.ref(maker, event))
    if unknown:
        plan.record("UNKNOWN_LOT", maker.uscc, inputs[-1]["lot"], world.ref(maker, event))
    if diverted:
        kept = sum(elements_in(o["mass_kg"], o["composition"]).get(diverted, 0.0) for o in outputs)
        plan.record(
            "ELEMENT_DIVERTED",
            maker.uscc,
            None,
            world.ref(maker, event),
            f"magnet run putting out {kept:,.2f} kg of the {held[diverted]:,.2f} kg of {diverted} it took in "
            f"({kept / held[diverted]:.3f})",
        )


def _ship_magnets(world: World, maker: Actor, plan: Plan, tolled: set[str]) -> None:
    rng = world.rng
    routed = []
    for h in world.ready(maker, "magnet", "magnet_part", movable=True):
        if h.lot in tolled:
            continue
        if h.product == "magnet" and h.mass >= 1500 and rng.random() < 0.2:
            _repack(world, maker, h)
            continue
        if h.product == "magnet" and send_for_tolling(world, maker, plan, h):
            continue
        to_export = rng.random() < 0.5
        dest = pick(world, world.by_role["exporter" if to_export else "motor"])
        if h.composition.get("Dy"):  # make sure the exporters of those violations have Dy magnets
            for code in ("EXPORT_WITHOUT_LICENSE", "LICENSE_MISMATCH"):
                if plan.wants(code, world.date()):
                    dest = world.by_key[plan.actor_of(code)]
        routed.append((dest, h))
    ship_grouped(world, maker, routed, wait=(1, 6), per_shipment=4)
    swarf = world.ready(maker, "scrap_swarf", movable=True)
    if sum(h.mass for h in swarf) >= SWARF_LOAD_KG:
        ship_grouped(world, maker, [(world.by_key["gzr"], h) for h in swarf], wait=(1, 3), per_shipment=50)


def _repack(world: World, maker: Actor, h: Holding) -> None:
    """Split a magnet lot so that its parts can go to different customers."""
    composition = h.composition
    inputs = [world.take_all(maker, h)]
    parts = split_mass(world.rng, inputs[0]["mass_kg"], inputs[0]["mass_kg"] / world.rng.randint(2, 3) + 1)
    outputs = [world.new_lot(maker, "magnet_part", m, composition)[1] for m in parts]
    world.emit(maker, "transform", process="repack", inputs=inputs, outputs=outputs)


# --- trader and domestic users -------------------------------------------------------------------
def trader_day(world: World, trader: Actor, plan: Plan) -> None:
    back = plan.state.get("circular_lot")
    for h in world.ready(trader, movable=True):
        if h.lot == back:  # the injected round trip: send it straight back where it came from
            event = world.ship(trader, plan.state["circular_from"], [h], wait=2)
            plan.state["circular_return"] = event["shipment"]
    layered = layered_trader_day(world, trader, plan)
    if can_ship(world) and world.day % 3 == hash_phase(trader.key, 3):
        routed = []
        for h in world.ready(trader, movable=True):
            if h.lot in layered:
                continue
            dest = "polishing" if h.product == "ox_Ce" else "exporter"
            routed.append((pick(world, world.by_role[dest]), h))
        ship_grouped(world, trader, routed, wait=(1, 5))


def consumer_day(world: World, user: Actor) -> None:
    draws = []
    for h in world.ready(user):
        if not h.draws_left:
            h.draws_left = world.rng.randint(1, 3)
        if world.rng.random() < 0.35:
            kg = h.mass if h.draws_left == 1 else floor3(h.mass / h.draws_left)
            h.draws_left -= 1
            draws.append(world.take(user, h, kg))
    for first in range(0, len(draws), 6):  # one record per six lots drawn
        world.emit(user, "consume", lots=draws[first : first + 6], purpose=PURPOSES[user.role])
