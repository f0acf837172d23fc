"""A lot's lineage as a graph to draw: the lots it was made from (backward) or the lots made
from it (forward), each edge the kilograms drawn from one lot into a transform that made the
other. Walked a level at a time through a `LotSource`, up to a number of lots."""

from __future__ import annotations

from dataclasses import dataclass, field

from reetrace.domain.trace import Creation, LotSource


@dataclass(frozen=True, slots=True)
class LineageLot:
    lot: str
    depth: int  # transforms between it and the traced lot
    kind: str  # "traced", "extract", "import", "transform", "unknown"
    enterprise: str | None
    form: str | None
    mass_kg: float | None


@dataclass(frozen=True, slots=True)
class LineageEdge:
    source: str  # the lot drawn from
    target: str  # a lot the transform made
    kg: float  # mass drawn from `source` by that transform


@dataclass(slots=True)
class Lineage:
    lot: str
    direction: str
    lots: dict[str, LineageLot] = field(default_factory=dict)
    edges: list[LineageEdge] = field(default_factory=list)
    truncated: bool = False


def _node(lot: str, depth: int, creation: Creation | None, traced: bool = False) -> LineageLot:
    made = creation.output(lot) if creation else None
    kind = "traced" if traced else (creation.type if creation else "unknown")
    return LineageLot(
        lot,
        depth,
        kind,
        creation.reporter if creation else None,
        made.form if made else None,
        made.mass_kg if made else None,
    )


def lineage(lot: str, source: LotSource, direction: str = "backward", limit: int = 60) -> Lineage:
    """The graph around `lot`, at most `limit` lots (`truncated` says when more exist)."""
    created = source.creations([lot])
    graph = Lineage(lot, direction)
    graph.lots[lot] = _node(lot, 0, created.get(lot), traced=True)
    frontier, depth = [lot], 0
    known: dict[str, Creation | None] = {lot: created.get(lot)}
    while frontier and not graph.truncated:
        depth += 1
        following: list[str] = []
        if direction == "backward":
            parents: list[tuple[str, str, float]] = []
            for child in frontier:
                creation = known.get(child)
                if creation is not None and creation.type == "transform":
                    parents += [(d.lot, child, d.mass_kg) for d in creation.inputs]
            made = source.creations({p for p, _, _ in parents} - set(known))
            for parent, child, kg in parents:
                graph.edges.append(LineageEdge(parent, child, kg))
                if parent not in graph.lots:
                    if len(graph.lots) >= limit:
                        graph.truncated = True
                        continue
                    known[parent] = made.get(parent)
                    graph.lots[parent] = _node(parent, depth, known[parent])
                    following.append(parent)
        else:
            uses = source.uses(frontier)
            for parent in frontier:
                for creation in uses.get(parent, []):
                    kg = sum(d.mass_kg for d in creation.inputs if d.lot == parent)
                    for output in creation.outputs:
                        graph.edges.append(LineageEdge(parent, output.lot, kg))
                        if output.lot not in graph.lots:
                            if len(graph.lots) >= limit:
                                graph.truncated = True
                                continue
                            graph.lots[output.lot] = _node(output.lot, depth, creation)
                            following.append(output.lot)
        frontier = following
    graph.edges = [e for e in dict.fromkeys(graph.edges) if e.source in graph.lots and e.target in graph.lots]
    return graph
