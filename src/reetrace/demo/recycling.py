"""Recycling, shared by the demo and the national year: magnet makers' grinding swarf and
imported end-of-life magnets become recovered rare earth oxides (`recycling` transforms).

That is genuine scrap: everything in it descends from metal, alloy or magnets, or was imported
as scrap (CONTRACT §12, RECYCLING_IMPLAUSIBLE). Recovered oxides are stocked.
"""

from __future__ import annotations

import random
from typing import Any

from reetrace.demo.cast import Actor
from reetrace.demo.chain import Holding, World
from reetrace.demo.chemistry import SCRAP_RE, add_into, composition_of, elements_in, product_mass, split_mass
from reetrace.demo.violations import Plan
from reetrace.domain.elements import reo_kg

SCRAP_FROM = [("JP", "4201"), ("DE", "2201"), ("KR", "4201"), ("VN", "5301"), ("US", "2201")]
RECOVERY = (0.92, 0.97)  # of each element a recycling run recovers
BATCH_KG = 300  # scrap a recycler gathers before a run
MOST_LOTS = 40  # lots in one run
WAIT_DAYS = 10  # a run starts anyway when its oldest lot has waited this long
LAST_RUN = (12, 22)
RECOVERED_KG = 1_000  # largest lot of recovered oxides: one-tonne bags
# a magnet's rare earths, as shares of their mass (the rest of a magnet is iron and boron)
MAGNET_RE = {"Nd": 0.74, "Pr": 0.22, "Dy": 0.03, "Tb": 0.01}
MAGNET_YIELD = (0.965, 0.985)  # of each element a magnet run takes in
HEAVY_YIELD = (0.94, 0.98)  # of Dy and Tb: ordinary losses of 2-6 %
SWARF_SHARE = 0.3  # of magnet runs that keep their grinding swarf apart, for recycling
SWARF_LOAD_KG = 60  # swarf a maker gathers before it sends it to a recycler
DIVERTED = (0.80, 0.88)  # what a diverting run keeps of Dy or Tb (ELEMENT_DIVERTED's ratio is 0.90)
LOW_YIELD_MARGIN = 0.955  # and its REO yield stays above this (LOW_YIELD's floor is 0.95)


