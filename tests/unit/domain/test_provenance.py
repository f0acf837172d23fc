"""A lot's provenance by stage and origin (reetrace.domain.provenance, docs/credentials.md): worked
examples whose figures are reckoned by hand in each test's docstring."""

from __future__ import annotations

import math

from builders import MAGNET, METAL, MINE, SEP, TRADER, at, extract, new, transform

from reetrace.domain.events import Import, NewLot
from reetrace.domain.findings import Finding
from reetrace.domain.prereview import blocking_findings
from reetrace.domain.provenance import STAGES, Provenance, StagePlace, provenance
from reetrace.domain.trace import Creation, InMemoryLotSource, backward


def imported(eid: str, day: int, country: str, *outputs: NewLot) -> Import:
    return Import(TRADER, eid, at(day), origin_country=country, customs_declaration=f"CD-{eid}", outputs=outputs)


def close(a: dict[str, float], b: dict[str, float]) -> bool:
    keys = set(a) | set(b)
    return all(math.isclose(a.get(k, 0.0), b.get(k, 0.0), rel_tol=1e-12, abs_tol=1e-12) for k in keys)


def places(found: Provenance, stage: str) -> list[tuple[str | None, str | None, str | None, dict[str, float]]]:
    """A stage's places, figures rounded to the gram's thousandth, for comparing with hand-worked ones."""
    named = found.stage(stage)
    if named is None:
        return []
    return [
        (p.country, p.enterprise, p.event, {e: round(kg, 9) for e, kg in p.elements_kg.items()}) for p in named.places
    ]


def materials(found: Provenance) -> list[tuple[str, str | None, float, float]]:
    return [(m.element, m.country, round(m.mass_kg, 9), round(m.recycled_kg, 9)) for m in found.materials]


# --- one chain through every stage ---------------------------------------------------------

CHAIN = InMemoryLotSource.from_events(
    [
        extract(MINE, "x-1", at(0), new("ORE", 1000, {"Nd": 0.02, "Pr": 0.005}, "ore")),
        transform(SEP, "sep-1", at(2), "separation", [("ORE", 1000)], new("OX", 30, {"Nd": 0.6, "Pr": 0.15}, "oxide")),
        transform(METAL, "met-1", at(4), "metal", [("OX", 30)], new("MET", 20, {"Nd": 0.8, "Pr": 0.2}, "metal")),
        transform(METAL, "all-1", at(5), "alloy", [("MET", 20)], new("ALLOY", 50, {"Nd": 0.3, "Pr": 0.07}, "alloy")),
        transform(MAGNET, "mag-1", at(8), "magnet", [("ALLOY", 50)], new("MAG", 48, {"Nd": 0.3, "Pr": 0.07}, "magnet")),
    ]
)


def test_a_chain_through_every_stage_names_each_stage_event():
    """MAG holds Nd 48 × 0.3 = 14.4 kg and Pr 48 × 0.07 = 3.36 kg, all of it from one line."""
    found = provenance("MAG", CHAIN)
    held = {"Nd": 14.4, "Pr": 3.36}
    assert (found.lot, found.form, found.mass_kg) == ("MAG", "magnet", 48)
    assert close(found.elements_kg, held)
    assert [s.name for s in found.stages] == list(STAGES)
    expected = {
        "mined": (MINE, "x-1"),
        "separated": (SEP, "sep-1"),
        "metal": (METAL, "met-1"),
        "alloyed": (METAL, "all-1"),
        "magnet": (MAGNET, "mag-1"),
    }
    for stage, (enterprise, eid) in expected.items():
        assert places(found, stage) == [("CN", enterprise, f"{enterprise}:{eid}", {"Nd": 14.4, "Pr": 3.36})]
    assert materials(found) == [("Pr", "CN", 3.36, 0.0), ("Nd", "CN", 14.4, 0.0)]  # Pr (59) before Nd (60)
    assert found.chinese_origin_share == 1.0
    assert found.recycled_kg == {"Pr": 0.0, "Nd": 0.0}
    assert found.upstream_lots == {"ORE", "OX", "MET", "ALLOY", "MAG"}
    assert found.upstream_events == {
        f"{MINE}:x-1",
        f"{SEP}:sep-1",
        f"{METAL}:met-1",
        f"{METAL}:all-1",
        f"{MAGNET}:mag-1",
    }


