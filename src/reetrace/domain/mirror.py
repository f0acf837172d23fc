"""Mirror statistics: what partner countries recorded importing from China, against what was
declared here for export to them (Fisman & Wei, JPE 2004).

For each HS6 code, partner and year, the partner-recorded kilograms are set beside the net
kilograms of the customs declarations' items for that destination, that year, whose ten-digit
code begins with the HS6 code (a declaration of several items counts under each item's code).
The *gap* is partner minus declared; the Fisman–Wei gap is log(1 + partner kg) − log(1 +
declared kg). A partner-year the partner reported on is taken as complete: a code declared here
that it did not record counts as zero recorded.

Misdeclaration into a neighbouring code shows as gaps of opposite sign in codes of one heading
for one partner and year (more recorded than declared in one, less in the other): such rows are
marked `neighbouring`, each naming the codes that move against it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reetrace.domain.customs import Declaration

# A gap counts toward `neighbouring` when it is at least this share of the larger figure.
SIGNIFICANT_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class MirrorStatistic:
    """One partner country's recorded imports from China of one HS6 code in one year."""

    year: int
    partner: str  # ISO 3166 alpha-2 of the reporting importer
    hs6: str
    kg: float
    value_usd: float | None = None

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.year, self.partner, self.hs6)


@dataclass(slots=True)
class MirrorGap:
    hs6: str
    partner: str
    year: int
    partner_kg: float
    declared_kg: float
    declarations: int
    partner_value_usd: float | None = None
    neighbouring: list[str] = field(default_factory=list)

    @property
    def gap_kg(self) -> float:
        return self.partner_kg - self.declared_kg

    @property
    def log_gap(self) -> float:
        return math.log1p(self.partner_kg) - math.log1p(self.declared_kg)

    @property
    def heading(self) -> str:
        return self.hs6[:4]

    def significant(self, share: float = SIGNIFICANT_SHARE) -> int:
        """+1 or −1 for a gap that matters, 0 for one within noise."""
        if abs(self.gap_kg) < share * max(self.partner_kg, self.declared_kg) or self.gap_kg == 0:
            return 0
        return 1 if self.gap_kg > 0 else -1

    def as_json(self) -> dict[str, Any]:
        return {
            "hs6": self.hs6,
            "partner": self.partner,
            "year": self.year,
            "partner_kg": round(self.partner_kg, 3),
            "partner_value_usd": self.partner_value_usd,
            "declared_kg": round(self.declared_kg, 3),
            "declarations": self.declarations,
            "gap_kg": round(self.gap_kg, 3),
            "log_gap": round(self.log_gap, 6),
            "neighbouring": list(self.neighbouring),
        }


def mirror_gaps(
    statistics: Iterable[MirrorStatistic],
    declarations: Iterable[Declaration],
    year: int | None = None,
    share: float = SIGNIFICANT_SHARE,
) -> list[MirrorGap]:
    """One row per HS6 × partner × year that the partner reported on, largest gap (in kg, either
    sign) first; ties in a fixed order."""
    rows: dict[tuple[int, str, str], MirrorGap] = {}
    reported: set[tuple[int, str]] = set()
    for s in statistics:
        if year is not None and s.year != year:
            continue
        rows[s.key] = MirrorGap(s.hs6, s.partner, s.year, s.kg, 0.0, 0, s.value_usd)
        reported.add((s.year, s.partner))
    for d in declarations:
        if (d.day.year, d.destination) not in reported:
            continue  # the partner reported nothing that year: nothing to compare with
        counted: set[str] = set()  # a declaration counts once per code, however many items it has there
        for item in d.items:
            key = (d.day.year, d.destination, item.hs6)
            row = rows.get(key)
            if row is None:
                row = rows[key] = MirrorGap(item.hs6, d.destination, d.day.year, 0.0, 0.0, 0)
            row.declared_kg += item.net_kg
            if item.hs6 not in counted:
                counted.add(item.hs6)
                row.declarations += 1
    _mark_neighbours(rows.values(), share)
    return sorted(rows.values(), key=lambda r: (-abs(r.gap_kg), -r.gap_kg, r.hs6, r.partner, r.year))


def _mark_neighbours(rows: Iterable[MirrorGap], share: float) -> None:
    groups: dict[tuple[int, str, str], list[MirrorGap]] = defaultdict(list)
    for row in rows:
        if row.significant(share):
            groups[(row.year, row.partner, row.heading)].append(row)
    for group in groups.values():
        for row in group:
            row.neighbouring = sorted(o.hs6 for o in group if o.significant(share) == -row.significant(share))


def mirror_document(gaps: list[MirrorGap], year: int | None) -> dict[str, Any]:
    return {"format": "reetrace/mirror-report@1", "year": year, "rows": [g.as_json() for g in gaps]}
