"""Registered capacities of producing sites (t REO a calendar year), sized when the year is over
from what each site produced, as CAPACITY_EXCEEDED counts it (CONTRACT §12).

Clean operation stays under: most sites have room (capacity 1.15-1.5 × output), a quarter run
close to it (output 90-99 % of capacity), the near misses a rule must let pass. A site chosen
to exceed it gets a capacity of 1/1.02-1/1.08 of its output, placed between two of its events
so that the event at which the running total first exceeds it is beyond doubt.
"""

from __future__ import annotations

import math
import random

ROOM = (1.15, 1.5)  # capacity as a multiple of the output of a site with room
NEAR_SHARE = 0.25  # share of sites that run close to their capacity
NEAR = (0.90, 0.99)  # their output as a share of capacity
OVER = (1.02, 1.08)  # output as a multiple of capacity, for a site that exceeds it


def _up(tonnes: float) -> float:
    return math.ceil(tonnes * 1000) / 1000


def clean_capacities(rng: random.Random, output_kg: dict[str, float]) -> dict[str, float]:
    """The capacities (t REO, to the kg) of sites that stay under them, by site: a quarter of them
    (at least one) close to their output, the rest with room."""
    sites = sorted(output_kg)
    near = set(rng.sample(sites, min(len(sites), max(1, round(len(sites) * NEAR_SHARE)))))
    return {
        site: _up(output_kg[site] / 1000 / rng.uniform(*NEAR))
        if site in near
        else _up(output_kg[site] / 1000 * rng.uniform(*ROOM))
        for site in sites
    }


def exceeded_capacity(rng: random.Random, steps: list[tuple[float, str]]) -> tuple[float, str] | None:
    """For a site whose running output after each event is `steps` (kg REO, event reference): a
    capacity it exceeds by 2-8 % by the year's end, and the event at which it first does. None
    when the site made too little to exceed it late in the year."""
    if len(steps) < 3:
        return None
    total = steps[-1][0]
    mark = total / rng.uniform(*OVER)
    first = next(i for i, (running, _) in enumerate(steps) if running > mark)
    if first == 0:
        return None
    capacity = (steps[first - 1][0] + steps[first][0]) / 2 / 1000
    for digits in (3, 6):  # to the kg when that still falls between the two events
        rounded = round(capacity, digits)
        if steps[first - 1][0] < rounded * 1000 < steps[first][0]:
            return rounded, steps[first][1]
    return capacity, steps[first][1]