def test_an_intermediate_lot_has_only_the_stages_it_passed():
    """OX (Nd 18, Pr 4.5) was mined and separated, nothing more; the oxide is its own separation."""
    found = provenance("OX", CHAIN)
    assert [s.name for s in found.stages] == ["mined", "separated"]
    assert places(found, "separated") == [("CN", SEP, f"{SEP}:sep-1", {"Nd": 18.0, "Pr": 4.5})]
    assert provenance("ORE", CHAIN).stage("mined") is not None
    assert [s.name for s in provenance("ORE", CHAIN).stages] == ["mined"]


# --- a blend of Chinese and Myanmar concentrate ---------------------------------------------

BLEND = InMemoryLotSource.from_events(
    [
        extract(MINE, "x-1", at(0), new("CONC-CN", 1000, {"Nd": 0.09, "Dy": 0.001})),
        imported("i-1", 1, "MM", new("CONC-MM", 500, {"Nd": 0.02, "Dy": 0.006})),
        transform(
            SEP,
            "sep-1",
            at(3),
            "separation",
            [("CONC-CN", 1000), ("CONC-MM", 500)],
            new("OX-ND", 100, {"Nd": 0.85}, "oxide"),
            new("OX-DY", 5, {"Dy": 0.7}, "oxide"),
        ),
        transform(METAL, "met-1", at(5), "metal", [("OX-ND", 100)], new("MET-ND", 80, {"Nd": 0.95}, "metal")),
        transform(
            MAGNET,
            "mag-1",
            at(8),
            "magnet",
            [("MET-ND", 40), ("OX-DY", 2)],
            new("MAG", 100, {"Nd": 0.3, "Dy": 0.012}, "magnet"),
        ),
    ]
)


def test_a_blend_of_chinese_and_myanmar_concentrate():
    """The docs/credentials.md example. CONC-CN holds Nd 90, Dy 1; CONC-MM Nd 10, Dy 3. The
    separation shares Nd 90:10 and Dy 1:3 between them. MAG (Nd 30, Dy 1.2) takes its Nd from the
    metal only and its Dy from the Dy oxide only: Nd 27 CN + 3 MM, Dy 0.3 CN + 0.9 MM. Chinese
    origin: (27 + 0.3) / 31.2 = 0.875. The Dy oxide went into the magnet without becoming metal,
    so the "metal" stage holds Nd only; nothing was alloyed."""
    found = provenance("MAG", BLEND)
    assert close(found.elements_kg, {"Nd": 30, "Dy": 1.2})
    assert [s.name for s in found.stages] == ["mined", "separated", "metal", "magnet"]
    assert places(found, "mined") == [
        ("CN", MINE, f"{MINE}:x-1", {"Nd": 27.0, "Dy": 0.3}),
        ("MM", None, f"{TRADER}:i-1", {"Nd": 3.0, "Dy": 0.9}),
    ]
    assert places(found, "separated") == [("CN", SEP, f"{SEP}:sep-1", {"Nd": 30.0, "Dy": 1.2})]
    assert places(found, "metal") == [("CN", METAL, f"{METAL}:met-1", {"Nd": 30.0})]
    assert places(found, "magnet") == [("CN", MAGNET, f"{MAGNET}:mag-1", {"Nd": 30.0, "Dy": 1.2})]
    assert found.stages[0].countries == ("CN", "MM")
    assert materials(found) == [
        ("Nd", "CN", 27.0, 0.0),
        ("Nd", "MM", 3.0, 0.0),
        ("Dy", "CN", 0.3, 0.0),
        ("Dy", "MM", 0.9, 0.0),
    ]
    assert math.isclose(found.chinese_origin_share, 0.875, rel_tol=1e-12)
    assert found.upstream_lots == {"MAG", "MET-ND", "OX-DY", "OX-ND", "CONC-CN", "CONC-MM"}
    assert f"{TRADER}:i-1" in found.upstream_events and len(found.upstream_events) == 5


