"""The violations the demo injects into an otherwise clean year, and the record of them.

Each violation has an enterprise that commits it and a day from which it may happen; the
simulation commits it at the first opportunity after that day (the first lot of the right kind,
the first production run) and records exactly what a correct audit must find: the code, the
enterprise, the lot and the event. Everything not recorded here is clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# code -> (enterprise key, month, day it may start, what happens)
SCHEDULE: dict[str, tuple[str, int, int, str]] = {
    "UNAUTHORIZED_MINING": (
        "pym",
        7,
        1,
        "mining qualification expired on 30 June; the mine kept extracting until sealed",
    ),
    "MINING_QUOTA_EXCEEDED": ("ctt", 1, 1, "the mine extracted more than its ion-adsorption quota"),
    "LARGE_ADJUSTMENT": ("bts", 3, 3, "a concentrate lot written down by about 3 % at a stock-take"),
    "LOW_YIELD": ("btm", 5, 6, "PrNd metal run with a yield of about 0.86: metal diverted off the books"),
    "MASS_BALANCE_VIOLATION": ("gzn", 7, 8, "magnet run whose output holds half as much Dy again as its inputs"),
    "UNKNOWN_LOT": ("nbn", 9, 9, "magnet run drawing DyFe alloy from a lot nobody created"),
    "SHIPMENT_NOT_RECEIVED": ("btk", 10, 14, "La oxide shipped to a trader that never recorded its receipt"),
    "CIRCULAR_TRADE": ("xmx", 6, 10, "a lot sent to a trader and back again"),
    "EXPORT_WITHOUT_LICENSE": ("xmx", 6, 3, "Dy-bearing magnets exported with no license"),
    "LICENSE_EXCEEDED": ("shx", 6, 21, "two Dy oxide exports under one license together exceed its max_kg"),
    "LICENSE_MISMATCH": ("shx", 7, 2, "Dy magnets exported under the Germany license to another destination"),
    "LATE_REPORT": ("btm", 8, 20, "the August submission was sent on 20 September"),
    # the schemes that evade the simple rules (CONTRACT §12), each disguised close to its threshold
    "ELEMENT_DIVERTED": ("btn", 4, 8, "a magnet run kept 80-88 % of the Dy (or Tb) it took in; its REO yield passes"),
    "COMPOSITION_IMPLAUSIBLE": (
        "mnm",
        3,
        12,
        "heavy ion-adsorption ore blended into a rock mine's concentrate, L1 0.33-0.45 from its profile",
    ),
    "RECYCLING_IMPLAUSIBLE": ("gzr", 8, 11, "PrNd oxide from a separation plant fed into a recycling run as scrap"),
    "CAPACITY_EXCEEDED": ("gzm", 1, 1, "a metal works produced 2-8 % more than its registered capacity"),
    "LAYERED_CIRCULAR_TRADE": (
        "shx",
        5,
        12,
        "a lot sent to a trader, repacked, sold to a second trader and back to where it came from",
    ),
}
EXPIRED_MINING_ON = (6, 30)  # the qualification of the UNAUTHORIZED_MINING mine ends here
ILLEGAL_EXTRACTS = 3  # and it extracts this many times more before its site is sealed
QUOTA_OVERRUN = 1.12  # the MINING_QUOTA_EXCEEDED mine extracts 12 % over its quota
UNKNOWN_LOT_ID = "HN-DYFE-{year}-09-0031"  # no enterprise has the HN prefix


@dataclass
class Plan:
    year: int
    injected: list[dict[str, Any]] = field(default_factory=list)
    done: dict[str, bool] = field(default_factory=lambda: {code: False for code in SCHEDULE})
    state: dict[str, Any] = field(default_factory=dict)  # violations that take several steps

    def actor_of(self, code: str) -> str:
        return SCHEDULE[code][0]

    def start(self, code: str) -> date:
        _, month, day, _ = SCHEDULE[code]
        return date(self.year, month, day)

    def due(self, code: str, actor_key: str, today: date) -> bool:
        """Whether this enterprise should commit this violation now (it has not yet)."""
        return not self.done[code] and SCHEDULE[code][0] == actor_key and today >= self.start(code)

    def wants(self, code: str, today: date) -> bool:
        """Whether material should be steered towards this violation's enterprise (it is due
        within a fortnight and not yet committed), so that it happens even at small scales."""
        return not self.done[code] and (self.start(code) - today).days <= 14

    def record(
        self, code: str, enterprise: str, lot: str | None = None, event: str | None = None, note: str | None = None
    ) -> None:
        self.done[code] = True
        self.injected.append(
            {"code": code, "enterprise": enterprise, "lot": lot, "event": event, "note": note or SCHEDULE[code][3]}
        )

    def missing(self) -> list[str]:
        return [code for code, done in self.done.items() if not done]
