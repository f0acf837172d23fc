"""The national flow of rare earths through the chain in a year, in kilograms of REO, for a
Sankey diagram: mine → separation → metal/alloy → magnet → export or domestic use.

Material is followed by the stage of the event that created each lot (an extract: the mine;
an import; a transform: the stage of its process; a repack keeps the stage of what it repacks).
A transform draws REO from the stage of each input lot into the stage of its process; an export
takes what the lot holds then; a consumption takes what it draws. Within a stage nothing flows
(beneficiation stays at the mine; an alloy made of metal stays with metal and alloy). What a
stage received or produced but did not pass on is its stock and losses; what it passed on
beyond what the year brought it (lots made before the year, or of unknown origin) comes from
*earlier or unknown*. So every stage between the sources and the sinks balances exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from reetrace.domain.elements import reo_per_kg
from reetrace.domain.events import Adjust, Consume, Event, Export, Extract, Import, Transform

SOURCES = ("mine", "import", "earlier")
STAGES = ("separation", "recycling", "metal_alloy", "other", "magnet")
SINKS = ("export", "domestic_use", "stock")
NODES = SOURCES + STAGES + SINKS
# column of each node in the diagram, left to right
COLUMN = {
    "mine": 0,
    "import": 0,
    "earlier": 0,
    "separation": 1,
    "recycling": 1,
    "metal_alloy": 2,
    "other": 2,
    "magnet": 3,
    "export": 4,
    "domestic_use": 4,
    "stock": 4,
}
_PROCESS_STAGE = {
    "beneficiation": "mine",
    "separation": "separation",
    "metal": "metal_alloy",
    "alloy": "metal_alloy",
    "magnet": "magnet",
    "recycling": "recycling",
    "other": "other",
}


@dataclass(slots=True)
class NationalFlow:
    year: int
    links: dict[tuple[str, str], float] = field(default_factory=dict)  # (from, to) -> kg REO
    produced: dict[str, float] = field(default_factory=dict)  # sources: REO extracted / imported

    def into(self, node: str) -> float:
        return sum(kg for (_, to), kg in self.links.items() if to == node)

    def out_of(self, node: str) -> float:
        return sum(kg for (frm, _), kg in self.links.items() if frm == node)

    def nodes(self) -> list[str]:
        used = {n for link in self.links for n in link}
        return [n for n in NODES if n in used]


class FlowCounter:
    """Fed the year's events (and earlier ones, for the lots they made) in event-time order."""

    def __init__(self, year: int, utc_offset_hours: int = 8) -> None:
        from datetime import timedelta, timezone

        self.year = year
        self._zone = timezone(timedelta(hours=utc_offset_hours))
        self._stage: dict[str, str] = {}
        self._reo: dict[str, float] = {}  # kg REO per kg of the lot
        self._remaining: dict[str, float] = {}
        self._links: dict[tuple[str, str], float] = defaultdict(float)
        self._produced: dict[str, float] = defaultdict(float)

    def add(self, event: Event) -> None:
        counted = event.time.astimezone(self._zone).year == self.year
        if isinstance(event, (Extract, Import)):
            stage = "mine" if isinstance(event, Extract) else "import"
            for lot in event.outputs:
                self._made(lot.lot, stage, lot.mass_kg, lot.composition)
                if counted:
                    self._produced[stage] += lot.mass_kg * reo_per_kg(lot.composition)
        elif isinstance(event, Transform):
            stages = [self._stage.get(d.lot, "earlier") for d in event.inputs]
            stage = _PROCESS_STAGE.get(event.process) or (stages[0] if stages else "other")
            for draw, source in zip(event.inputs, stages, strict=True):
                self._take(draw.lot, draw.mass_kg, source, stage, counted)
            for lot in event.outputs:
                self._made(lot.lot, stage, lot.mass_kg, lot.composition)
        elif isinstance(event, Export):
            for lot_id in event.lots:
                self._take(
                    lot_id, self._remaining.get(lot_id, 0.0), self._stage.get(lot_id, "earlier"), "export", counted
                )
        elif isinstance(event, Consume):
            for draw in event.lots:
                self._take(draw.lot, draw.mass_kg, self._stage.get(draw.lot, "earlier"), "domestic_use", counted)
        elif isinstance(event, Adjust):
            self._remaining[event.lot] = max(0.0, self._remaining.get(event.lot, 0.0) + event.delta_kg)

    def _made(self, lot: str, stage: str, mass_kg: float, composition: dict[str, float]) -> None:
        if lot in self._stage:  # a second creation (DUPLICATE_LOT): the first stands
            return
        self._stage[lot] = stage
        self._reo[lot] = reo_per_kg(composition)
        self._remaining[lot] = mass_kg

    def _take(self, lot: str, mass_kg: float, source: str, target: str, counted: bool) -> None:
        self._remaining[lot] = max(0.0, self._remaining.get(lot, 0.0) - mass_kg)
        if counted and source != target and lot in self._reo:
            self._links[(source, target)] += mass_kg * self._reo[lot]

    def result(self) -> NationalFlow:
        return balanced(self.year, dict(self._links), dict(self._produced))


def balanced(year: int, links: dict[tuple[str, str], float], produced: dict[str, float]) -> NationalFlow:
    """The flow with every stage balanced: surplus to stock and losses, shortfall from earlier."""
    flow = NationalFlow(year, {k: v for k, v in links.items() if v > 0}, produced)
    for node in SOURCES[:2] + STAGES:
        surplus = flow.into(node) + produced.get(node, 0.0) - flow.out_of(node)
        if surplus > 1e-9:
            flow.links[(node, "stock")] = flow.links.get((node, "stock"), 0.0) + surplus
        elif surplus < -1e-9:
            flow.links[("earlier", node)] = flow.links.get(("earlier", node), 0.0) - surplus
    return flow


def national_flow(events: Iterable[Event], year: int, utc_offset_hours: int = 8) -> NationalFlow:
    counter = FlowCounter(year, utc_offset_hours)
    for event in events:
        counter.add(event)
    return counter.result()