def test_the_origins_are_the_trace_s():
    """ "mined" is the backward trace read by place: the same kilograms, origin by origin."""
    origins = {o.event: o.elements_kg for o in backward("MAG", BLEND).origins}
    mined = provenance("MAG", BLEND).stage("mined")
    assert mined is not None
    assert {p.event: p.elements_kg for p in mined.places} == origins


def test_the_upstream_lots_and_events_tell_a_blocking_finding():
    """A blocking finding about a lot or an event upstream stands against the lot; the same
    finding about a lot elsewhere does not."""
    found = provenance("MAG", BLEND)
    upstream = Finding("LOT_OVERDRAWN", "high", TRADER, "CONC-MM", None, 2026, "overdrawn")
    elsewhere = Finding("LOT_OVERDRAWN", "high", TRADER, "CONC-XX", None, 2026, "overdrawn")
    by_event = Finding("MASS_BALANCE_VIOLATION", "high", SEP, None, f"{SEP}:sep-1", 2026, "balance")
    blocking = blocking_findings(
        [upstream, elsewhere, by_event], found.upstream_lots, found.upstream_events, frozenset()
    )
    assert blocking == [upstream, by_event]


def test_the_contract_view():
    doc = provenance("MAG", BLEND).as_contract()
    assert doc["format"] == "reetrace/provenance@1"
    assert (doc["lot"], doc["form"], doc["mass_kg"]) == ("MAG", "magnet", 100)
    assert doc["elements_kg"] == {"Nd": 30.0, "Dy": 1.2}
    assert doc["stages"][0] == {
        "stage": "mined",
        "countries": ["CN", "MM"],
        "places": [
            {"country": "CN", "enterprise": MINE, "event": f"{MINE}:x-1", "elements_kg": {"Nd": 27.0, "Dy": 0.3}},
            {"country": "MM", "enterprise": None, "event": f"{TRADER}:i-1", "elements_kg": {"Nd": 3.0, "Dy": 0.9}},
        ],
    }
    assert [s["stage"] for s in doc["stages"]] == ["mined", "separated", "metal", "magnet"]
    assert doc["materials"][1] == {"element": "Nd", "country": "MM", "mass_kg": 3.0, "recycled_kg": 0.0}
    assert doc["recycled_kg"] == {}
    assert doc["chinese_origin_share"] == 0.875
    assert doc["upstream_lots"] == sorted(doc["upstream_lots"]) and len(doc["upstream_events"]) == 5


# --- imports: the stages done abroad ---------------------------------------------------------


def test_an_imported_oxide_was_mined_and_separated_abroad():
    """Malaysian oxide (Nd 85) made into metal in China: MET holds Nd 80 × 0.95 = 76."""
    source = InMemoryLotSource.from_events(
        [
            imported("i-1", 0, "MY", new("OX-MY", 100, {"Nd": 0.85}, "oxide")),
            transform(METAL, "met-1", at(2), "metal", [("OX-MY", 100)], new("MET", 80, {"Nd": 0.95}, "metal")),
        ]
    )
    found = provenance("MET", source)
    assert [s.name for s in found.stages] == ["mined", "separated", "metal"]
    assert places(found, "mined") == places(found, "separated") == [("MY", None, f"{TRADER}:i-1", {"Nd": 76.0})]
    assert places(found, "metal") == [("CN", METAL, f"{METAL}:met-1", {"Nd": 76.0})]
    assert materials(found) == [("Nd", "MY", 76.0, 0.0)]
    assert found.chinese_origin_share == 0.0


def test_an_imported_magnet_passed_every_stage_abroad():
    """A Japanese magnet of 10 kg: Nd 3, Dy 0.1, every stage in Japan."""
    source = InMemoryLotSource.from_events(
        [imported("i-1", 0, "JP", new("MAG-JP", 10, {"Nd": 0.3, "Dy": 0.01}, "magnet"))]
    )
    found = provenance("MAG-JP", source)
    assert [s.name for s in found.stages] == list(STAGES)
    for stage in STAGES:
        assert places(found, stage) == [("JP", None, f"{TRADER}:i-1", {"Nd": 3.0, "Dy": 0.1})]
    assert found.chinese_origin_share == 0.0
    assert found.upstream_lots == {"MAG-JP"} and found.upstream_events == {f"{TRADER}:i-1"}


