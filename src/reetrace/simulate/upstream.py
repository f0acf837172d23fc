"""Mines, imports and separation plants of a national year.

Each mine extracts towards a target set from its quota (92-97 % of it; more for an injected
overrun), evenly over the extraction season with day-to-day swings; its last lot is sized to
land on the target. Concentrate goes to the plant of its deposit type that has had the least
feed for its quota, so plants fill their quotas evenly, and a plant never starts a batch that
could take it past 98 % of its separation quota: what it cannot separate stays in its yard.
Separated products leave in packaged lots (`PACKAGE_KG`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from reetrace.demo.cast import Actor
from reetrace.demo.chain import Holding
from reetrace.demo.chemistry import (
    HEAVY_PRODUCTS,
    LIGHT_PRODUCTS,
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
from reetrace.demo.upstream import (
    CLEAN_ADJUST_SHARE,
    FEED_BATCH_KG,
    MINING,
    can_ship,
    hash_phase,
    ship_grouped,
)
from reetrace.demo.violations import ILLEGAL_EXTRACTS
from reetrace.domain.elements import reo_per_kg
from reetrace.simulate.state import PACKAGE_KG, YearState

FIRST_EXTRACT = 2
LAST_EXTRACT = (12, 10)  # the season ends early enough for the plants to separate the year's ore
LAST_SEPARATION = (12, 24)
QUOTA_CEILING = 0.98  # a plant stops separating before it uses more of its quota than this
BEST_YIELD = 0.97  # the highest separation yield of an element
IMPORT_SHARE = 0.03  # imported ion-adsorption compounds, as a share of the ion-adsorption mining quota


# --- mines ---------------------------------------------------------------------------------------
def _draw_lot(state: YearState, mine: Actor) -> tuple[float, dict[str, float]]:
    _, sizes, grades, _, _ = MINING[mine.worked_deposit]
    assert mine.profile is not None, mine.key
    composition = ore_composition(
        lot_shares(state.world.rng, mine.profile, mine.worked_deposit), state.world.rng.uniform(*grades)
    )
    return float(state.world.rng.randrange(*sizes)), composition


def mine_day(state: YearState, mine: Actor) -> None:
    world = state.world
    if state.illegal.get(mine.key, 0) >= ILLEGAL_EXTRACTS:
        return  # inspectors sealed the site
    last = world.day_of(*LAST_EXTRACT)
    if FIRST_EXTRACT <= world.day <= last:
        left = max(0.0, state.target_kg[mine.key] - world.extracted_reo[mine.key] - state.accrued_kg[mine.key])
        state.accrued_kg[mine.key] += left / (last - world.day + 1) * world.rng.uniform(0.6, 1.4)
        if world.day == last:
            state.accrued_kg[mine.key] += left  # the season ends on target
        lots = _lots_due(state, mine)
        for first in range(0, len(lots), 4):  # a big day is reported as several extractions
            if state.illegal.get(mine.key, 0) >= ILLEGAL_EXTRACTS:
                break
            _extract(state, mine, lots[first : first + 4])
    if can_ship(world) and world.day % 3 == hash_phase(mine.key, 3):
        ready = world.ready(mine, movable=True)
        if ready:
            ship_grouped(world, mine, [(_plant_for(state, mine, h), h) for h in ready], wait=(1, 2), per_shipment=6)


def _lots_due(state: YearState, mine: Actor) -> list[tuple[float, dict[str, float]]]:
    """The lots (mass, composition) whose REO what has accrued covers; the year's last lot is cut
    to what is left of the target."""
    lots: list[tuple[float, dict[str, float]]] = []
    remaining = state.target_kg[mine.key] - state.world.extracted_reo[mine.key]
    while True:
        if mine.key not in state.next_lot:
            state.next_lot[mine.key] = _draw_lot(state, mine)
        mass, composition = state.next_lot[mine.key]
        per_kg = reo_per_kg(composition)
        if mass * per_kg > remaining:
            mass = floor3(remaining / per_kg)
        if mass < 1000 or mass * per_kg > state.accrued_kg[mine.key] + 0.001:
            return lots
        lots.append((mass, composition))
        del state.next_lot[mine.key]
        state.accrued_kg[mine.key] -= mass * per_kg
        remaining -= mass * per_kg


def _extract(state: YearState, mine: Actor, lots: list[tuple[float, dict[str, float]]]) -> None:
    world = state.world
    lapse = state.lapse_on.get(mine.key)
    illegal = lapse is not None and state.today >= lapse
    if illegal and mine.key not in state.illegal:  # the qualification ended yesterday
        state.cast.expiring[mine.key] = (state.today - timedelta(days=1)).isoformat()
        state.illegal[mine.key] = 0
    code = MINING[mine.worked_deposit][4]
    blended = (
        mine.deposit != "ion"
        and not illegal
        and mine.key not in state.overrun
        and state.injections.chance("COMPOSITION_IMPLAUSIBLE", state.today)
    )
    if blended:  # the first lot carries heavy ore mined elsewhere, under this mine's quota
        mass, composition = lots[0]
        lots[0] = (mass, _blend(state, mine, composition))
    outputs = []
    for mass, composition in lots:
        h, out = world.new_lot(
            mine, f"conc_{mine.deposit}", mass, composition, form=MINING[mine.worked_deposit][3], code=code
        )
        if illegal:  # what was mined without a qualification is seized in the yard
            world.keep(mine, h)
        outputs.append(out)
        world.extracted_reo[mine.key] += world.lot_reo(mass, composition)
    deposit = "ion_adsorption" if mine.deposit == "ion" else "rock"
    event = world.emit(mine, "extract", deposit=deposit, outputs=outputs)
    if blended:
        shares = reo_shares(outputs[0]["composition"])
        assert mine.profile is not None
        state.injections.record(
            "COMPOSITION_IMPLAUSIBLE",
            mine.uscc,
            outputs[0]["lot"],
            state.ref(mine, event),
            f"{outputs[0]['lot']}: heavy ion-adsorption ore blended into rock concentrate, "
            f"L1 {l1_distance(shares, mine.profile):.3f} from the registered profile, "
            f"heavy share {heavy_share(shares):.1%}",
        )
    if illegal:
        state.illegal[mine.key] += 1
        state.injections.record(
            "UNAUTHORIZED_MINING",
            mine.uscc,
            outputs[0]["lot"],
            state.ref(mine, event),
            f"extraction on {state.today} after the mining qualification lapsed on {state.cast.expiring[mine.key]}",
        )


def _blend(state: YearState, mine: Actor, composition: dict[str, float]) -> dict[str, float]:
    """A rock mine's lot with heavy ion-adsorption ore blended in, at the same REO grade, just far
    enough from the mine's registered profile to be worth it (L1 0.33-0.45; the threshold is 0.30)."""
    rng = state.world.rng
    assert mine.profile is not None
    target = rng.uniform(0.33, 0.45)
    shares = blend_to_distance(reo_shares(composition), type_shares(rng, "ion_heavy"), mine.profile, target)
    return ore_composition(shares, reo_per_kg(composition))


