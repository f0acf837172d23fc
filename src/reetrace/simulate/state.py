"""What a national year carries from day to day besides the world's lots: quotas and targets,
the injections, licenses, and the tonnages the summary reports."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from reetrace.demo.cast import Actor
from reetrace.demo.chain import Holding
from reetrace.simulate.calibration import Calibration
from reetrace.simulate.cast import Cast
from reetrace.simulate.injections import Injections
from reetrace.simulate.world import StreamingWorld

if TYPE_CHECKING:
    from reetrace.simulate.exports import NationalLicense
    from reetrace.simulate.schemes import LayeredTrip

# The largest packaged lot of each product downstream of separation, kg: one-tonne oxide bags,
# drums of the heavy oxides, drums of metal and alloy on a pallet, magnet cartons on a pallet.
PACKAGE_KG = {
    "ox_La": 1000,
    "ox_Ce": 1000,
    "ox_PrNd": 1000,
    "ox_Y": 1000,
    "ox_Dy": 500,
    "ox_Tb": 250,
    "mc_SEG": 2000,
    "mc_HRE": 2000,
    "m_PrNd": 500,
    "m_Tb": 200,
    "a_DyFe": 500,
    "magnet": 500,
    "mc_REC": 1000,
}


@dataclass
class YearState:
    world: StreamingWorld
    cast: Cast
    calibration: Calibration
    injections: Injections
    quota_t: dict[str, float] = field(default_factory=dict)  # mine or plant -> its quota, tonnes REO
    target_kg: dict[str, float] = field(default_factory=dict)  # mine -> REO it extracts this year
    accrued_kg: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    next_lot: dict[str, tuple[float, dict[str, float]]] = field(default_factory=dict)
    fed_kg: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # plant -> REO sent to it
    import_kg: dict[str, float] = field(default_factory=dict)  # plant -> REO it imports this year
    imported_kg: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    lapse_on: dict[str, date] = field(default_factory=dict)  # mine -> day its qualification is let lapse
    illegal: dict[str, int] = field(default_factory=dict)  # mine -> extractions after the lapse
    overrun: dict[str, float] = field(default_factory=dict)  # mine -> the share of its quota it extracts
    stock_taken: set[str] = field(default_factory=set)  # concentrate lots checked at a plant's gate
    licenses: list[NationalLicense] = field(default_factory=list)
    circular: dict[str, Actor] = field(default_factory=dict)  # lot -> the exporter it must go back to
    returns: dict[str, str] = field(default_factory=dict)  # shipment -> lot, for the circular returns
    tally: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # summary tonnages, kg
    capacity_over: list[str] = field(default_factory=list)  # sites that will exceed their capacity
    capacity_t: dict[str, float] = field(default_factory=dict)  # site -> registered capacity, t REO
    fed_as_scrap: set[str] = field(default_factory=set)  # oxide lots a recycler will feed in as scrap
    tolls: dict[str, Actor] = field(default_factory=dict)  # lot at a toll processor -> whose it is
    toll_back: dict[str, Actor] = field(default_factory=dict)  # processed lot -> whom it goes back to
    layered: dict[str, LayeredTrip] = field(default_factory=dict)  # lot -> the layered round trip it is on
    layered_returns: dict[str, LayeredTrip] = field(default_factory=dict)  # shipment -> the trip it ends
    licensed: dict[tuple[int, tuple[tuple[str, str], ...]], list[Actor]] = field(default_factory=dict)
    _weights: dict[str, tuple[list[Actor], list[float]]] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.world.date()

    def pick(self, role: str, among: Iterable[Actor] | None = None) -> Actor:
        """An enterprise of `role` (or of `among`), drawn by size."""
        if among is not None:
            actors = list(among)
            return self.world.rng.choices(actors, weights=[a.share for a in actors])[0]
        if role not in self._weights:
            actors = self.world.by_role[role]
            self._weights[role] = (actors, list(itertools.accumulate(a.share for a in actors)))
        actors, cumulative = self._weights[role]
        return self.world.rng.choices(actors, cum_weights=cumulative)[0]

    def ref(self, actor: Actor, event: dict[str, Any]) -> str:
        return self.world.ref(actor, event)


def route(
    state: YearState, lots: list[tuple[Actor, Holding]], sender: Actor, most: int, wait: tuple[int, int] = (1, 3)
) -> None:
    """Ship lots to their receivers in shipments of 1 to `most` lots; now and then a shipment is
    never recorded by its receiver (SHIPMENT_NOT_RECEIVED)."""
    world, rng = state.world, state.world.rng
    by_receiver: dict[str, list[Holding]] = defaultdict(list)
    receivers: dict[str, Actor] = {}
    for receiver, h in lots:
        by_receiver[receiver.key].append(h)
        receivers[receiver.key] = receiver
    for key, held in by_receiver.items():
        while held:
            size = rng.randint(1, most)
            part, held = held[:size], held[size:]
            lost = state.injections.chance("SHIPMENT_NOT_RECEIVED", state.today)
            event = world.ship(sender, receivers[key], part, wait=rng.randint(*wait), received=not lost)
            if lost:
                state.injections.record(
                    "SHIPMENT_NOT_RECEIVED",
                    sender.uscc,
                    part[0].lot,
                    state.ref(sender, event),
                    f"{len(part)} lot(s) shipped to {receivers[key].name_en}, never recorded as received",
                )
