"""Backward and forward traces (docs/contract.md §6): worked examples with exact figures, and properties
over random transformation graphs (origins add up to the lot; forward agrees with backward)."""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reetrace.domain.elements import reo_kg
from reetrace.domain.events import Draw, Extract, Import, NewLot, RecordedEvent, Ship, Transform
from reetrace.domain.trace import Creation, InMemoryLotSource, backward, forward

MINER_A = "91150200MA0N0P1X25"
MINER_B = "91360700MA35F0XX1K"
SEPARATOR = "91150200MA0N0SEP01"
MAKER = "91330200MA2MAG0001"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))


def at(day: int) -> datetime:
    return T0 + timedelta(days=day)


def extract(reporter, event_id, day, *outputs):
    return Extract(reporter, event_id, at(day), deposit="rock", outputs=tuple(outputs))


def transform(reporter, event_id, day, process, inputs, outputs):
    return Transform(
        reporter,
        event_id,
        at(day),
        process=process,
        inputs=tuple(Draw(lot, kg) for lot, kg in inputs),
        outputs=tuple(outputs),
    )


def lot(lot_id, form, mass_kg, **composition):
    return NewLot(lot_id, form, mass_kg, composition)


def by_lot(items):
    return {item.lot: item for item in items}


def close(a: dict[str, float], b: dict[str, float]) -> bool:
    keys = set(a) | set(b)
    return all(math.isclose(a.get(k, 0.0), b.get(k, 0.0), rel_tol=1e-12, abs_tol=1e-12) for k in keys)


# --- the magnet chain: two mines of different composition ---------------------------------


@pytest.fixture
def magnet_chain() -> InMemoryLotSource:
    """Mine A: 1000 kg ore, Nd 2 %, Dy 0.1 %  -> Nd 20, Dy 1.
    Mine B:  500 kg ore, Nd 1 %, Dy 0.3 %  -> Nd 5,  Dy 1.5.
    Separation of both: OX-ND 25 kg (Nd 0.8 = 20 kg), OX-DY 3 kg (Dy 0.8 = 2.4 kg).
    Metal: all of OX-ND -> MET-ND 20 kg (Nd 0.95 = 19 kg).
    Magnet: 10 kg of MET-ND (Nd 9.5) + 1 kg of OX-DY (Dy 0.8) -> MAG-1 11 kg (Nd 0.86, Dy 0.07)."""
    return InMemoryLotSource.from_events(
        [
            extract(MINER_A, "x-1", 0, lot("ORE-A", "ore", 1000, Nd=0.02, Dy=0.001)),
            extract(MINER_B, "x-1", 1, lot("ORE-B", "ore", 500, Nd=0.01, Dy=0.003)),
            Ship(MINER_A, "s-1", at(2), lots=("ORE-A",), to=SEPARATOR, shipment="S1"),
            transform(
                SEPARATOR,
                "sep-1",
                5,
                "separation",
                [("ORE-A", 1000), ("ORE-B", 500)],
                [lot("OX-ND", "oxide", 25, Nd=0.8), lot("OX-DY", "oxide", 3, Dy=0.8)],
            ),
            transform(SEPARATOR, "met-1", 8, "metal", [("OX-ND", 25)], [lot("MET-ND", "metal", 20, Nd=0.95)]),
            transform(
                MAKER,
                "mag-1",
                12,
                "magnet",
                [("MET-ND", 10), ("OX-DY", 1)],
                [lot("MAG-1", "magnet", 11, Nd=0.86, Dy=0.07)],
            ),
        ]
    )


def test_backward_through_separation_metal_and_magnet(magnet_chain):
    trace = backward("MAG-1", magnet_chain)
    origins = by_lot(trace.origins)
    assert set(origins) == {"ORE-A", "ORE-B"}
    # Nd 9.46 kg, 20:5 from A:B; Dy 0.77 kg, 1:1.5 from A:B
    assert close(origins["ORE-A"].elements_kg, {"Nd": 7.568, "Dy": 0.308})
    assert close(origins["ORE-B"].elements_kg, {"Nd": 1.892, "Dy": 0.462})
    assert origins["ORE-A"].event == f"{MINER_A}:x-1"
    assert origins["ORE-A"].enterprise == MINER_A
    assert origins["ORE-A"].type == "extract"
    assert close(trace.elements_kg, {"Nd": 9.46, "Dy": 0.77})
    assert [o.lot for o in trace.origins] == ["ORE-A", "ORE-B"]