def _plant_for(state: YearState, mine: Actor, h: Holding) -> Actor:
    """The plant of the lot's deposit type with the least feed for its quota."""
    plants = [p for p in state.world.by_role["separation"] if p.deposit == mine.deposit]
    plant = min(plants, key=lambda p: state.fed_kg[p.key] / max(state.quota_t[p.key], 0.001))
    state.fed_kg[plant.key] += state.world.lot_reo(h.mass, h.composition)
    return plant


def import_day(state: YearState, plant: Actor) -> None:
    """Ion-adsorption plants import mixed rare earth compounds from Myanmar."""
    world = state.world
    if world.day < 5 or world.day > world.day_of(*LAST_EXTRACT) or not state.import_kg.get(plant.key):
        return
    days = world.day_of(*LAST_EXTRACT) - 4
    state.accrued_kg["import:" + plant.key] += state.import_kg[plant.key] / days * world.rng.uniform(0.5, 1.5)
    composition = ore_composition(deposit_shares(world.rng, "ion", 0.35), world.rng.uniform(0.88, 0.92))
    mass = float(world.rng.randrange(10_000, 25_000))
    reo = mass * reo_per_kg(composition)
    if state.accrued_kg["import:" + plant.key] >= reo:
        state.accrued_kg["import:" + plant.key] -= reo
        state.imported_kg[plant.key] += reo
        _, out = world.new_lot(plant, "conc_ion", mass, composition, form="mixed_compound", code="IMP")
        world.emit(
            plant, "import", origin_country="MM", customs_declaration=world.declaration("6701", "1"), outputs=[out]
        )


