"""A national year of the rare earth chain (or a fraction of one), streamed to disk.

`simulate(directory, seed, scale, year)` is deterministic: the same arguments give the same
files, byte for byte (one `random.Random(seed)`, no clock). Day by day the enterprises work;
when a month is over each enterprise's month is signed and written to
`submissions/<USCC>/<YYYY-MM>.json` (or, for `epcis_share` of enterprise-months, as an EPCIS
document `<YYYY-MM>.jsonld` with its detached JWS `<YYYY-MM>.jsonld.jws`), so that memory holds
only what is still live. At the end
come `registry.json` (quotas and licenses are known then), `injected.json` and `summary.json`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from reetrace.demo.capacity import clean_capacities, exceeded_capacity
from reetrace.demo.cast import PRODUCING, Actor
from reetrace.demo.generator import control_list
from reetrace.domain.controls import ControlList
from reetrace.simulate import documents
from reetrace.simulate.calibration import Calibration, calibrate
from reetrace.simulate.cast import allocate, build_cast
from reetrace.simulate.downstream import magnet_day, metal_day, ship_products, trader_day, user_day
from reetrace.simulate.exports import exporter_day, issue_licenses, size_all
from reetrace.simulate.injections import EVASION, Injections
from reetrace.simulate.recycling import recycler_day
from reetrace.simulate.schemes import layered_receipt, plan_capacity_overruns
from reetrace.simulate.state import YearState
from reetrace.simulate.upstream import IMPORT_SHARE, import_day, mine_day, separation_day
from reetrace.simulate.world import StreamingWorld

Progress = Callable[[int, int, int], None]  # days done, days in the year, events so far
MonthDone = Callable[[int], None]  # a month's submissions are on disk
MOST_EVASION_RATE = 100.0  # beyond it most opportunities would be taken: no longer a disguise


@dataclass(frozen=True)
class SimulatedYear:
    directory: Path
    calibration: Calibration
    summary: dict[str, Any]
    injected: list[dict[str, Any]]

    @property
    def events(self) -> int:
        return self.summary["events"]


def evasion_boost(rate: float) -> dict[str, float]:
    """The five schemes' rates multiplied by `rate`; ValueError outside (0, MOST_EVASION_RATE]."""
    if not 0 < rate <= MOST_EVASION_RATE:
        raise ValueError(f"the evasion rate must be above 0 and at most {MOST_EVASION_RATE:g}, not {rate:g}")
    return {code: rate for code in EVASION} if rate != 1 else {}


def check_epcis_share(share: float) -> None:
    """ValueError unless `share` is a fraction of enterprise-months, from 0 to 1."""
    if not 0 <= share <= 1:
        raise ValueError(f"the EPCIS share must be from 0 to 1, not {share:g}")


def simulate(
    directory: Path | str,
    seed: int = 7,
    scale: float = 1.0,
    year: int = 2025,
    progress: Progress | None = None,
    on_month: MonthDone | None = None,
    evasion_rate: float = 1.0,
    epcis_share: float = 0.0,
) -> SimulatedYear:
    """Simulate `scale` of a national `year` into `directory`, the five evasion schemes injected
    at `evasion_rate` times their rates, `epcis_share` of enterprise-months reported in EPCIS
    (the same year, events and signing times whatever the share). ValueError on arguments it
    cannot simulate."""
    boost = evasion_boost(evasion_rate)
    check_epcis_share(epcis_share)
    calibration, controls = prepare(year, scale)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cast = build_cast(rng, seed, scale, year)
    world = StreamingWorld(
        rng, year, scale, cast.actors, controls, directory=directory, epcis_share=epcis_share, seed=seed
    )
    state = YearState(world, cast, calibration, Injections(rng, year, boost))
    _plan(state, scale)
    issue_licenses(state)
    for day in range(world.days):
        _day(state, day)
        today = world.date(day)
        if day == world.days - 1 or world.date(day + 1).month != today.month:

            def is_late(_: Actor, today: date = today) -> bool:
                return state.injections.chance("LATE_REPORT", today)

            def on_late(actor: Actor, created: str, today: date = today) -> None:
                state.injections.record(
                    "LATE_REPORT",
                    actor.uscc,
                    note=f"events of {year}-{today.month:02d} sent on {created[:10]}, after the deadline of the 10th",
                )

            world.flush_month(today.month, is_late, on_late)
            if on_month:
                on_month(today.month)
        if progress:
            progress(day + 1, world.days, world.event_count)
    size_all(state)
    _capacities(state)
    for key in state.overrun:
        used, quota = world.extracted_reo[key] / 1000, state.quota_t[key]
        if used > quota:
            state.injections.record(
                "MINING_QUOTA_EXCEEDED",
                world.by_key[key].uscc,
                note=f"extracted {used:,.3f} t REO against a quota of {quota:,.3f} t",
            )
    summary = documents.summary(state, seed, scale)
    documents.write_json(directory / "registry.json", documents.registry(state))
    documents.write_json(directory / "injected.json", state.injections.injected)
    documents.write_json(directory / "summary.json", summary)
    return SimulatedYear(directory, calibration, summary, state.injections.injected)


