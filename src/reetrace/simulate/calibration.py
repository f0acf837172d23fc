"""What a national year is calibrated on: the published national quota totals
(`data/quotas_national.json`, DOMAIN.md).

For year Y the totals of Y are used when they were published, otherwise those of the latest
earlier year that has them (2025's were issued without a public announcement, so 2025 runs on
2024's). The mining quota is split into rock (light) and ion-adsorption (medium/heavy) by the
shares of the latest published category figures at or before that year.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

NATIONAL_FORMAT = "reetrace/national-quotas@1"


@dataclass(frozen=True)
class Calibration:
    year: int  # the simulated year
    source_year: int  # the year whose published totals are used
    mining_t: float  # national mining quota, tonnes REO
    separation_t: float  # national separation quota, tonnes REO
    split_year: int  # the year whose rock / ion-adsorption figures give the split
    ion_share: float  # ion-adsorption share of the mining quota

    @property
    def fallback(self) -> bool:
        return self.source_year != self.year

    @property
    def rock_t(self) -> float:
        return self.mining_t - self.ion_t

    @property
    def ion_t(self) -> float:
        return self.mining_t * self.ion_share

    def describe(self) -> str:
        which = (
            f"{self.year}'s published totals"
            if not self.fallback
            else f"{self.source_year}'s published totals ({self.year}'s were not published)"
        )
        return (
            f"Calibrated on {which}: mining {self.mining_t:,.0f} t REO, separation {self.separation_t:,.0f} t; "
            f"rock / ion-adsorption split from {self.split_year} "
            f"({1 - self.ion_share:.1%} / {self.ion_share:.1%})."
        )

    def document(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "source_year": self.source_year,
            "fallback": self.fallback,
            "mining_t": self.mining_t,
            "separation_t": self.separation_t,
            "split_year": self.split_year,
            "ion_share": round(self.ion_share, 6),
            "mining_rock_t": round(self.rock_t, 3),
            "mining_ion_adsorption_t": round(self.ion_t, 3),
            "note": self.describe(),
        }


def national_quotas() -> dict[str, Any]:
    text = resources.files("reetrace.data").joinpath("quotas_national.json").read_text(encoding="utf-8")
    return json.loads(text)


def calibrate(year: int, doc: dict[str, Any] | None = None) -> Calibration:
    """The calibration of `year`; ValueError when nothing was published for it or before it."""
    doc = doc if doc is not None else national_quotas()
    if doc.get("format") != NATIONAL_FORMAT:
        raise ValueError(f"national quotas must be a {NATIONAL_FORMAT} document")
    rows = sorted(doc["years"], key=lambda r: r["year"])
    published = [r for r in rows if r["year"] <= year and r.get("mining") and r.get("separation")]
    if not published:
        first = min((r["year"] for r in rows if r.get("mining") and r.get("separation")), default=None)
        raise ValueError(
            f"no national quota totals published for {year} or earlier"
            + (f" (the first are {first}'s)" if first else "")
        )
    source = published[-1]
    split = [r for r in rows if r.get("mining_rock") and r.get("mining_ion_adsorption")]
    if not split:
        raise ValueError("no published rock / ion-adsorption figures to split the mining quota by")
    before = [r for r in split if r["year"] <= source["year"]]
    chosen = before[-1] if before else split[0]
    ion_share = chosen["mining_ion_adsorption"] / (chosen["mining_rock"] + chosen["mining_ion_adsorption"])
    return Calibration(
        year, source["year"], float(source["mining"]), float(source["separation"]), chosen["year"], ion_share
    )
