"""Violations of a national year, injected at rates per volume, and the record of them.

`RATES` is the one table of rates; `Injections.boost` multiplies some of them (the five schemes
of CONTRACT §12 with `reetrace simulate --evasion-rate`, to measure recall on many cases).

Most kinds are decided at each opportunity (a separation batch, a metal run, a shipment, an
export, a monthly submission) with probability 1 / `per`; the rest per volume of the year
(mining quota holders) or per license. Every kind also happens at least once: when none has
happened by its `force_from` day, the next opportunity is taken, so that a small fraction of a
year still holds one of each.

The record has the demo's format (`code`, `enterprise`, `lot`, `event` as `<USCC>:<event_id>`,
`note`): what a correct audit must find. Everything not recorded is clean.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Rate:
    per: float  # one injection per this many units
    unit: str
    force_from: tuple[int, int] | None  # (month, day) from which the next opportunity is taken if none yet
    what: str


RATES: dict[str, Rate] = {
    "UNAUTHORIZED_MINING": Rate(
        100_000,
        "t REO of mining quota",
        None,
        "a mine's qualification lapses mid-year; it extracts 3 more times until sealed",
    ),
    "MINING_QUOTA_EXCEEDED": Rate(100_000, "t REO of mining quota", None, "a mine extracts 6-14 % more than its quota"),
    "LARGE_ADJUSTMENT": Rate(
        1_500,
        "concentrate lots taken in at separation",
        (3, 1),
        "a concentrate lot written down by 2.5-3.5 % at a stock-take",
    ),
    "MASS_BALANCE_VIOLATION": Rate(
        500,
        "separation batches",
        (4, 1),
        "laundering: illegal ore separated off the books, outputs 12-25 % above inputs",
    ),
    "LOW_YIELD": Rate(
        2_000, "PrNd metal runs", (5, 1), "diversion: a metal run with a yield of about 0.86, the rest off the books"
    ),
    "UNKNOWN_LOT": Rate(10_000, "magnet runs", (9, 1), "a magnet run draws DyFe alloy from a lot nobody created"),
    "SHIPMENT_NOT_RECEIVED": Rate(100_000, "shipments", (10, 1), "a shipment whose receiver never records it"),
    "CIRCULAR_TRADE": Rate(50_000, "lots at exporters", (7, 1), "a lot sent to a trader and straight back"),
    "EXPORT_WITHOUT_LICENSE": Rate(
        5_000, "exports of controlled lots", (7, 1), "Dy/Tb-bearing lots exported with no license"
    ),
    "LICENSE_MISMATCH": Rate(
        10_000, "licensed exports", (8, 1), "an export under a license to a destination the license does not name"
    ),
    "LICENSE_EXCEEDED": Rate(25, "licenses", None, "exports under a license go beyond an item's max_kg"),
    "LATE_REPORT": Rate(800, "monthly submissions", (8, 1), "a month's submission sent after the 10th"),
    # The schemes that evade the simple rules (CONTRACT §12), each disguised close to its threshold.
    "ELEMENT_DIVERTED": Rate(
        20_000,
        "magnet runs drawing 1.5 kg or more of Dy or Tb",
        (4, 1),
        "a magnet run puts out 80-88 % of the Dy (or Tb) it took in; its REO yield still passes",
    ),
    "COMPOSITION_IMPLAUSIBLE": Rate(
        800,
        "extractions at rock mines",
        (3, 1),
        "heavy ion-adsorption ore blended into a rock mine's concentrate, L1 0.33-0.45 from its profile",
    ),
    "RECYCLING_IMPLAUSIBLE": Rate(
        40_000,
        "PrNd, La and Ce oxide lots sold by separation plants",
        (8, 1),
        "separated oxide sold to a recycler and fed into a recycling run with genuine scrap",
    ),
    "CAPACITY_EXCEEDED": Rate(
        50, "producing sites", None, "a plant reports 102-108 % of its registered capacity, over the last weeks"
    ),
    "LAYERED_CIRCULAR_TRADE": Rate(
        50_000,
        "lots at exporters",
        (6, 1),
        "a lot sent to a trader, repacked, sold to a second trader and back to where it came from",
    ),
}


EVASION = (
    "ELEMENT_DIVERTED",
    "COMPOSITION_IMPLAUSIBLE",
    "RECYCLING_IMPLAUSIBLE",
    "CAPACITY_EXCEEDED",
    "LAYERED_CIRCULAR_TRADE",
)


@dataclass
class Injections:
    rng: random.Random
    year: int
    boost: dict[str, float] = field(default_factory=dict)  # code -> times its rate in `RATES`
    injected: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    begun: Counter[str] = field(default_factory=Counter)  # under way, recorded only when they end

    def chance(self, code: str, today: date) -> bool:
        """Whether this opportunity is taken for `code`."""
        rate = RATES[code]
        if self.rng.random() * self.per(code) < 1:
            return True
        start = rate.force_from
        under_way = self.counts[code] + self.begun[code]
        return under_way == 0 and start is not None and today >= date(self.year, *start)

    def begin(self, code: str) -> None:
        """An injection that takes days (a round trip, a lot on its way to be misused) has started:
        no other is forced while it is under way."""
        self.begun[code] += 1

    def per(self, code: str) -> float:
        """One injection of `code` per this many units."""
        boost = self.boost.get(code)
        return RATES[code].per if boost is None else RATES[code].per / boost

    def per_volume(self, code: str, volume: float) -> int:
        """How many for a volume of the year (at least one)."""
        return max(1, round(volume / self.per(code)))

    def record(
        self, code: str, enterprise: str, lot: str | None = None, event: str | None = None, note: str | None = None
    ) -> None:
        self.counts[code] += 1
        self.injected.append(
            {"code": code, "enterprise": enterprise, "lot": lot, "event": event, "note": note or RATES[code].what}
        )

    def missing(self) -> list[str]:
        return [code for code in RATES if not self.counts[code]]
