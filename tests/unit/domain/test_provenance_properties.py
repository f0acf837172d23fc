"""Properties of a lot's provenance (reetrace.domain.provenance) over random lot graphs, and a
differential check against an oracle that follows every path of material one by one.

The graphs are made as the trace's property tests make theirs (origins, lots nobody created,
transforms drawing random parts of earlier lots), with processes and forms that follow the chain:
a transform of a stage (separation, metal, alloy, magnet) draws only lots of that stage or an
earlier one and makes lots of its stage; a repack or an "other" transform keeps the latest stage
of its inputs; only recycling may turn material back to an earlier stage (magnet scrap into
oxide). Imports come in any form. The graphs are acyclic (cycles are a worked example in
test_provenance.py), so the oracle's paths are finite and its sums are the walk's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from builders import MAGNET, MINE, SEP, TRADER, at
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reetrace.domain.elements import element_kg
from reetrace.domain.events import Draw, Event, Extract, Import, NewLot, Transform
from reetrace.domain.provenance import FORM_STAGE, STAGE_PROCESS, STAGES, Provenance, provenance
from reetrace.domain.trace import Creation, InMemoryLotSource, LotGraph, ancestry

ELEMENTS = ("La", "Nd", "Dy", "Tb")
COUNTRIES = ("MM", "MY", "AU", "JP")
RANK = {stage: i for i, stage in enumerate(STAGES)}
PROCESS_STAGE = {process: stage for stage, process in STAGE_PROCESS.items()}
FORMS_OF = {stage: [form for form, at_stage in FORM_STAGE.items() if at_stage == stage] for stage in STAGES}

fraction = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=0.24))
composition = st.fixed_dictionaries({}, optional={e: fraction for e in ELEMENTS})
mass = st.floats(min_value=0.001, max_value=1e5)


@dataclass(frozen=True)
class Lineage:
    events: list[Event]
    lots: list[str]  # every lot created, and the lots nobody created


@st.composite
def lineages(draw) -> Lineage:
    events: list[Event] = []
    rank: dict[str, int] = {}
    pool: list[NewLot] = []
    for i in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            outputs = tuple(
                NewLot(f"O{i}.{j}", draw(st.sampled_from(["ore", "concentrate"])), draw(mass), draw(composition))
                for j in range(draw(st.integers(1, 2)))
            )
            events.append(Extract(MINE, f"x{i}", at(i), deposit="rock", outputs=outputs))
        else:
            outputs = tuple(
                NewLot(f"O{i}.{j}", draw(st.sampled_from(sorted(FORM_STAGE))), draw(mass), draw(composition))
                for j in range(draw(st.integers(1, 2)))
            )
            country = draw(st.sampled_from(COUNTRIES))
            events.append(
                Import(TRADER, f"i{i}", at(i), origin_country=country, customs_declaration="CD", outputs=outputs)
            )
        pool.extend(outputs)
    for i in range(draw(st.integers(0, 2))):  # lots nobody created
        pool.append(NewLot(f"U{i}", "scrap", draw(mass), {}))
    for new in pool:
        rank[new.lot] = RANK[FORM_STAGE[new.form]]
    for i in range(draw(st.integers(0, 8))):
        picked = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        inputs = tuple(
            Draw(p.lot, p.mass_kg * draw(st.sampled_from([1.0, 0.5, 0.0]) | st.floats(0.01, 1.0))) for p in picked
        )
        latest = max(rank[p.lot] for p in picked)
        allowed = [p for p, stage in PROCESS_STAGE.items() if RANK[stage] >= latest] + ["recycling", "repack", "other"]
        process = draw(st.sampled_from(allowed))
        if process in PROCESS_STAGE:
            forms = FORMS_OF[PROCESS_STAGE[process]]
        elif process == "recycling":
            forms = sorted(FORM_STAGE)
        else:
            forms = FORMS_OF[STAGES[latest]]
        outputs = tuple(
            NewLot(f"T{i}.{j}", draw(st.sampled_from(forms)), draw(mass), draw(composition))
            for j in range(draw(st.integers(1, 3)))
        )
        reporter = draw(st.sampled_from([SEP, MAGNET]))
        events.append(Transform(reporter, f"t{i}", at(10 + i), process=process, inputs=inputs, outputs=outputs))
        for new in outputs:
            rank[new.lot] = RANK[FORM_STAGE[new.form]]
        pool.extend(outputs)
    return Lineage(events, [p.lot for p in pool])


# --- the oracle: every path of material, one at a time ---------------------------------------

Place = tuple[str | None, str | None, str | None]


@dataclass(frozen=True)
class Path:
    lots: tuple[str, ...]  # from the traced lot back to an origin
    weight: dict[str, float]  # element -> fraction of the traced lot's element that took this path


def paths(lot: str, graph: LotGraph) -> Iterator[Path]:
    """Every path from the lot back to a lot with no parents, with the product of the §6
    fractions along it (the allocation through each transform is the trace's)."""
    stack = [Path((lot,), dict.fromkeys(graph.elements, 1.0))]
    while stack:
        path = stack.pop()
        parents = graph.parents(path.lots[-1])
        if not parents:
            yield path
        for parent, part in graph.fractions(path.lots[-1]).items():
            stack.append(Path((*path.lots, parent), {e: path.weight[e] * part[e] for e in graph.elements}))


def made_by(stage: str, creation: Creation | None) -> bool:
    if creation is None:
        return False
    if stage == "mined":
        return creation.type == "extract"
    return creation.type == "transform" and creation.process == STAGE_PROCESS[stage]


def stage_position(stage: str, path: Path, creations) -> tuple[int, Place] | None:
    """Where along the path (0: the traced lot) the stage happened, and its place: the nearest
    lot made by the stage's event, else an import that came in at that stage or later, else (for
    "mined" only) the unknown end."""
    for i, each in enumerate(path.lots):
        creation = creations[each]
        if made_by(stage, creation):
            return i, ("CN", creation.reporter, creation.ref)
    end = path.lots[-1]
    creation = creations[end]
    if creation is not None and creation.type == "import":
        output = creation.output(end)
        if RANK[stage] <= RANK[FORM_STAGE[output.form]]:
            return len(path.lots) - 1, (creation.origin_country, None, creation.ref)
        return None
    if stage == "mined":
        return len(path.lots) - 1, (None, None, None)
    return None


def recycled_on(path: Path, creations) -> bool:
    return any((c := creations[each]) is not None and c.process == "recycling" for each in path.lots)


def agree(a: dict, b: dict, scale: float) -> bool:
    keys = set(a) | set(b)
    return all(math.isclose(a.get(k, 0.0), b.get(k, 0.0), rel_tol=1e-9, abs_tol=1e-12 * max(scale, 1.0)) for k in keys)


# --- properties --------------------------------------------------------------------------


def sums(found: Provenance) -> float:
    return max([1.0, *found.elements_kg.values()])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lineages())