def test_backward_contract_form(magnet_chain):
    doc = backward("MAG-1", magnet_chain).as_contract()
    assert doc["format"] == "reetrace/trace@1"
    assert doc["lot"] == "MAG-1" and doc["direction"] == "backward"
    assert doc["elements_kg"] == {"Nd": 9.46, "Dy": 0.77}
    assert doc["reo_kg"] == round(reo_kg({"Nd": 9.46, "Dy": 0.77}), 6)
    assert doc["origins"] == [
        {
            "lot": "ORE-A",
            "event": f"{MINER_A}:x-1",
            "enterprise": MINER_A,
            "type": "extract",
            "elements_kg": {"Nd": 7.568, "Dy": 0.308},
            "reo_kg": round(reo_kg({"Nd": 7.568, "Dy": 0.308}), 6),
        },
        {
            "lot": "ORE-B",
            "event": f"{MINER_B}:x-1",
            "enterprise": MINER_B,
            "type": "extract",
            "elements_kg": {"Nd": 1.892, "Dy": 0.462},
            "reo_kg": round(reo_kg({"Nd": 1.892, "Dy": 0.462}), 6),
        },
    ]


def test_backward_of_an_intermediate_drops_what_it_does_not_hold(magnet_chain):
    origins = by_lot(backward("OX-ND", magnet_chain).origins)
    assert close(origins["ORE-A"].elements_kg, {"Nd": 16})
    assert close(origins["ORE-B"].elements_kg, {"Nd": 4})


def test_backward_of_an_origin_is_itself(magnet_chain):
    trace = backward("ORE-B", magnet_chain)
    assert [(o.lot, o.type) for o in trace.origins] == [("ORE-B", "extract")]
    assert close(trace.origins[0].elements_kg, {"Nd": 5, "Dy": 1.5})


def test_forward_from_a_mine(magnet_chain):
    trace = forward("ORE-A", magnet_chain)
    found = by_lot(trace.descendants)
    assert [(d.lot, d.depth) for d in trace.descendants] == [("OX-DY", 1), ("OX-ND", 1), ("MAG-1", 2), ("MET-ND", 2)]
    assert close(found["OX-ND"].elements_kg, {"Nd": 16})
    assert close(found["OX-DY"].elements_kg, {"Dy": 0.96})
    assert close(found["MET-ND"].elements_kg, {"Nd": 15.2})
    assert close(found["MAG-1"].elements_kg, {"Nd": 7.568, "Dy": 0.308})
    assert (found["MAG-1"].event, found["MAG-1"].enterprise) == (f"{MAKER}:mag-1", MAKER)
    assert (found["MAG-1"].process, found["MAG-1"].form) == ("magnet", "magnet")
    assert close(trace.elements_kg, {"Nd": 20, "Dy": 1})


def test_forward_contract_form(magnet_chain):
    doc = forward("MET-ND", magnet_chain).as_contract()
    assert doc == {
        "format": "reetrace/trace@1",
        "lot": "MET-ND",
        "direction": "forward",
        "elements_kg": {"Nd": 19.0},
        "reo_kg": round(reo_kg({"Nd": 19.0}), 6),
        "descendants": [
            {
                "lot": "MAG-1",
                "event": f"{MAKER}:mag-1",
                "enterprise": MAKER,
                "process": "magnet",
                "form": "magnet",
                "elements_kg": {"Nd": 9.46},
                "reo_kg": round(reo_kg({"Nd": 9.46}), 6),
                "depth": 1,
            }
        ],
    }


def test_source_is_asked_one_level_at_a_time_and_each_lot_once():
    """A diamond: P is drawn by two transforms whose outputs meet again in R."""

    class Counting(InMemoryLotSource):
        asked: list[list[str]]

        def creations(self, lots: Collection[str]):
            self.asked.append(sorted(lots))
            return super().creations(lots)

    source = Counting.from_events(
        [
            extract(MINER_A, "x-1", 0, lot("P", "ore", 100, La=0.5)),
            transform(SEPARATOR, "t-1", 1, "other", [("P", 40)], [lot("Q1", "compound", 40, La=0.5)]),
            transform(SEPARATOR, "t-2", 1, "other", [("P", 60)], [lot("Q2", "compound", 60, La=0.5)]),
            transform(SEPARATOR, "t-3", 2, "other", [("Q1", 40), ("Q2", 60)], [lot("R", "compound", 100, La=0.5)]),
        ]
    )
    source.asked = []
    trace = backward("R", source)
    assert source.asked == [["R"], ["Q1", "Q2"], ["P"]]
    assert close(trace.origins[0].elements_kg, {"La": 50})


