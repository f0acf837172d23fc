"""Placeholder: replaced by the provenance branch at merge.

The shapes of a lot's provenance as the credentials read them (the provenance branch holds the
rule that computes them, `provenance(lot, source)`, and the authority's full view).
"""

from __future__ import annotations

from dataclasses import dataclass

STAGES: tuple[str, ...] = ("mined", "separated", "metal", "alloyed", "magnet")  # chain order


@dataclass(frozen=True, slots=True)
class StagePlace:
    """Where one stage of (part of) the lot's material happened."""

    country: str | None  # ISO 3166-1 alpha-2; "CN" for any registered enterprise; None unknown
    enterprise: str | None  # USCC of the enterprise (domestic); None abroad or unknown
    event: str | None  # "<USCC>:<event_id>" of the stage event; None for unknown
    elements_kg: dict[str, float]  # of the traced lot's own element mass, what passed here


@dataclass(frozen=True, slots=True)
class Stage:
    name: str  # one of STAGES
    places: tuple[StagePlace, ...]  # largest share first

    @property
    def countries(self) -> tuple[str, ...]:
        """The distinct known countries of the stage, sorted."""
        return tuple(sorted({p.country for p in self.places if p.country is not None}))


@dataclass(frozen=True, slots=True)
class MaterialOrigin:
    """One element from one origin country (None: unknown origin)."""

    element: str
    country: str | None
    mass_kg: float  # of the traced lot's own mass of that element
    recycled_kg: float  # the part of mass_kg that passed through a `recycling` transform


@dataclass(frozen=True, slots=True)
class Provenance:
    lot: str
    form: str
    mass_kg: float
    elements_kg: dict[str, float]  # the lot's own rare-earth element mass
    stages: tuple[Stage, ...]  # in STAGES order; a stage no material passed is absent
    materials: tuple[MaterialOrigin, ...]  # element order (atomic number), then country
    recycled_kg: dict[str, float]  # per element
    chinese_origin_share: float  # REE mass with country "CN" / lot REE mass (0 when none)
    upstream_lots: frozenset[str]
    upstream_events: frozenset[str]
