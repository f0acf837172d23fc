"""Where a lot's rare earths came from, and where they went (docs/contract.md §6).

Element mass is conserved by chemistry, so provenance is followed element by element. Through a
transform, each output's mass of element e is allocated to the inputs in proportion to the mass
of e each input supplied (mass drawn × the input lot's fraction of e). Three cases would leave
part of a lot unexplained; they are allocated so that the origins of a lot always add up to the
lot's own element mass:

- an input lot that nobody created has no known composition: the unknown inputs, together, are
  given what the outputs hold beyond what the known inputs supplied (never below zero), split
  among them by the mass drawn;
- when no input holds e at all, e is allocated in proportion to the mass drawn;
- a cycle in the data (a lot that is, through transforms, its own ancestor) stops at the repeated
  lot, which then counts as an origin of unknown type. Forward, the repeated lot adds nothing.

The walk works on *shares*: the fraction of a lot's element e that comes from each origin. The
fraction each input supplies of a transform's outputs is the same for every output, so it is
worked out once per event; a lot's shares are worked out once, so a diamond-shaped graph is not
walked twice. The same walk, told to stop at some lots, gives the fraction that comes from the
nearest of them instead (`shares_walk`; reetrace.domain.provenance stops at each stage's lots).
The source is asked for a whole level of the graph at once (`LotSource`), which lets a store
answer with one batch of queries per level rather than one per lot.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from reetrace.domain.elements import ELEMENTS, element_kg, reo_kg
from reetrace.domain.events import Draw, Event, NewLot, RecordedEvent

FORMAT = "reetrace/trace@1"
ORIGIN_TYPES: tuple[str, ...] = ("extract", "import")
CREATING_TYPES: tuple[str, ...] = ("extract", "import", "transform")
_DECIMALS = 6
_ELEMENT_ORDER = {e: i for i, e in enumerate(ELEMENTS)}

Shares = dict[str, float]  # element -> fraction


@dataclass(frozen=True, slots=True)
class Creation:
    """The event that created a lot: an extract, an import or a transform, with ALL its outputs."""

    ref: str  # "<USCC>:<event_id>"
    reporter: str
    type: str
    time: str | datetime  # sortable; one source uses one kind
    process: str | None = None
    inputs: tuple[Draw, ...] = ()
    outputs: tuple[NewLot, ...] = ()
    origin_country: str | None = None  # an import's declared origin (ISO 3166-1 alpha-2)

    @property
    def event_id(self) -> str:
        return self.ref.partition(":")[2]

    @property
    def order(self) -> tuple[Any, str, str]:
        """Sort key: the earliest creation of a lot wins (time, then reporter, then event id)."""
        return (self.time, self.reporter, self.event_id)

    def output(self, lot: str) -> NewLot | None:
        return next((o for o in self.outputs if o.lot == lot), None)

    @classmethod
    def of(cls, event: Event) -> Creation:
        return cls(
            ref=event.ref,
            reporter=event.reporter,
            type=event.type,
            time=event.time,
            process=getattr(event, "process", None),
            inputs=tuple(getattr(event, "inputs", ())),
            outputs=tuple(getattr(event, "outputs", ())),
            origin_country=getattr(event, "origin_country", None),
        )


def earliest(creations: Iterable[Creation]) -> Creation:
    """The creation that counts when a lot was created more than once."""
    return min(creations, key=lambda c: c.order)


class LotSource(Protocol):
    """Where the trace reads the graph of lots from: one call per level, for a whole frontier."""

    def creations(self, lots: Collection[str]) -> dict[str, Creation]:
        """For each lot, the event that created it (the earliest when there are several);
        lots that nobody created are absent."""
        ...

    def uses(self, lots: Collection[str]) -> dict[str, list[Creation]]:
        """For each lot, the transforms that draw from it, earliest first; unused lots are absent."""
        ...


class InMemoryLotSource:
    """A `LotSource` over events held in memory, for tests and small data."""

    def __init__(self, created: Mapping[str, Creation], used: Mapping[str, list[Creation]]) -> None:
        self._created = dict(created)
        self._used = {lot: list(cs) for lot, cs in used.items()}

    @classmethod
    def from_events(cls, events: Iterable[Event | RecordedEvent]) -> InMemoryLotSource:
        return cls.from_creations(
            Creation.of(event)
            for event in (item.event if isinstance(item, RecordedEvent) else item for item in events)
            if event.type in CREATING_TYPES
        )

    @classmethod
    def from_creations(cls, creations: Iterable[Creation]) -> InMemoryLotSource:
        created: dict[str, Creation] = {}
        used: dict[str, dict[str, Creation]] = {}
        for creation in creations:
            for output in creation.outputs:
                known = created.get(output.lot)
                created[output.lot] = creation if known is None else earliest((known, creation))
            if creation.type == "transform":
                for draw in creation.inputs:
                    used.setdefault(draw.lot, {})[creation.ref] = creation
        ordered = {lot: sorted(cs.values(), key=lambda c: c.order) for lot, cs in used.items()}
        return cls(created, ordered)

    def creations(self, lots: Collection[str]) -> dict[str, Creation]:
        return {lot: self._created[lot] for lot in lots if lot in self._created}

    def uses(self, lots: Collection[str]) -> dict[str, list[Creation]]:
        return {lot: list(self._used[lot]) for lot in lots if lot in self._used}


class RememberingSource:
    """A `LotSource` that reads each lot's creation once, for the several walks one use case makes
    over the same lineage (a trace and a closure, a provenance and a pre-review's history)."""

    def __init__(self, source: LotSource) -> None:
        self._source = source
        self._creations: dict[str, Creation | None] = {}

    def creations(self, lots: Collection[str]) -> dict[str, Creation]:
        wanted = [lot for lot in lots if lot not in self._creations]
        if wanted:
            found = self._source.creations(wanted)
            self._creations.update((lot, found.get(lot)) for lot in wanted)
        return {lot: c for lot in lots if (c := self._creations[lot]) is not None}

    def uses(self, lots: Collection[str]) -> dict[str, list[Creation]]:
        return self._source.uses(lots)


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Origin:
    """An origin of a lot's material and the element mass (kg) it contributed."""

    lot: str
    event: str | None
    enterprise: str | None
    type: str  # "extract", "import" or "unknown"
    elements_kg: dict[str, float]

    @property
    def reo_kg(self) -> float:
        return reo_kg(self.elements_kg)


@dataclass(frozen=True, slots=True)
class Descendant:
    """A lot descending from the traced one, with the element mass (kg) that came from it."""

    lot: str
    event: str
    enterprise: str
    process: str | None
    form: str
    elements_kg: dict[str, float]
    depth: int  # fewest transforms between the traced lot and this one

    @property
    def reo_kg(self) -> float:
        return reo_kg(self.elements_kg)


@dataclass(frozen=True, slots=True)
class BackwardTrace:
    lot: str
    creation: Creation | None  # None: nobody created the lot
    elements_kg: dict[str, float]  # the lot's own element mass
    origins: tuple[Origin, ...]  # by REO contributed, largest first

    def as_contract(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "lot": self.lot,
            "direction": "backward",
            "elements_kg": rounded_kg(self.elements_kg),
            "reo_kg": round(reo_kg(self.elements_kg), _DECIMALS),
            "origins": [
                {
                    "lot": o.lot,
                    "event": o.event,
                    "enterprise": o.enterprise,
                    "type": o.type,
                    "elements_kg": rounded_kg(o.elements_kg),
                    "reo_kg": round(o.reo_kg, _DECIMALS),
                }
                for o in self.origins
            ],
        }


@dataclass(frozen=True, slots=True)
class ForwardTrace:
    lot: str
    creation: Creation | None
    elements_kg: dict[str, float]
    descendants: tuple[Descendant, ...]  # by depth, then lot

    def as_contract(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "lot": self.lot,
            "direction": "forward",
            "elements_kg": rounded_kg(self.elements_kg),
            "reo_kg": round(reo_kg(self.elements_kg), _DECIMALS),
            "descendants": [
                {
                    "lot": d.lot,
                    "event": d.event,
                    "enterprise": d.enterprise,
                    "process": d.process,
                    "form": d.form,
                    "elements_kg": rounded_kg(d.elements_kg),
                    "reo_kg": round(d.reo_kg, _DECIMALS),
                    "depth": d.depth,
                }
                for d in self.descendants
            ],
        }


def element_key(element: str) -> tuple[int, str]:
    return (_ELEMENT_ORDER.get(element, len(ELEMENTS)), element)


def rounded_kg(elements_kg: Mapping[str, float]) -> dict[str, float]:
    """Kilograms for output: atomic-number order, 6 decimals, nothing that rounds to zero."""
    rounded = ((e, round(kg, _DECIMALS)) for e, kg in sorted(elements_kg.items(), key=lambda i: element_key(i[0])))
    return {e: kg for e, kg in rounded if kg != 0}


# --- allocation through one transform -----------------------------------------------------


def _new_lot(creations: Mapping[str, Creation | None], lot: str) -> NewLot | None:
    creation = creations.get(lot)
    return creation.output(lot) if creation is not None else None


def _own_kg(creations: Mapping[str, Creation | None], lot: str) -> dict[str, float]:
    """A lot's own element mass; empty when nobody created it."""
    new_lot = _new_lot(creations, lot)
    return element_kg(new_lot.mass_kg, new_lot.composition) if new_lot is not None else {}


class LotGraph:
    """The part of the lot graph a trace has read, and the allocation through each transform."""

    def __init__(self, creations: Mapping[str, Creation | None], elements: Iterable[str]) -> None:
        self.creations = creations
        self.elements = tuple(sorted(set(elements), key=element_key))
        self._fractions: dict[str, dict[str, Shares]] = {}

    def new_lot(self, lot: str) -> NewLot | None:
        return _new_lot(self.creations, lot)

    def own_kg(self, lot: str) -> dict[str, float]:
        return _own_kg(self.creations, lot)

    def parents(self, lot: str) -> list[str]:
        """The distinct lots a transform-created lot was made from; empty for an origin."""
        creation = self.creations.get(lot)
        if creation is None or creation.type != "transform":
            return []
        return list(dict.fromkeys(d.lot for d in creation.inputs))

    def fractions(self, lot: str) -> dict[str, Shares]:
        """For each input lot of the transform that made `lot`, the fraction of each element of
        its outputs it supplied; empty for an origin."""
        creation = self.creations.get(lot)
        if creation is None:
            return {}
        cached = self._fractions.get(creation.ref)
        if cached is None:
            cached = self._fractions[creation.ref] = self._allocate(creation)
        return cached

    def _allocate(self, creation: Creation) -> dict[str, Shares]:
        drawn: dict[str, float] = {}
        for draw in creation.inputs:
            drawn[draw.lot] = drawn.get(draw.lot, 0.0) + draw.mass_kg
        compositions = {lot: (n.composition if (n := self.new_lot(lot)) else None) for lot in drawn}
        return allocate(drawn, compositions, creation.outputs, self.elements)


def allocate(
    drawn: Mapping[str, float],
    compositions: Mapping[str, Mapping[str, float] | None],
    outputs: Iterable[NewLot],
    elements: Iterable[str],
) -> dict[str, Shares]:
    """The §6 allocation through one transform: for each input lot (mass drawn, composition or
    None when unknown), the fraction of each element of the outputs it supplied. The one rule,
    used by the trace and by the audit's replay (reetrace.domain.rules.descent)."""
    outputs = tuple(outputs)
    unknown = [lot for lot, c in compositions.items() if c is None]
    result: dict[str, Shares] = {lot: {} for lot in drawn}
    for e in elements:
        weights = {lot: drawn[lot] * c.get(e, 0.0) for lot, c in compositions.items() if c is not None}
        if unknown:
            out = sum(o.mass_kg * o.composition.get(e, 0.0) for o in outputs)
            residual = max(0.0, out - sum(weights.values()))
            for lot, part in _proportions({lot: drawn[lot] for lot in unknown}).items():
                weights[lot] = residual * part
        if not sum(weights.values()) > 0:  # no input holds e, nor is any owed to unknown inputs
            weights = dict(drawn)
        for lot, part in _proportions(weights).items():
            result[lot][e] = part
    return result


def _proportions(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights scaled to add up to one (equal parts when they are all zero)."""
    total = sum(weights.values())
    if total > 0:
        return {k: w / total for k, w in weights.items()}
    return {k: 1.0 / len(weights) for k in weights}


# --- backward -----------------------------------------------------------------------------


def backward(lot: str, source: LotSource) -> BackwardTrace:
    """Every origin of a lot, with the element mass each contributed (docs/contract.md §6)."""
    creations = ancestry(lot, source)
    own = _own_kg(creations, lot)
    graph = LotGraph(creations, own)
    origins = []
    for key, shares in _origin_shares(lot, graph).items():
        contributed = {e: own[e] * shares[e] for e in graph.elements if own[e] * shares[e] > 0}
        creation = creations.get(key)
        if creation is not None and creation.type in ORIGIN_TYPES:
            # a redacted creation (docs/certificates.md) has no reporter to name
            origins.append(Origin(key, creation.ref, creation.reporter or None, creation.type, contributed))
        else:  # nobody created it, or it is where a cycle was cut
            origins.append(Origin(key, None, None, "unknown", contributed))
    origins.sort(key=lambda o: (-round(o.reo_kg, _DECIMALS), o.lot))
    return BackwardTrace(lot, creations[lot], own, tuple(origins))


def ancestry(lot: str, source: LotSource) -> dict[str, Creation | None]:
    """The creations of a lot and of all its ancestors (None: nobody created it), read one level
    at a time."""
    creations: dict[str, Creation | None] = {}
    frontier = [lot]
    while frontier:
        found = source.creations(frontier)
        following: dict[str, None] = {}
        for each in frontier:
            creation = creations[each] = found.get(each)
            if creation is not None and creation.type == "transform":
                following.update((d.lot, None) for d in creation.inputs)
        frontier = [p for p in following if p not in creations]
    return creations


def _origin_shares(root: str, graph: LotGraph) -> dict[str, Shares]:
    """origin -> element -> fraction of the root's element that comes from that origin."""
    return shares_walk(root, graph)[root]


def shares_walk(root: str, graph: LotGraph, stop: Callable[[str], bool] | None = None) -> dict[str, dict[str, Shares]]:
    """For the root and every lot walked through on the way up from it: end -> element ->
    fraction of the lot's element that comes from that end.

    An end is a lot the walk does not go beyond: an origin (a lot not made by a transform), a lot
    where `stop` says so (the root included), or the lot that closes a cycle."""
    whole = dict.fromkeys(graph.elements, 1.0)

    def parents(lot: str) -> list[str]:
        return [] if stop is not None and stop(lot) else graph.parents(lot)

    if not parents(root):
        return {root: {root: whole}}
    shares: dict[str, dict[str, Shares]] = {}  # lot -> end -> element -> fraction
    path = {root}
    stack = [(root, iter(parents(root)))]
    while stack:  # depth first, without recursion: chains can be long
        lot, pending = stack[-1]
        for parent in pending:
            if parent in shares or parent in path:
                continue
            grandparents = parents(parent)
            if not grandparents:
                shares[parent] = {parent: whole}
                continue
            path.add(parent)
            stack.append((parent, iter(grandparents)))
            break
        else:
            fractions = graph.fractions(lot)
            only = next(iter(fractions)) if len(fractions) == 1 else None
            if only is not None and only not in path:  # one input supplied everything
                shares[lot] = shares[only]
                stack.pop()
                path.discard(lot)
                continue
            mixed: dict[str, Shares] = {}
            for parent, part in fractions.items():
                # a parent still on the path is the lot that closes a cycle: an end of its own
                for end, share in ({parent: whole} if parent in path else shares[parent]).items():
                    into = mixed.setdefault(end, dict.fromkeys(graph.elements, 0.0))
                    for e in graph.elements:
                        into[e] += part[e] * share[e]
            shares[lot] = mixed
            stack.pop()
            path.discard(lot)
    return shares


# --- forward ------------------------------------------------------------------------------


def forward(lot: str, source: LotSource) -> ForwardTrace:
    """Every lot descending from a lot, with the element mass that came from it (docs/contract.md §6)."""
    creations, depths = _descent(lot, source)
    descendants = [d for d in depths if d != lot]
    graph = LotGraph(creations, (e for each in (lot, *descendants) for e in _own_kg(creations, each)))
    shares = _descendant_shares(lot, descendants, depths, graph)
    found = []
    for each in descendants:
        creation, new_lot = creations[each], graph.new_lot(each)
        assert creation is not None and new_lot is not None
        own = graph.own_kg(each)
        came = {e: kg * shares[each][e] for e, kg in own.items() if kg * shares[each][e] > 0}
        found.append(
            Descendant(each, creation.ref, creation.reporter, creation.process, new_lot.form, came, depths[each])
        )
    found.sort(key=lambda d: (d.depth, d.lot))
    return ForwardTrace(lot, creations[lot], graph.own_kg(lot), tuple(found))


def _descent(lot: str, source: LotSource) -> tuple[dict[str, Creation | None], dict[str, int]]:
    """The lots descending from a lot (by fewest transforms), and the creations of every lot the
    transforms on the way drew from or created, read one level at a time."""
    creations: dict[str, Creation | None] = {lot: source.creations([lot]).get(lot)}
    depths = {lot: 0}
    seen: set[str] = set()
    frontier, level = [lot], 0
    while frontier:
        level += 1
        used = source.uses(frontier)
        transforms = []
        for each in frontier:
            for creation in used.get(each, ()):
                if creation.ref not in seen:
                    seen.add(creation.ref)
                    transforms.append(creation)
        named = (x for c in transforms for x in (*(d.lot for d in c.inputs), *(o.lot for o in c.outputs)))
        wanted = [x for x in dict.fromkeys(named) if x not in creations]
        if wanted:
            found = source.creations(wanted)
            creations.update((x, found.get(x)) for x in wanted)
        frontier = []
        for creation in transforms:
            for output in creation.outputs:
                canonical = creations.get(output.lot)  # a lot created twice descends from its first creation
                if output.lot not in depths and canonical is not None and canonical.ref == creation.ref:
                    depths[output.lot] = level
                    frontier.append(output.lot)
    return creations, depths


def _descendant_shares(
    root: str, descendants: list[str], depths: Mapping[str, int], graph: LotGraph
) -> dict[str, Shares]:
    """lot -> element -> fraction of the lot's element that comes from the root.

    A depth-first walk down from the root orders the lots so that each comes after the lots it
    was made from; an edge back to a lot still on the walk's path closes a cycle and is dropped."""
    children: dict[str, list[str]] = {each: [] for each in depths}
    for each in descendants:
        for parent in graph.parents(each):
            if parent in depths:
                children[parent].append(each)
    dropped: set[tuple[str, str]] = set()
    finished: dict[str, None] = {}  # post-order
    path = {root}
    stack = [(root, iter(children[root]))]
    while stack:
        lot, pending = stack[-1]
        for child in pending:
            if child in path:
                dropped.add((lot, child))
            elif child not in finished:
                path.add(child)
                stack.append((child, iter(children[child])))
                break
        else:
            finished[lot] = None
            stack.pop()
            path.discard(lot)
    shares: dict[str, Shares] = {root: dict.fromkeys(graph.elements, 1.0)}
    for lot in reversed(list(finished)[:-1]):  # the root finishes last
        mixed = dict.fromkeys(graph.elements, 0.0)
        for parent, part in graph.fractions(lot).items():
            share = shares.get(parent) if (parent, lot) not in dropped else None
            if share is not None:  # None: not a descendant, or the edge closes a cycle
                for e in graph.elements:
                    mixed[e] += part[e] * share[e]
        shares[lot] = mixed
    return shares


__all__ = [
    "FORMAT",
    "BackwardTrace",
    "Creation",
    "Descendant",
    "ForwardTrace",
    "InMemoryLotSource",
    "LotGraph",
    "LotSource",
    "RememberingSource",
    "Origin",
    "Shares",
    "allocate",
    "ancestry",
    "backward",
    "earliest",
    "element_key",
    "forward",
    "rounded_kg",
    "shares_walk",
]