# --- partial draws, imports, unknown inputs, absent elements, cycles -----------------------


def test_partial_draws_allocate_by_what_was_drawn():
    source = InMemoryLotSource.from_events(
        [
            extract(MINER_A, "x-1", 0, lot("X", "concentrate", 100, Nd=0.1)),
            Import(
                MAKER,
                "i-1",
                at(0),
                origin_country="MM",
                customs_declaration="CD-1",
                outputs=(lot("Y", "concentrate", 200, Nd=0.05),),
            ),
            transform(SEPARATOR, "t-1", 3, "other", [("X", 50), ("Y", 100)], [lot("Z", "compound", 150, Nd=0.06)]),
        ]
    )
    origins = by_lot(backward("Z", source).origins)
    assert close(origins["X"].elements_kg, {"Nd": 4.5})
    assert close(origins["Y"].elements_kg, {"Nd": 4.5})
    assert (origins["Y"].type, origins["Y"].event) == ("import", f"{MAKER}:i-1")


def test_unknown_inputs_get_what_the_known_inputs_do_not_explain():
    source = InMemoryLotSource.from_events(
        [
            extract(MINER_A, "x-1", 0, lot("K", "concentrate", 100, Nd=0.1)),  # Nd 10
            transform(
                SEPARATOR,
                "t-1",
                3,
                "other",
                [("K", 100), ("U1", 50), ("U2", 150)],
                [lot("OUT", "compound", 140, Nd=0.1)],
            ),  # Nd 14: 4 unexplained, split 50:150
        ]
    )
    trace = backward("OUT", source)
    origins = by_lot(trace.origins)
    assert close(origins["K"].elements_kg, {"Nd": 10})
    assert close(origins["U1"].elements_kg, {"Nd": 1})
    assert close(origins["U2"].elements_kg, {"Nd": 3})
    assert (origins["U1"].type, origins["U1"].event, origins["U1"].enterprise) == ("unknown", None, None)


def test_unknown_input_explained_away_is_still_listed():
    source = InMemoryLotSource.from_events(
        [
            extract(MINER_A, "x-1", 0, lot("K", "concentrate", 100, Nd=0.1)),
            transform(SEPARATOR, "t-1", 3, "other", [("K", 100), ("U", 50)], [lot("OUT", "compound", 100, Nd=0.08)]),
        ]
    )
    doc = backward("OUT", source).as_contract()
    assert [(o["lot"], o["elements_kg"]) for o in doc["origins"]] == [("K", {"Nd": 8.0}), ("U", {})]


def test_outputs_beyond_inputs_are_still_attributed_to_the_inputs():
    source = InMemoryLotSource.from_events(
        [
            extract(MINER_A, "x-1", 0, lot("K1", "concentrate", 100, Nd=0.1)),
            extract(MINER_B, "x-1", 0, lot("K2", "concentrate", 100, Nd=0.3)),
            transform(SEPARATOR, "t-1", 3, "other", [("K1", 100), ("K2", 100)], [lot("OUT", "compound", 100, Nd=0.8)]),
        ]
    )
    origins = by_lot(backward("OUT", source).origins)  # 80 kg out of 40 in: 1:3
    assert close(origins["K1"].elements_kg, {"Nd": 20})
    assert close(origins["K2"].elements_kg, {"Nd": 60})