# --- separation ----------------------------------------------------------------------------------
def separation_day(state: YearState, plant: Actor) -> None:
    world = state.world
    for h in [h for h in world.ready(plant) if h.product.startswith("conc_") and h.lot not in state.stock_taken]:
        state.stock_taken.add(h.lot)
        if state.injections.chance("LARGE_ADJUSTMENT", state.today):
            delta = -floor3(h.mass * world.rng.uniform(0.025, 0.035))
            event = _adjust(state, plant, h, delta, "stock-take shortfall, cause under investigation")
            state.injections.record(
                "LARGE_ADJUSTMENT",
                plant.uscc,
                h.lot,
                state.ref(plant, event),
                f"{h.lot} written down by {-delta:,.0f} kg ({-delta / (h.mass - delta):.1%})",
            )
        elif world.rng.random() < CLEAN_ADJUST_SHARE:
            delta = -min(60.0, floor3(h.mass * world.rng.uniform(0.002, 0.008)))
            _adjust(state, plant, h, delta, "stock-take: moisture loss found on re-weighing")
    feed = [h for h in world.ready(plant) if h.product.startswith("conc_")]
    if feed and world.day <= world.day_of(*LAST_SEPARATION):
        waited = world.day - min(h.ready for h in feed)
        if sum(h.mass for h in feed) >= FEED_BATCH_KG[plant.worked_deposit] or waited >= 6:
            _separate(state, plant, feed[:10])


def _adjust(state: YearState, plant: Actor, h: Holding, delta: float, reason: str) -> dict[str, Any]:
    event = state.world.emit(plant, "adjust", lot=h.lot, delta_kg=delta, reason=reason)
    h.mass = round(h.mass + delta, 3)
    h.ready = state.world.day + 1
    return event


def _separate(state: YearState, plant: Actor, feed: list[Holding]) -> None:
    world, rng = state.world, state.world.rng
    laundering = state.injections.chance("MASS_BALANCE_VIOLATION", state.today)
    extra = rng.uniform(1.12, 1.25) if laundering else 1.0
    room = state.quota_t[plant.key] * 1000 * QUOTA_CEILING - world.separated_reo[plant.key]
    while feed and sum(world.lot_reo(h.mass, h.composition) for h in feed) * BEST_YIELD * extra > room:
        feed = feed[:-1]  # only what still fits in the quota
    if not feed:
        return
    routes = HEAVY_PRODUCTS if plant.deposit == "ion" else LIGHT_PRODUCTS
    inputs = []
    held: dict[str, float] = {}
    for h in feed:
        add_into(held, elements_in(h.mass, h.composition))
        inputs.append(world.take_all(plant, h))
        state.stock_taken.discard(h.lot)
    by_product: dict[str, dict[str, float]] = defaultdict(dict)
    for e, kg in held.items():
        by_product[routes[e]][e] = kg * rng.uniform(0.93, BEST_YIELD) * extra
    outputs = []
    for product, element_kg in by_product.items():
        total = product_mass(element_kg, product)
        composition = composition_of(element_kg, total)
        if not composition:
            continue
        for mass in split_mass(rng, total, PACKAGE_KG[product]):
            h, out = world.new_lot(plant, product, mass, composition)
            if product.startswith("mc_"):  # mixed SEG and heavy concentrates are stocked
                world.keep(plant, h)
            outputs.append(out)
            world.separated_reo[plant.key] += world.lot_reo(mass, composition)
    event = world.emit(plant, "transform", process="separation", inputs=inputs, outputs=outputs)
    if laundering:
        state.injections.record(
            "MASS_BALANCE_VIOLATION",
            plant.uscc,
            outputs[0]["lot"],
            state.ref(plant, event),
            f"laundering: separation outputs hold {extra - 1:.0%} more of each element than "
            "the recorded feed (illegal ore separated off the books)",
        )