def test_origins_add_up_and_nothing_exceeds_the_lot(lineage):
    """Per element: the material origins add up to the lot's own element mass; the places of each
    stage add up to at most it; the recycled part of each origin is at most that origin's mass.
    The Chinese-origin share is in [0, 1] and is the Chinese materials' share of the lot's rare
    earths. Stages come in chain order, and every place names an event upstream of the lot."""
    source = InMemoryLotSource.from_events(lineage.events)
    for lot in lineage.lots:
        found = provenance(lot, source)
        scale = sums(found)
        for e, own in found.elements_kg.items():
            assert math.isclose(sum(m.mass_kg for m in found.materials if m.element == e), own, rel_tol=1e-9)
            for stage in found.stages:
                assert sum(p.elements_kg.get(e, 0.0) for p in stage.places) <= own * (1 + 1e-9)
            assert found.recycled_kg[e] <= own * (1 + 1e-9)
        assert set(found.recycled_kg) == set(found.elements_kg)
        for m in found.materials:
            assert 0 < m.mass_kg and 0 <= m.recycled_kg <= m.mass_kg * (1 + 1e-9)
        total = sum(found.elements_kg.values())
        chinese = sum(m.mass_kg for m in found.materials if m.country == "CN")
        assert 0.0 <= found.chinese_origin_share <= 1.0
        assert math.isclose(found.chinese_origin_share, chinese / total if total else 0.0, abs_tol=1e-12 * scale)
        names = [s.name for s in found.stages]
        assert names == sorted(names, key=STAGES.index) and len(set(names)) == len(names)
        assert not found.elements_kg or found.stages[0].name == "mined"
        for stage in found.stages:
            assert stage.places
            for place in stage.places:
                assert place.event is None or place.event in found.upstream_events
                assert (place.country == "CN") == (place.enterprise is not None)
        assert lot in found.upstream_lots


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lineages())
def test_provenance_is_the_sum_over_paths_of_material(lineage):
    """Differential: every figure is what following each path of material back from the lot, one
    at a time, gives (the places of a stage, the origins and their recycled parts).

    And the order of the stages along a path. Let a path run from the lot (position 0) back to
    an origin, and for a stage S let pos(S) be the position of the lot where S happened on it: the
    nearest lot made by S's event, or the import at its end when it came in at S or later. For
    stages S before T (in STAGES order), both placed on a path that carries some of an element:
    if pos(T) > pos(S), that is T's event lies upstream of S's, then a lot made by recycling lies
    strictly between them. In chains without recycling a later stage is always downstream of (or
    the same lot as) an earlier one."""
    source = InMemoryLotSource.from_events(lineage.events)
    for lot in lineage.lots:
        found = provenance(lot, source)
        creations = ancestry(lot, source)
        creation = creations[lot]
        new_lot = creation.output(lot) if creation is not None else None
        own = element_kg(new_lot.mass_kg, new_lot.composition) if new_lot is not None else {}
        graph = LotGraph(creations, own)
        expected: dict[str, dict[Place, dict[str, float]]] = {stage: {} for stage in STAGES}
        origins: dict[tuple[str, str | None], float] = {}
        recycled: dict[tuple[str, str | None], float] = {}
        for path in paths(lot, graph):
            positions = {stage: stage_position(stage, path, creations) for stage in STAGES}
            for stage, at_place in positions.items():
                if at_place is not None:
                    into = expected[stage].setdefault(at_place[1], {})
                    for e in graph.elements:
                        into[e] = into.get(e, 0.0) + own[e] * path.weight[e]
            mined = positions["mined"]
            assert mined is not None
            for e in graph.elements:
                kg = own[e] * path.weight[e]
                origins[(e, mined[1][0])] = origins.get((e, mined[1][0]), 0.0) + kg
                if recycled_on(path, creations):
                    recycled[(e, mined[1][0])] = recycled.get((e, mined[1][0]), 0.0) + kg
            if any(path.weight[e] > 0 for e in graph.elements):
                placed = [(s, p[0]) for s, p in positions.items() if p is not None]
                for s, pos_s in placed:
                    for t, pos_t in placed:
                        if RANK[s] < RANK[t] and pos_t > pos_s:
                            between = path.lots[pos_s + 1 : pos_t]
                            assert any((c := creations[x]) is not None and c.process == "recycling" for x in between)
        scale = sums(found)
        for stage in STAGES:
            want = {
                p: kg for p, kg in expected[stage].items() if any(v > 0 for v in kg.values()) or not any(own.values())
            }
            named = found.stage(stage)
            got = {(p.country, p.enterprise, p.event): p.elements_kg for p in named.places} if named else {}
            assert set(got) == set(want), (lot, stage)
            for place, kg in want.items():
                assert agree(got[place], {e: v for e, v in kg.items() if v > 0}, scale), (lot, stage, place)
        assert agree({(m.element, m.country): m.mass_kg for m in found.materials}, origins, scale)
        assert agree({(m.element, m.country): m.recycled_kg for m in found.materials}, recycled, scale)


@settings(max_examples=100, deadline=None)
@given(lineages(), st.randoms(use_true_random=False))
def test_provenance_does_not_depend_on_the_order_events_are_read_in(lineage, random):
    shuffled = list(lineage.events)
    random.shuffle(shuffled)
    first, second = InMemoryLotSource.from_events(lineage.events), InMemoryLotSource.from_events(shuffled)
    for lot in lineage.lots:
        assert provenance(lot, first).as_contract() == provenance(lot, second).as_contract()