def test_an_element_no_input_holds_goes_by_mass_drawn():
    source = InMemoryLotSource.from_events(
        [
            extract(MINER_A, "x-1", 0, lot("K1", "concentrate", 100, Nd=0.1)),
            extract(MINER_B, "x-1", 0, lot("K2", "concentrate", 300, Nd=0.1)),
            transform(
                SEPARATOR, "t-1", 3, "other", [("K1", 100), ("K2", 300)], [lot("MID", "compound", 400, Nd=0.1, Sm=0.01)]
            ),
            # Gd appears from nowhere twice: at t-2 (MID holds none) and, through MID, at t-1
            transform(SEPARATOR, "t-2", 4, "other", [("MID", 200)], [lot("END", "compound", 200, Nd=0.1, Gd=0.02)]),
        ]
    )
    origins = by_lot(backward("MID", source).origins)
    assert close(origins["K1"].elements_kg, {"Nd": 10, "Sm": 1})
    assert close(origins["K2"].elements_kg, {"Nd": 30, "Sm": 3})
    origins = by_lot(backward("END", source).origins)
    assert close(origins["K1"].elements_kg, {"Nd": 5, "Gd": 1})
    assert close(origins["K2"].elements_kg, {"Nd": 15, "Gd": 3})
    assert close(by_lot(forward("K2", source).descendants)["END"].elements_kg, {"Nd": 15, "Gd": 3})


def test_a_cycle_stops_at_the_repeated_lot():
    """B is made from A and C, but C is made from B: B is its own ancestor."""
    source = InMemoryLotSource.from_events(
        [
            extract(MINER_A, "x-1", 0, lot("A", "concentrate", 100, Nd=0.1)),
            transform(SEPARATOR, "t-1", 2, "other", [("A", 100), ("C", 50)], [lot("B", "compound", 150, Nd=0.1)]),
            transform(SEPARATOR, "t-2", 3, "other", [("B", 50)], [lot("C", "compound", 50, Nd=0.1)]),
        ]
    )
    origins = by_lot(backward("B", source).origins)  # A supplied 10, C 5
    assert close(origins["A"].elements_kg, {"Nd": 10})
    assert close(origins["B"].elements_kg, {"Nd": 5})
    assert (origins["B"].type, origins["B"].event) == ("unknown", None)
    origins = by_lot(backward("C", source).origins)  # C is all B; B is 2/3 A, 1/3 C
    assert close(origins["A"].elements_kg, {"Nd": 5 * 2 / 3})
    assert close(origins["C"].elements_kg, {"Nd": 5 / 3})
    descendants = by_lot(forward("A", source).descendants)
    assert close(descendants["B"].elements_kg, {"Nd": 10})
    assert close(descendants["C"].elements_kg, {"Nd": 10 / 3})
    assert (descendants["B"].depth, descendants["C"].depth) == (1, 2)


def test_a_lot_drawn_into_its_own_making():
    source = InMemoryLotSource.from_events(
        [
            extract(MINER_A, "x-1", 0, lot("A", "concentrate", 100, Nd=0.1)),
            transform(SEPARATOR, "t-1", 2, "repack", [("A", 100), ("S", 100)], [lot("S", "compound", 200, Nd=0.1)]),
        ]
    )
    origins = by_lot(backward("S", source).origins)
    assert close(origins["A"].elements_kg, {"Nd": 10})
    assert close(origins["S"].elements_kg, {"Nd": 10})
    assert [d.lot for d in forward("S", source).descendants] == []


def test_a_lot_created_twice_counts_its_earliest_creation():
    source = InMemoryLotSource.from_events(
        [
            extract(MINER_B, "x-9", 5, lot("DUP", "ore", 10, La=0.5)),
            RecordedEvent(extract(MINER_A, "x-1", 1, lot("DUP", "ore", 100, La=0.1)), received_at=at(9)),
            transform(SEPARATOR, "t-1", 6, "other", [("DUP", 10)], [lot("OUT", "compound", 10, La=0.1)]),
        ]
    )
    trace = backward("DUP", source)
    assert trace.origins[0].event == f"{MINER_A}:x-1"
    assert close(trace.elements_kg, {"La": 10})
    assert [d.lot for d in forward("DUP", source).descendants] == ["OUT"]


def test_a_lot_nobody_created():
    source = InMemoryLotSource.from_events(
        [
            transform(SEPARATOR, "t-1", 6, "other", [("GHOST", 10)], [lot("OUT", "compound", 10, La=0.1)]),
        ]
    )
    trace = backward("GHOST", source)
    assert trace.creation is None and trace.elements_kg == {}
    assert [(o.lot, o.type, o.elements_kg) for o in trace.origins] == [("GHOST", "unknown", {})]
    assert close(by_lot(forward("GHOST", source).descendants)["OUT"].elements_kg, {"La": 1})
    assert backward("NOWHERE", source).origins[0].lot == "NOWHERE"
    assert forward("NOWHERE", source).descendants == ()


