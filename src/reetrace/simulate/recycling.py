"""Recyclers of a national year: they take in magnet makers' grinding swarf and imported
end-of-life magnets and recover rare earth oxides from them (`recycling` transforms).

That is genuine scrap: everything in it descends from metal, alloy or magnets, or was imported
as scrap. The injected RECYCLING_IMPLAUSIBLE is separated oxide, straight from ore, that a plant
sells to a recycler and the recycler feeds in with its scrap (CONTRACT §12).
"""

from __future__ import annotations

from reetrace.demo.cast import Actor
from reetrace.demo.chain import Holding
from reetrace.demo.chemistry import SCRAP_RE, add_into, composition_of, elements_in, product_mass, split_mass
from reetrace.demo.downstream import LAST_RUN
from reetrace.demo.upstream import LAST_EXTRACT
from reetrace.simulate.state import PACKAGE_KG, YearState

SCRAP_IMPORT_T = 6_000  # t of magnet scrap imported in a national year
SCRAP_FROM = [("JP", "4201"), ("DE", "2201"), ("KR", "4201"), ("VN", "5301"), ("US", "2201")]
RECOVERY = (0.92, 0.97)  # of each element a recycling run recovers
BATCH_KG = 300  # scrap a recycler gathers before a run
MOST_LOTS = 40  # lots in one run
WAIT_DAYS = 10  # a run starts anyway when its oldest lot has waited this long
# a magnet's rare earths, as shares of their mass (Nd, Pr, Dy, Tb; the rest is iron and boron)
MAGNET_RE = {"Nd": 0.74, "Pr": 0.22, "Dy": 0.03, "Tb": 0.01}


def recycler_day(state: YearState, recycler: Actor) -> None:
    _import_scrap(state, recycler)
    world = state.world
    ready = world.ready(recycler)
    scrap = [h for h in ready if h.form == "scrap"]
    if not scrap or world.day > world.day_of(*LAST_RUN):
        return  # oxide passed off as scrap goes in only with genuine scrap
    feed = [h for h in ready if h.lot in state.fed_as_scrap] + scrap
    if sum(h.mass for h in feed) >= BATCH_KG or world.day - min(h.ready for h in feed) >= WAIT_DAYS:
        _recycle(state, recycler, feed[:MOST_LOTS])


def _import_scrap(state: YearState, recycler: Actor) -> None:
    world, rng = state.world, state.world.rng
    if world.day < 5 or world.day > world.day_of(*LAST_EXTRACT):
        return
    key = "scrap:" + recycler.key
    state.accrued_kg[key] += SCRAP_IMPORT_T * 1000 * world.scale * recycler.share / 340 * rng.uniform(0.5, 1.5)
    mass = float(rng.randrange(2_000, 8_000))
    if state.accrued_kg[key] < mass:
        return
    state.accrued_kg[key] -= mass
    re_share = rng.uniform(*SCRAP_RE)
    shares = {e: s * rng.uniform(0.9, 1.1) for e, s in MAGNET_RE.items()}
    total = sum(shares.values())
    composition = composition_of({e: s / total * re_share for e, s in shares.items()}, 1.0)
    _, out = world.new_lot(recycler, "scrap_magnet", mass, composition)
    country, port = SCRAP_FROM[rng.randrange(len(SCRAP_FROM))]
    world.emit(
        recycler,
        "import",
        origin_country=country,
        customs_declaration=world.declaration(port, "1"),
        outputs=[out],
    )


def _recycle(state: YearState, recycler: Actor, feed: list[Holding]) -> None:
    world, rng = state.world, state.world.rng
    held: dict[str, float] = {}
    inputs = []
    for h in feed:
        add_into(held, elements_in(h.mass, h.composition))
        inputs.append(world.take_all(recycler, h))
    recovered = {e: kg * rng.uniform(*RECOVERY) for e, kg in held.items()}
    total = product_mass(recovered, "mc_REC")
    composition = composition_of(recovered, total)
    outputs = []
    for mass in split_mass(rng, total, PACKAGE_KG["mc_REC"]):
        h, out = world.new_lot(recycler, "mc_REC", mass, composition)
        world.keep(recycler, h)  # recovered oxides are stocked
        outputs.append(out)
        state.tally["recycled"] += mass
    event = world.emit(recycler, "transform", process="recycling", inputs=inputs, outputs=outputs)
    fake = [i["lot"] for i in inputs if i["lot"] in state.fed_as_scrap]
    for lot in fake:
        state.fed_as_scrap.discard(lot)
    if fake:
        state.injections.record(
            "RECYCLING_IMPLAUSIBLE",
            recycler.uscc,
            None,
            state.ref(recycler, event),
            f"{', '.join(fake)} (separated oxide, from ore) fed into a recycling run as scrap with "
            f"{len(inputs) - len(fake)} lot(s) of genuine scrap",
        )
