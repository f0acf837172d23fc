"""A synthetic but realistic year of the rare earth chain, with a handful of injected violations.

`generate(seed, scale, year)` is deterministic: the same arguments give the same documents, byte
for byte. It uses one `random.Random(seed)`, no global state and no clock.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from reetrace.demo import documents
from reetrace.demo.cast import build_cast
from reetrace.demo.chain import World
from reetrace.demo.downstream import consumer_day, magnet_day, trader_day
from reetrace.demo.exports import License, exporter_day, issue_licenses, size_licenses
from reetrace.demo.recycling import recycler_day
from reetrace.demo.schemes import layered_receipt
from reetrace.demo.upstream import import_day, metal_day, mine_day, separation_day
from reetrace.demo.violations import Plan
from reetrace.domain.controls import ControlList


@dataclass(frozen=True)
class DemoYear:
    seed: int
    scale: float
    year: int
    registry: dict[str, Any]
    submissions: list[dict[str, Any]]
    injected: list[dict[str, Any]]

    @property
    def event_count(self) -> int:
        return sum(len(s["events"]) for s in self.submissions)

    @property
    def injected_codes(self) -> list[str]:
        return sorted({item["code"] for item in self.injected})


def control_list() -> ControlList:
    text = resources.files("reetrace.data").joinpath("control_list.json").read_text(encoding="utf-8")
    return ControlList.from_document(json.loads(text))


def generate(seed: int = 7, scale: float = 1.0, year: int = 2025) -> DemoYear:
    if not scale > 0:
        raise ValueError("scale must be above zero")
    controls = control_list()
    if not controls.classify("magnet", {"Dy": 0.01}, date(year, 6, 3)):
        raise ValueError(f"in {year} no export control covers Dy magnets: the demo needs a year from 2025")
    rng = random.Random(seed)
    world = World(rng, year, scale, build_cast(rng, seed, scale, year), controls)
    plan = Plan(year)
    licenses = issue_licenses(world)
    _simulate(world, plan, licenses)
    world.assign_times()
    size_licenses(world, licenses, plan)
    docs = documents.submissions(world, plan)
    registry = documents.registry(world, plan, licenses)
    missing = plan.missing()
    if missing:
        raise ValueError(f"scale {scale} is too small to inject {', '.join(missing)}")
    return DemoYear(seed, scale, year, registry, docs, plan.injected)


def _simulate(world: World, plan: Plan, licenses: list[License]) -> None:
    extracted: dict[str, float] = defaultdict(float)
    imported: dict[str, float] = defaultdict(float)
    checked: set[str] = set()
    world.output_steps[plan.actor_of("CAPACITY_EXCEEDED")] = []
    for day in range(world.days):
        world.day = day
        for shipment, receipt in world.deliver():
            layered_receipt(world, plan, shipment, receipt)
            if shipment.shipment == plan.state.get("circular_return"):
                lot = plan.state["circular_lot"]
                plan.record(
                    "CIRCULAR_TRADE",
                    shipment.receiver.uscc,
                    lot,
                    world.ref(shipment.receiver, receipt),
                    f"{lot} went from {shipment.receiver.name_en} to {shipment.sender.name_en} and back",
                )
        for actor in world.actors:
            match actor.role:
                case "mine":
                    mine_day(world, actor, plan, extracted)
                case "separation":
                    if actor.key.startswith("gzs"):
                        import_day(world, actor, imported)
                    separation_day(world, actor, plan, checked)
                case "metal":
                    metal_day(world, actor, plan)
                case "magnet":
                    magnet_day(world, actor, plan)
                case "exporter":
                    exporter_day(world, actor, plan, licenses)
                case "trader":
                    trader_day(world, actor, plan)
                case "recycler":
                    recycler_day(world, actor, plan, imported)
                case "motor" | "polishing":
                    consumer_day(world, actor)


def write(demo: DemoYear, directory: Path | str) -> None:
    """Write `registry.json`, `submissions/<reporter>/<YYYY-MM>.json` and `injected.json`."""
    documents.write_files(Path(directory), demo.registry, demo.submissions, demo.injected)