def test_creation_of_an_event():
    event = transform(SEPARATOR, "t-1", 6, "metal", [("A", 1)], [lot("B", "metal", 1, Nd=1.0)])
    creation = Creation.of(event)
    assert (creation.ref, creation.event_id, creation.type, creation.process) == (
        f"{SEPARATOR}:t-1",
        "t-1",
        "transform",
        "metal",
    )
    assert creation.output("B") == event.outputs[0] and creation.output("A") is None


# --- properties over random graphs --------------------------------------------------------

ELEMENTS = ("La", "Ce", "Nd", "Dy", "Tb")
fraction = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=0.19))
composition = st.fixed_dictionaries({}, optional={e: fraction for e in ELEMENTS})
mass = st.floats(min_value=0.001, max_value=1e5)


@st.composite
def chains(draw):
    """Random origins, then transforms drawing random parts of earlier lots (and of lots nobody
    created) into random outputs: balances are as likely to be violated as kept."""
    events, lots = [], []
    for i in range(draw(st.integers(1, 4))):
        outputs = tuple(
            NewLot(f"O{i}.{j}", "ore", draw(mass), draw(composition)) for j in range(draw(st.integers(1, 2)))
        )
        if draw(st.booleans()):
            events.append(Extract(MINER_A, f"x{i}", at(i), deposit="rock", outputs=outputs))
        else:
            events.append(
                Import(MINER_B, f"i{i}", at(i), origin_country="AU", customs_declaration=f"C{i}", outputs=outputs)
            )
        lots.extend(outputs)
    unknown = [NewLot(f"U{i}", "scrap", draw(mass), {}) for i in range(draw(st.integers(0, 2)))]
    for i in range(draw(st.integers(0, 8))):
        pool = lots + unknown
        picked = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        inputs = tuple(
            Draw(p.lot, p.mass_kg * draw(st.sampled_from([1.0, 0.5, 0.0]) | st.floats(0.01, 1.0))) for p in picked
        )
        outputs = tuple(
            NewLot(f"T{i}.{j}", "compound", draw(mass), draw(composition)) for j in range(draw(st.integers(1, 3)))
        )
        events.append(Transform(SEPARATOR, f"t{i}", at(10 + i), process="other", inputs=inputs, outputs=outputs))
        lots.extend(outputs)
    return events, [n.lot for n in lots], [u.lot for u in unknown]


def agree(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12 * max(scale, 1.0))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains())
def test_origins_add_up_and_forward_agrees_with_backward(chain):
    events, created, unknown = chain
    source = InMemoryLotSource.from_events(events)
    backwards = {each: backward(each, source) for each in created}
    for each, trace in backwards.items():
        for e, own in trace.elements_kg.items():
            total = sum(o.elements_kg.get(e, 0.0) for o in trace.origins)
            assert math.isclose(total, own, rel_tol=1e-9), (each, e, total, own)
        assert all(set(o.elements_kg) <= set(trace.elements_kg) for o in trace.origins)
        assert len({o.lot for o in trace.origins}) == len(trace.origins)
    origins = {o.lot for t in backwards.values() for o in t.origins}
    assert origins <= set(created) | set(unknown)
    for origin in origins | set(unknown):
        descendants = by_lot(forward(origin, source).descendants)
        for each, trace in backwards.items():
            if each == origin:
                continue
            from_origin = by_lot(trace.origins).get(origin)
            back = from_origin.elements_kg if from_origin else {}
            ahead = descendants[each].elements_kg if each in descendants else {}
            assert (from_origin is None) == (each not in descendants), (origin, each)
            for e, own in trace.elements_kg.items():
                assert agree(back.get(e, 0.0), ahead.get(e, 0.0), own), (origin, each, e, back, ahead)


@settings(max_examples=100, deadline=None)
@given(chains())
def test_forward_from_any_lot_never_exceeds_what_the_descendant_holds(chain):
    events, created, unknown = chain
    source = InMemoryLotSource.from_events(events)
    holdings = {each: backward(each, source).elements_kg for each in created}
    for start in created + unknown:
        for d in forward(start, source).descendants:
            assert d.lot != start
            for e, kg in d.elements_kg.items():
                assert kg <= holdings[d.lot][e] * (1 + 1e-9)
