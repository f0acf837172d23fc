"""Where each stage of a lot's making happened, and where its rare earths were mined (docs/credentials.md).

The rule, in the words of a mass-balance chain of custody: each kilogram of each rare earth in the
lot is followed back through every transform, shared among the inputs as the §6 trace shares it
(`reetrace.domain.trace.allocate`). For each stage of the chain

    mined (extract) ─▶ separated (separation) ─▶ metal (metal) ─▶ alloyed (alloy) ─▶ magnet (magnet)

the part of the lot's element mass that reached a lot made by that stage's event, the lot itself
included, is attributed to the *nearest* such lot on its way back: the place of that stage is the
enterprise that reported the event, in China. A part that reaches an import first takes the
import's declared origin country for every stage up to the one its form stands for (ore,
concentrate, scrap: mined; mixed compound, oxide, compound: separated; metal; alloy; magnet) and no
place for the later stages, which it passed in China and which the walk finds before the import.
A part that reaches a lot nobody created, or the lot where a cycle in the data is cut, is of
unknown origin: "mined" in an unknown country, no place for the other stages.

The origin country of a material is its "mined" country. A part is recycled when its way back
passes through a lot made by a `recycling` transform. The Chinese-origin share is the part of the
lot's rare-earth element mass whose origin country is China.

Each stage is one walk of the trace's (`shares_walk`) that stops at that stage's lots; "mined" is
the trace's own walk, whose shares of each lot on the way also give the origins of recycled parts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reetrace.domain.elements import element_kg, reo_kg
from reetrace.domain.trace import (
    Creation,
    LotGraph,
    LotSource,
    Shares,
    ancestry,
    element_key,
    rounded_kg,
    shares_walk,
)

FORMAT = "reetrace/provenance@1"
STAGES: tuple[str, ...] = ("mined", "separated", "metal", "alloyed", "magnet")  # chain order
DOMESTIC = "CN"  # every registered enterprise is in China
# the transform process that makes each stage after mining
STAGE_PROCESS = {"separated": "separation", "metal": "metal", "alloyed": "alloy", "magnet": "magnet"}
# the last stage a lot of each form has passed (an import's form says how far abroad it was made)
FORM_STAGE = {
    "ore": "mined",
    "concentrate": "mined",
    "scrap": "mined",
    "mixed_compound": "separated",
    "oxide": "separated",
    "compound": "separated",
    "metal": "metal",
    "alloy": "alloyed",
    "magnet": "magnet",
}
RECYCLING = "recycling"
_DECIMALS = 6
_RANK = {stage: i for i, stage in enumerate(STAGES)}


@dataclass(frozen=True, slots=True)
class StagePlace:
    """Where one stage of (part of) the lot's material happened."""

    country: str | None  # ISO 3166-1 alpha-2; "CN" for any registered enterprise; None unknown
    enterprise: str | None  # USCC of the enterprise (domestic); None abroad or unknown
    event: str | None  # "<USCC>:<event_id>" of the stage event (abroad: the import); None unknown
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
    form: str  # "unknown" when nobody created the lot
    mass_kg: float  # 0 when nobody created the lot
    elements_kg: dict[str, float]  # the lot's own rare-earth element mass
    stages: tuple[Stage, ...]  # in STAGES order; a stage no material passed is absent
    materials: tuple[MaterialOrigin, ...]  # element order (atomic number), then country (unknown last)
    recycled_kg: dict[str, float]  # per element of the lot, 0 when none
    chinese_origin_share: float  # REE mass with country "CN" / lot REE mass (0 when none)
    upstream_lots: frozenset[str]  # the lot and every lot it was made from, however far back
    upstream_events: frozenset[str]  # the events that created them

    def stage(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    def as_contract(self) -> dict[str, Any]:
        """The full view, enterprises and events named: for the authority only."""
        return {
            "format": FORMAT,
            "lot": self.lot,
            "form": self.form,
            "mass_kg": round(self.mass_kg, _DECIMALS),
            "elements_kg": rounded_kg(self.elements_kg),
            "reo_kg": round(reo_kg(self.elements_kg), _DECIMALS),
            "stages": [
                {
                    "stage": s.name,
                    "countries": list(s.countries),
                    "places": [
                        {
                            "country": p.country,
                            "enterprise": p.enterprise,
                            "event": p.event,
                            "elements_kg": rounded_kg(p.elements_kg),
                        }
                        for p in s.places
                    ],
                }
                for s in self.stages
            ],
            "materials": [
                {
                    "element": m.element,
                    "country": m.country,
                    "mass_kg": round(m.mass_kg, _DECIMALS),
                    "recycled_kg": round(m.recycled_kg, _DECIMALS),
                }
                for m in self.materials
            ],
            "recycled_kg": rounded_kg(self.recycled_kg),
            "chinese_origin_share": round(self.chinese_origin_share, _DECIMALS),
            "upstream_lots": sorted(self.upstream_lots),
            "upstream_events": sorted(self.upstream_events),
        }


# --- where a walk ends ---------------------------------------------------------------------

_Place = tuple[str | None, str | None, str | None]  # (country, enterprise, event)
_UNKNOWN: _Place = (None, None, None)


def _stage_of(creation: Creation | None) -> str | None:
    """The stage whose event made a lot, if any."""
    if creation is None:
        return None
    if creation.type == "extract":
        return "mined"
    if creation.type == "transform":
        return next((stage for stage, process in STAGE_PROCESS.items() if creation.process == process), None)
    return None


def _place(stage: str, lot: str, creation: Creation | None) -> _Place | None:
    """Where `stage` happened for the material of the lot a walk ended at; None when that
    material did not pass the stage (as far as the ledger tells)."""
    if _stage_of(creation) == stage:
        assert creation is not None
        return (DOMESTIC, creation.reporter or None, creation.ref)  # a redacted creation names no one
    if creation is not None and creation.type == "import":
        output = creation.output(lot)
        made_to = FORM_STAGE.get(output.form, "mined") if output is not None else "mined"
        return (creation.origin_country, None, creation.ref) if _RANK[stage] <= _RANK[made_to] else None
    if stage == "mined" and (creation is None or creation.type != "extract"):
        return _UNKNOWN  # nobody created it, or a cycle was cut there
    return None


# --- the provenance of a lot ---------------------------------------------------------------


def provenance(lot: str, source: LotSource) -> Provenance:
    """A lot's provenance by stage and by origin country (module docstring: the rule)."""
    creations = ancestry(lot, source)
    creation = creations[lot]
    new_lot = creation.output(lot) if creation is not None else None
    own = element_kg(new_lot.mass_kg, new_lot.composition) if new_lot is not None else {}
    graph = LotGraph(creations, own)
    mined = shares_walk(lot, graph)  # the trace's walk: ends are the origins
    stages = []
    for stage in STAGES:
        if stage == "mined":
            ends = mined[lot]
        elif not any(_stage_of(c) == stage for c in creations.values()):
            ends = mined[lot]  # nothing to stop at: the walk would end where the trace's does
        else:
            ends = shares_walk(lot, graph, _made_by(stage, creations))[lot]
        places = _places(stage, ends, creations, own, graph.elements)
        if places:
            stages.append(Stage(stage, places))
    origin_kg = _by_country(mined[lot], creations, own, graph.elements)
    recycled = _recycled(lot, mined, creations, own, graph)
    materials = tuple(
        MaterialOrigin(e, country, kg, recycled.get((e, country), 0.0))
        for (e, country), kg in sorted(origin_kg.items(), key=lambda i: (element_key(i[0][0]), _last(i[0][1])))
        if kg > 0
    )
    total = sum(own.values())
    chinese = sum(m.mass_kg for m in materials if m.country == DOMESTIC)
    upstream_lots, upstream_events = upstream_of(creations)
    return Provenance(
        lot=lot,
        form=new_lot.form if new_lot is not None else "unknown",
        mass_kg=new_lot.mass_kg if new_lot is not None else 0.0,
        elements_kg=own,
        stages=tuple(stages),
        materials=materials,
        recycled_kg={e: sum(kg for (x, _), kg in recycled.items() if x == e) for e in graph.elements},
        chinese_origin_share=min(1.0, chinese / total) if total > 0 else 0.0,
        upstream_lots=upstream_lots,
        upstream_events=upstream_events,
    )


def upstream_of(creations: Mapping[str, Creation | None]) -> tuple[frozenset[str], frozenset[str]]:
    """The lots of a lot's backward closure (`trace.ancestry`) and the events that created them:
    the stretch of history a finding must name to stand upstream of the lot (the pre-review adds
    the shipments and receipts of those lots, which only the store knows)."""
    return frozenset(creations), frozenset(c.ref for c in creations.values() if c is not None)


def _made_by(stage: str, creations: Mapping[str, Creation | None]) -> Callable[[str], bool]:
    """Whether a lot was made by the event of a stage: where that stage's walk stops."""
    return lambda lot: _stage_of(creations.get(lot)) == stage


def _places(
    stage: str,
    ends: Mapping[str, Shares],
    creations: Mapping[str, Creation | None],
    own: Mapping[str, float],
    elements: tuple[str, ...],
) -> tuple[StagePlace, ...]:
    """The places of a stage from the ends of its walk, the same place summed, largest first.
    A place that holds none of the lot's element mass is left out, unless the lot holds none."""
    found: dict[_Place, dict[str, float]] = {}
    for end, shares in ends.items():
        place = _place(stage, end, creations.get(end))
        if place is not None:
            into = found.setdefault(place, {})
            for e in elements:
                if own[e] * shares[e] > 0:
                    into[e] = into.get(e, 0.0) + own[e] * shares[e]
    kept = [StagePlace(*place, kg) for place, kg in found.items() if kg or not any(own.values())]
    kept.sort(key=lambda p: (-round(sum(p.elements_kg.values()), _DECIMALS), _last(p.country), _last(p.event)))
    return tuple(kept)


def _origin_country(end: str, creations: Mapping[str, Creation | None]) -> str | None:
    place = _place("mined", end, creations.get(end))
    return place[0] if place is not None else None


def _by_country(
    ends: Mapping[str, Shares],
    creations: Mapping[str, Creation | None],
    own: Mapping[str, float],
    elements: tuple[str, ...],
) -> dict[tuple[str, str | None], float]:
    """(element, origin country) -> kg of the lot's element, from the ends of the trace's walk."""
    kg: dict[tuple[str, str | None], float] = {}
    for end, shares in ends.items():
        country = _origin_country(end, creations)
        for e in elements:
            kg[(e, country)] = kg.get((e, country), 0.0) + own[e] * shares[e]
    return kg


def _recycled(
    lot: str,
    mined: Mapping[str, Mapping[str, Shares]],
    creations: Mapping[str, Creation | None],
    own: Mapping[str, float],
    graph: LotGraph,
) -> dict[tuple[str, str | None], float]:
    """(element, origin country) -> kg of the lot's element that passed through a recycling
    output: the walk that stops at recycling outputs gives the part that reached each, and the
    trace's walk the origins of each (its shares of every lot on the way)."""

    def recycled(each: str) -> bool:
        creation = creations.get(each)
        return creation is not None and creation.type == "transform" and creation.process == RECYCLING

    if not any(recycled(each) for each in creations):
        return {}
    kg: dict[tuple[str, str | None], float] = {}
    for end, reached in shares_walk(lot, graph, recycled)[lot].items():
        if not recycled(end):
            continue
        for origin, shares in mined[end].items():
            country = _origin_country(origin, creations)
            for e in graph.elements:
                kg[(e, country)] = kg.get((e, country), 0.0) + own[e] * reached[e] * shares[e]
    return kg


def _last(value: str | None) -> tuple[bool, str]:
    """A sort key that puts None after every string."""
    return (value is None, value or "")


__all__ = [
    "DOMESTIC",
    "FORMAT",
    "FORM_STAGE",
    "RECYCLING",
    "STAGES",
    "STAGE_PROCESS",
    "MaterialOrigin",
    "Provenance",
    "Stage",
    "StagePlace",
    "provenance",
    "upstream_of",
]