def _capacities(state: YearState) -> None:
    """Every producing site's registered capacity, sized on what it produced; the plants chosen
    to exceed theirs get one they exceed by 2-8 %, with the event that first went over recorded."""
    world, rng = state.world, state.world.rng
    for key in state.capacity_over:
        over = exceeded_capacity(rng, world.output_steps[key])
        if over is None:
            continue
        capacity, event = over
        state.capacity_t[key] = capacity
        output = world.site_output[key] / 1000
        state.injections.record(
            "CAPACITY_EXCEEDED",
            world.by_key[key].uscc,
            None,
            event,
            f"{output:,.3f} t REO produced against a registered capacity of {capacity:,.3f} t "
            f"({output / capacity:.1%}), first exceeded at {event}",
        )
    clean = {
        a.key: world.site_output[a.key]
        for a in world.actors
        if a.role in PRODUCING and a.key not in state.capacity_t and world.site_output[a.key] > 0
    }
    state.capacity_t.update(clean_capacities(rng, clean))


def prepare(year: int, scale: float) -> tuple[Calibration, ControlList]:
    """The calibration and control list of a simulation; ValueError when it cannot be run."""
    if not 0 < scale <= 1:
        raise ValueError("scale must be above 0 and at most 1 (a national year)")
    calibration = calibrate(year)
    controls = control_list()
    if not controls.classify("magnet", {"Dy": 0.01}, date(year, 6, 3)):
        raise ValueError(f"in {year} no export control covers Dy magnets: simulate a year from 2025")
    return calibration, controls


def _day(state: YearState, day: int) -> None:
    world = state.world
    world.day = day
    for shipment, receipt in world.deliver():
        if state.layered_returns:
            layered_receipt(state, shipment, receipt)
        lot = state.returns.pop(shipment.shipment, None)
        if lot is not None:
            state.injections.record(
                "CIRCULAR_TRADE",
                shipment.receiver.uscc,
                lot,
                state.ref(shipment.receiver, receipt),
                f"{lot} went from {shipment.receiver.name_en} to {shipment.sender.name_en} and back",
            )
    for actor in world.actors:
        match actor.role:
            case "mine":
                mine_day(state, actor)
            case "separation":
                import_day(state, actor)
                separation_day(state, actor)
                ship_products(state, actor)
            case "metal":
                metal_day(state, actor)
            case "magnet":
                magnet_day(state, actor)
            case "exporter":
                exporter_day(state, actor)
            case "trader":
                trader_day(state, actor)
            case "recycler":
                recycler_day(state, actor)
            case _:
                user_day(state, actor)
    world.end_day()


def _plan(state: YearState, scale: float) -> None:
    """Quotas that add up to the national totals, each mine's target, the plants' imports, and
    the mines that will overrun their quota or mine after their qualification lapses."""
    world, rng, cal, injections = state.world, state.world.rng, state.calibration, state.injections
    unit = 1.0 if scale >= 0.1 else 0.001  # whole tonnes, or kilograms for a small fraction of a year
    mines = world.by_role["mine"]
    for ion, total in ((False, cal.rock_t * scale), (True, cal.ion_t * scale)):
        group = [m for m in mines if (m.deposit == "ion") == ion]
        for mine, tonnes in zip(group, allocate(total, [m.share for m in group], unit), strict=True):
            state.quota_t[mine.key] = tonnes
    pools = ("bayan_obo", "sichuan", "ion")
    feed = [
        sum(state.quota_t[m.key] for m in mines if m.deposit == d) * (1 + IMPORT_SHARE * (d == "ion")) for d in pools
    ]
    for deposit, tonnes in zip(pools, allocate(cal.separation_t * scale, feed, unit), strict=True):
        plants = [p for p in world.by_role["separation"] if p.deposit == deposit]
        for plant, share in zip(plants, allocate(tonnes, [p.share for p in plants], unit), strict=True):
            state.quota_t[plant.key] = share
            if deposit == "ion":
                state.import_kg[plant.key] = IMPORT_SHARE * cal.ion_t * scale * 1000 * plant.share
    national = cal.mining_t * scale
    small = [m for m in mines if state.quota_t[m.key] < 0.1 * national]
    over = rng.sample(small, min(len(small), injections.per_volume("MINING_QUOTA_EXCEEDED", national)))
    for mine in over:
        state.overrun[mine.key] = rng.uniform(1.06, 1.14)
    lapsing = [m for m in small if m.deposit == "ion" and m.key not in state.overrun]
    for mine in rng.sample(lapsing, min(len(lapsing), injections.per_volume("UNAUTHORIZED_MINING", national))):
        state.lapse_on[mine.key] = date(world.year, 7, 1) + timedelta(days=rng.randint(0, 100))
    for mine in mines:
        share = state.overrun.get(mine.key) or rng.uniform(0.92, 0.97)
        state.target_kg[mine.key] = state.quota_t[mine.key] * 1000 * share
    plan_capacity_overruns(state)