def magnet_yields(rng: random.Random, held: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """What a magnet run puts out of the elements it took in: the magnets (96.5-98.5 %; Dy and Tb,
    lost more in grain-boundary treatment, 94-98 %), and in some runs the grinding swarf it keeps
    apart for recycling (0.4-1.2 %)."""
    out = {e: kg * rng.uniform(*(HEAVY_YIELD if e in ("Dy", "Tb") else MAGNET_YIELD)) for e, kg in held.items()}
    swarf: dict[str, float] = {}
    if rng.random() < SWARF_SHARE:
        swarf = {e: kg * rng.uniform(0.004, 0.012) for e, kg in held.items()}
        if sum(swarf.values()) < 0.3:
            swarf = {}
    return out, swarf


def divertible(held: dict[str, float]) -> list[str]:
    """The controlled elements of a magnet run worth diverting: 1.5 kg or more taken in."""
    return [e for e in ("Dy", "Tb") if held.get(e, 0.0) >= 1.5]


def divert(
    rng: random.Random, element: str, held: dict[str, float], out: dict[str, float], swarf: dict[str, float]
) -> bool:
    """ELEMENT_DIVERTED: of `element`, the magnets and swarf together keep only 80-88 %; Nd and Pr
    dominate, so the REO yield still passes LOW_YIELD's floor. False (nothing changed) when it
    would not."""
    before = out[element]
    out[element] = held[element] * rng.uniform(*DIVERTED) - swarf.get(element, 0.0)
    if reo_kg(out) + reo_kg(swarf) < LOW_YIELD_MARGIN * reo_kg(held):
        out[element] = before
        return False
    return True


def swarf_lot(world: World, maker: Actor, swarf: dict[str, float]) -> dict[str, Any]:
    mass = round(sum(swarf.values()) / world.rng.uniform(*SCRAP_RE), 3)
    return world.new_lot(maker, "scrap_swarf", mass, composition_of(swarf, mass))[1]


def import_scrap(world: World, recycler: Actor, mass: float) -> dict[str, Any]:
    """An import of end-of-life magnets; returns the event."""
    rng = world.rng
    re_share = rng.uniform(*SCRAP_RE)
    shares = {e: s * rng.uniform(0.9, 1.1) for e, s in MAGNET_RE.items()}
    total = sum(shares.values())
    composition = composition_of({e: s / total * re_share for e, s in shares.items()}, 1.0)
    _, out = world.new_lot(recycler, "scrap_magnet", mass, composition)
    country, port = SCRAP_FROM[rng.randrange(len(SCRAP_FROM))]
    return world.emit(
        recycler, "import", origin_country=country, customs_declaration=world.declaration(port, "1"), outputs=[out]
    )


def feed_ready(world: World, recycler: Actor, passed_off: set[str]) -> list[Holding]:
    """What a recycler would put into a run today: its scrap, and what it passes off as scrap (only
    together with genuine scrap, and first); empty when it has not gathered enough."""
    ready = world.ready(recycler)
    scrap = [h for h in ready if h.form == "scrap"]
    if not scrap:
        return []
    feed = [h for h in ready if h.lot in passed_off] + scrap
    if sum(h.mass for h in feed) >= BATCH_KG or world.day - min(h.ready for h in feed) >= WAIT_DAYS:
        return feed[:MOST_LOTS]
    return []


def recycle(world: World, recycler: Actor, feed: list[Holding]) -> dict[str, Any]:
    """A recycling run of the lots in `feed`, its recovered oxides stocked; returns the event."""
    held: dict[str, float] = {}
    inputs = []
    for h in feed:
        add_into(held, elements_in(h.mass, h.composition))
        inputs.append(world.take_all(recycler, h))
    recovered = {e: kg * world.rng.uniform(*RECOVERY) for e, kg in held.items()}
    total = product_mass(recovered, "mc_REC")
    composition = composition_of(recovered, total)
    outputs = []
    for mass in split_mass(world.rng, total, RECOVERED_KG):
        h, out = world.new_lot(recycler, "mc_REC", mass, composition)
        world.keep(recycler, h)
        outputs.append(out)
    return world.emit(recycler, "transform", process="recycling", inputs=inputs, outputs=outputs)


SCRAP_IMPORTS_PER_DAY = 0.02  # a demo recycler's imports of end-of-life magnets, at scale 1


def recycler_day(world: World, recycler: Actor, plan: Plan, acc: dict[str, float]) -> None:
    """The demo's recycler: imports scrap now and then and recycles what it gathered; the PrNd
    oxide of the RECYCLING_IMPLAUSIBLE injection goes in with its scrap."""
    if 5 <= world.day <= world.day_of(*LAST_RUN):
        acc[recycler.key] += SCRAP_IMPORTS_PER_DAY * max(world.scale, 0.5)
        if acc[recycler.key] >= 1:
            acc[recycler.key] -= 1
            import_scrap(world, recycler, float(world.rng.randrange(2_000, 8_000)))
        passed_off = {plan.state["scrap_oxide"]} if "scrap_oxide" in plan.state else set()
        feed = feed_ready(world, recycler, passed_off)
        if feed:
            event = recycle(world, recycler, feed)
            fake = [i["lot"] for i in event["inputs"] if i["lot"] in passed_off]
            if fake:
                plan.record(
                    "RECYCLING_IMPLAUSIBLE",
                    recycler.uscc,
                    None,
                    world.ref(recycler, event),
                    f"{fake[0]} (PrNd oxide, from ore) fed into a recycling run as scrap with "
                    f"{len(event['inputs']) - 1} lot(s) of genuine scrap",
                )
                del plan.state["scrap_oxide"]