def test_an_import_keeps_its_declared_origin_country():
    creation = Creation.of(imported("i-1", 0, "MM", new("C", 1, {"Nd": 0.1})))
    assert (creation.type, creation.origin_country, creation.process) == ("import", "MM", None)
    assert Creation.of(extract(MINE, "x-1", at(0), new("O", 1))).origin_country is None


# --- recycling -------------------------------------------------------------------------------


def recycling_chain() -> InMemoryLotSource:
    return InMemoryLotSource.from_events(
        [
            extract(MINE, "x-1", at(0), new("CONC", 1000, {"Nd": 0.1})),
            transform(SEP, "sep-1", at(1), "separation", [("CONC", 1000)], new("OX", 100, {"Nd": 0.8}, "oxide")),
            transform(METAL, "met-1", at(2), "metal", [("OX", 75)], new("MET", 60, {"Nd": 1.0}, "metal")),
            transform(
                MAGNET,
                "mag-1",
                at(3),
                "magnet",
                [("MET", 60)],
                new("MAG-1", 150, {"Nd": 0.3}, "magnet"),
                new("SCRAP-1", 40, {"Nd": 0.3}, "scrap"),
            ),
            imported("i-1", 4, "DE", new("SCRAP-DE", 60, {"Nd": 0.3}, "scrap")),
            transform(
                SEP,
                "rec-1",
                at(5),
                "recycling",
                [("SCRAP-1", 40), ("SCRAP-DE", 60)],
                new("OX-R", 30, {"Nd": 0.8}, "oxide"),
            ),
            transform(
                METAL, "met-2", at(6), "metal", [("OX", 25), ("OX-R", 30)], new("MET-2", 40, {"Nd": 1.0}, "metal")
            ),
            transform(MAGNET, "mag-2", at(7), "magnet", [("MET-2", 40)], new("MAG-2", 110, {"Nd": 0.3}, "magnet")),
        ]
    )


def test_a_recycling_run_on_scrap():
    """MAG-2 holds Nd 33. Its metal took Nd 20 from primary oxide and 24 from the recycled oxide:
    15 primary, 18 recycled. The recycling took Nd 12 from Chinese scrap and 18 from German scrap:
    of the 18 recycled, 7.2 is of Chinese origin (mined at x-1, through MAG-1's scrap) and 10.8
    German. Chinese origin: (15 + 7.2) / 33. Separated: the 15 primary and the 7.2 from Chinese
    scrap at sep-1; the German scrap came in as scrap, so its 10.8 has no separation on record.
    Metal and magnet are the nearest: met-2 and MAG-2 itself, for all 33."""
    found = provenance("MAG-2", recycling_chain())
    assert close(found.elements_kg, {"Nd": 33})
    assert materials(found) == [("Nd", "CN", 22.2, 7.2), ("Nd", "DE", 10.8, 10.8)]
    assert close(found.recycled_kg, {"Nd": 18})
    assert math.isclose(found.chinese_origin_share, 22.2 / 33, rel_tol=1e-12)
    assert [s.name for s in found.stages] == ["mined", "separated", "metal", "magnet"]
    assert places(found, "mined") == [
        ("CN", MINE, f"{MINE}:x-1", {"Nd": 22.2}),
        ("DE", None, f"{TRADER}:i-1", {"Nd": 10.8}),
    ]
    assert places(found, "separated") == [("CN", SEP, f"{SEP}:sep-1", {"Nd": 22.2})]
    assert places(found, "metal") == [("CN", METAL, f"{METAL}:met-2", {"Nd": 33.0})]
    assert places(found, "magnet") == [("CN", MAGNET, f"{MAGNET}:mag-2", {"Nd": 33.0})]


