"""Recyclers of a national year: they take in magnet makers' grinding swarf and import
end-of-life magnets, and recover rare earth oxides from them (`demo/recycling.py`).

The injected RECYCLING_IMPLAUSIBLE is separated oxide, straight from ore, that a plant sells to a
recycler and the recycler feeds in with its genuine scrap (CONTRACT §12).
"""

from __future__ import annotations

from reetrace.demo.cast import Actor
from reetrace.demo.downstream import LAST_RUN
from reetrace.demo.recycling import feed_ready, import_scrap, recycle
from reetrace.demo.upstream import LAST_EXTRACT
from reetrace.simulate.state import YearState

SCRAP_IMPORT_T = 6_000  # t of magnet scrap imported in a national year


def recycler_day(state: YearState, recycler: Actor) -> None:
    world = state.world
    _import_scrap(state, recycler)
    feed = feed_ready(world, recycler, state.fed_as_scrap) if world.day <= world.day_of(*LAST_RUN) else []
    if not feed:
        return
    event = recycle(world, recycler, feed)
    for out in event["outputs"]:
        state.tally["recycled"] += out["mass_kg"]
    fake = [i["lot"] for i in event["inputs"] if i["lot"] in state.fed_as_scrap]
    state.fed_as_scrap.difference_update(fake)
    if fake:
        state.injections.record(
            "RECYCLING_IMPLAUSIBLE",
            recycler.uscc,
            None,
            state.ref(recycler, event),
            f"{', '.join(fake)} (separated oxide, from ore) fed into a recycling run as scrap with "
            f"{len(event['inputs']) - len(fake)} lot(s) of genuine scrap",
        )


def _import_scrap(state: YearState, recycler: Actor) -> None:
    world, rng = state.world, state.world.rng
    if world.day < 5 or world.day > world.day_of(*LAST_EXTRACT):
        return
    key = "scrap:" + recycler.key
    state.accrued_kg[key] += SCRAP_IMPORT_T * 1000 * world.scale * recycler.share / 340 * rng.uniform(0.5, 1.5)
    mass = float(rng.randrange(2_000, 8_000))
    if state.accrued_kg[key] >= mass:
        state.accrued_kg[key] -= mass
        import_scrap(world, recycler, mass)