def test_the_recycling_output_itself_is_all_recycled():
    """OX-R (Nd 24): 0.4 from Chinese scrap, 0.6 from German."""
    found = provenance("OX-R", recycling_chain())
    assert materials(found) == [("Nd", "CN", 9.6, 9.6), ("Nd", "DE", 14.4, 14.4)]
    assert [s.name for s in found.stages] == ["mined", "separated", "metal", "magnet"]  # the Chinese scrap was a magnet
    assert places(found, "magnet") == [("CN", MAGNET, f"{MAGNET}:mag-1", {"Nd": 9.6})]
    assert provenance("MAG-1", recycling_chain()).recycled_kg == {"Nd": 0.0}


# --- unknown origin and cycles -----------------------------------------------------------------


def test_a_lot_nobody_created_is_of_unknown_origin():
    source = InMemoryLotSource.from_events(
        [transform(SEP, "t-1", at(6), "other", [("GHOST", 10)], new("OUT", 10, {"La": 0.1}, "compound"))]
    )
    ghost = provenance("GHOST", source)
    assert (ghost.form, ghost.mass_kg, ghost.elements_kg) == ("unknown", 0.0, {})
    assert [(s.name, s.places) for s in ghost.stages] == [("mined", (StagePlace(None, None, None, {}),))]
    assert (ghost.materials, ghost.recycled_kg, ghost.chinese_origin_share) == ((), {}, 0.0)
    assert (ghost.upstream_lots, ghost.upstream_events) == ({"GHOST"}, frozenset())
    out = provenance("OUT", source)
    assert places(out, "mined") == [(None, None, None, {"La": 1.0})]
    assert [s.name for s in out.stages] == ["mined"]
    assert materials(out) == [("La", None, 1.0, 0.0)]
    assert out.chinese_origin_share == 0.0
    assert out.as_contract()["stages"][0]["countries"] == []


def test_a_cycle_stops_at_the_repeated_lot():
    """B (Nd 15) is separated from A (Nd 10) and C (Nd 5), but C is made from B. As in the trace,
    B's 5 kg from C are of unknown origin; all 15 were separated at t-1. C (Nd 5) is all B's:
    2/3 from A, 1/3 from C itself, where the cycle closes; all of it separated at t-1."""
    source = InMemoryLotSource.from_events(
        [
            extract(MINE, "x-1", at(0), new("A", 100, {"Nd": 0.1})),
            transform(SEP, "t-1", at(2), "separation", [("A", 100), ("C", 50)], new("B", 150, {"Nd": 0.1}, "oxide")),
            transform(SEP, "t-2", at(3), "other", [("B", 50)], new("C", 50, {"Nd": 0.1}, "oxide")),
        ]
    )
    b = provenance("B", source)
    assert places(b, "mined") == [("CN", MINE, f"{MINE}:x-1", {"Nd": 10.0}), (None, None, None, {"Nd": 5.0})]
    assert places(b, "separated") == [("CN", SEP, f"{SEP}:t-1", {"Nd": 15.0})]
    assert math.isclose(b.chinese_origin_share, 2 / 3, rel_tol=1e-12)
    c = provenance("C", source)
    assert materials(c) == [("Nd", "CN", round(10 / 3, 9), 0.0), ("Nd", None, round(5 / 3, 9), 0.0)]
    assert places(c, "separated") == [("CN", SEP, f"{SEP}:t-1", {"Nd": 5.0})]
    assert c.upstream_lots == {"A", "B", "C"}


def test_a_long_chain_is_walked_without_recursion():
    """Five thousand repacks between the mine and the lot."""
    events = [extract(MINE, "x-1", at(0), new("L0", 100, {"Nd": 0.1}))]
    for i in range(1, 5001):
        events.append(transform(SEP, f"r-{i}", at(1), "repack", [(f"L{i - 1}", 100)], new(f"L{i}", 100, {"Nd": 0.1})))
    found = provenance("L5000", InMemoryLotSource.from_events(events))
    assert places(found, "mined") == [("CN", MINE, f"{MINE}:x-1", {"Nd": 10.0})]
    assert len(found.upstream_lots) == 5001
