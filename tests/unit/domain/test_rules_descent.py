"""RECYCLING_IMPLAUSIBLE and LAYERED_CIRCULAR_TRADE: what a lot descends from, carried forward
through the replay (docs/contract.md §12), with a case that raises each and the near misses.
The manufactured share the replay carries is checked against the backward trace of §6."""

import pytest
from builders import (
    AS_OF,
    CONCENTRATE,
    ION_CLAY,
    MAGNET,
    MAGNET_NDFEB,
    METAL,
    MINE,
    ND_OXIDE,
    SEP,
    TRADER,
    at,
    codes,
    controls,
    extract,
    import_,
    new,
    of,
    one,
    receive,
    recorded,
    registry,
    run,
    ship,
    transform,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.domain.audit import _steps
from reetrace.domain.elements import ELEMENTS
from reetrace.domain.events import Receive, RecordedEvent, Ship
from reetrace.domain.findings import Thresholds
from reetrace.domain.lots import Ledger
from reetrace.domain.prereview import blocking_findings
from reetrace.domain.rules.base import AuditContext
from reetrace.domain.rules.descent import Descent, ree_share
from reetrace.domain.trace import Creation, InMemoryLotSource, ancestry, backward

RECYCLER = MINE  # every enterprise of the builders is qualified for everything

# -- recycling ------------------------------------------------------------------------------


def _recycled(*made, scrap: str = "SCRAP-1", kg: float = 500.0):
    """The events that make `scrap`, then ship it to the recycler, who recycles it into oxide."""
    return run(
        [
            *made,
            ship(MAGNET, "s-scrap", at(10), [scrap], RECYCLER, "SCRAP"),
            receive(RECYCLER, "r-scrap", at(11), [scrap], MAGNET, "SCRAP"),
            transform(
                RECYCLER,
                "rec",
                at(12),
                "recycling",
                [(scrap, kg)],
                new("REC-OX", kg * 0.31 / 0.8574, ND_OXIDE, "oxide"),
            ),
        ]
    )


def _magnets():
    """Concentrate separated into Nd oxide, made into metal, alloy and magnets by MAGNET."""
    return [
        extract(MAGNET, "x1", at(0), new("CONC", 10_000.0)),
        transform(MAGNET, "sep", at(1), "separation", [("CONC", 10_000.0)], new("ND-OX", 1_050.0, ND_OXIDE, "oxide")),
        transform(MAGNET, "met", at(2), "metal", [("ND-OX", 1_050.0)], new("ND-M", 900.0, {"Nd": 1.0}, "metal")),
        transform(
            MAGNET,
            "mag",
            at(3),
            "magnet",
            [("ND-M", 900.0)],
            new("MAG-1", 2_500.0, {"Nd": 0.34}, "magnet"),
            new("SWARF", 100.0, {"Nd": 0.30}, "scrap"),
        ),
    ]


def test_real_magnet_scrap_is_recycled_without_a_finding():
    events = [
        *_magnets(),
        transform(MAGNET, "scrap", at(4), "other", [("MAG-1", 600.0)], new("SCRAP-1", 600.0, {"Nd": 0.34}, "scrap")),
    ]
    findings = _recycled(*events)
    assert "RECYCLING_IMPLAUSIBLE" not in codes(findings)


def test_a_makers_own_swarf_recycled_in_a_closed_loop_is_no_finding():
    findings = _recycled(*_magnets(), scrap="SWARF", kg=100.0)
    assert "RECYCLING_IMPLAUSIBLE" not in codes(findings)


def test_imported_scrap_is_no_finding():
    findings = _recycled(import_(MAGNET, "i1", at(0), new("SCRAP-1", 600.0, MAGNET_NDFEB, "scrap")))
    assert "RECYCLING_IMPLAUSIBLE" not in codes(findings)


def test_concentrate_entering_recycling_as_scrap_is_a_finding():
    findings = _recycled(
        extract(MAGNET, "x1", at(0), new("CONC", 1_000.0)),
        transform(
            MAGNET, "relabel", at(1), "repack", [("CONC", 1_000.0)], new("SCRAP-1", 1_000.0, CONCENTRATE, "scrap")
        ),
    )
    f = one(findings, "RECYCLING_IMPLAUSIBLE")
    assert (f.severity, f.enterprise, f.event, f.lot) == ("high", RECYCLER, f"{RECYCLER}:rec", "REC-OX")
    [offending] = f.evidence["inputs"]
    ree = sum(CONCENTRATE.values())
    assert offending["input"] == "SCRAP-1"
    assert offending["manufactured_share"] == 0.0
    assert offending["la_ce_share"] == pytest.approx((0.12 + 0.25) / ree, abs=1e-6)
    assert (offending["not_manufactured"], offending["ore_like"]) == (True, True)


def test_separated_oxide_passed_off_as_scrap_is_a_finding_though_not_ore_like():
    findings = _recycled(
        import_(MAGNET, "i1", at(0), new("OX", 1_000.0, ND_OXIDE, "oxide")),
        transform(MAGNET, "relabel", at(1), "repack", [("OX", 1_000.0)], new("SCRAP-1", 1_000.0, ND_OXIDE, "scrap")),
    )
    [offending] = one(findings, "RECYCLING_IMPLAUSIBLE").evidence["inputs"]
    assert (offending["not_manufactured"], offending["ore_like"]) == (True, False)


@pytest.mark.parametrize(
    ("composition", "finding"),
    [
        (CONCENTRATE, True),  # La + Ce 76 % of the rare earths
        (ION_CLAY, True),  # Y 65 %
        ({"Nd": 0.2, "Y": 0.02, "La": 0.04}, False),  # Y 7.7 %, La + Ce 15.4 %: below both
        ({"Nd": 0.2, "Y": 0.03}, True),  # Y 13 %
    ],
)
def test_ore_like_scrap_is_a_finding_even_when_imported(composition, finding):
    findings = _recycled(import_(MAGNET, "i1", at(0), new("SCRAP-1", 600.0, composition, "scrap")))
    assert ("RECYCLING_IMPLAUSIBLE" in codes(findings)) is finding
    if finding:
        [offending] = one(findings, "RECYCLING_IMPLAUSIBLE").evidence["inputs"]
        assert (offending["not_manufactured"], offending["ore_like"]) == (False, True)


@pytest.mark.parametrize(("oxide_kg", "finding"), [(700.0, True), (300.0, False)])
def test_half_of_the_rare_earths_from_manufactured_material(oxide_kg, finding):
    # 1000 kg of magnet (310 kg of rare earths) blended with Nd oxide into "scrap": the share from
    # the magnet is 310 / (310 + 0.8574 × oxide) = 34 % with 700 kg, 55 % with 300 kg.
    mass = 1_000.0 + oxide_kg
    nd = (290.0 + 0.8574 * oxide_kg) / mass
    findings = _recycled(
        import_(MAGNET, "i1", at(0), new("MAG", 1_000.0, MAGNET_NDFEB, "magnet")),
        import_(MAGNET, "i2", at(0), new("OX", oxide_kg, ND_OXIDE, "oxide")),
        transform(
            MAGNET,
            "blend",
            at(1),
            "other",
            [("MAG", 1_000.0), ("OX", oxide_kg)],
            new("SCRAP-1", mass, {"Nd": nd, "Pr": 10.0 / mass, "Dy": 10.0 / mass}, "scrap"),
        ),
        kg=mass,
    )
    assert ("RECYCLING_IMPLAUSIBLE" in codes(findings)) is finding
    if finding:
        [offending] = one(findings, "RECYCLING_IMPLAUSIBLE").evidence["inputs"]
        assert offending["manufactured_share"] == pytest.approx(310.0 / (310.0 + 0.8574 * oxide_kg), abs=1e-6)


def test_the_recycling_thresholds_are_configuration():
    events = [
        import_(MAGNET, "i1", at(0), new("SCRAP-1", 600.0, {"Nd": 0.2, "Y": 0.03}, "scrap")),
        transform(MAGNET, "rec", at(1), "recycling", [("SCRAP-1", 600.0)], new("REC", 100.0, ND_OXIDE, "oxide")),
    ]
    assert "RECYCLING_IMPLAUSIBLE" in codes(run(events))
    assert "RECYCLING_IMPLAUSIBLE" not in codes(run(events, thresholds=Thresholds(recycling_y_share=0.2)))


# -- the manufactured share is the backward trace's ---------------------------------------------

FORMS = ("concentrate", "oxide", "scrap", "metal", "alloy", "magnet", "compound")


@st.composite
def lot_graphs(draw):
    """Imports and extractions of random forms and compositions, then transforms that draw on
    earlier lots and make outputs holding what the inputs held, less a random loss."""
    events = []
    made: list[tuple[str, dict[str, float], float]] = []  # lot, composition, mass
    for n in range(draw(st.integers(2, 5))):
        comp = {e: draw(st.floats(0.01, 0.2)) for e in draw(st.sets(st.sampled_from(ELEMENTS[:10]), min_size=1))}
        form = draw(st.sampled_from(FORMS))
        lot = f"O{n}"
        kind = draw(st.sampled_from(("import", "extract")))
        maker = import_ if kind == "import" else extract
        events.append(maker(SEP, f"o{n}", at(n, month=1), new(lot, 1_000.0, comp, form)))
        made.append((lot, comp, 1_000.0))
    for n in range(draw(st.integers(1, 8))):
        picked = draw(st.lists(st.sampled_from(range(len(made))), min_size=1, max_size=3, unique=True))
        inputs = [(made[i][0], draw(st.floats(1.0, 100.0))) for i in picked]
        held: dict[str, float] = {}
        for (_, kg), i in zip(inputs, picked, strict=True):
            for e, f in made[i][1].items():
                held[e] = held.get(e, 0.0) + kg * f
        outputs = []
        for k in range(draw(st.integers(1, 2))):
            part = draw(st.floats(0.2, 0.5))
            mass = sum(kg for _, kg in inputs) * part
            comp = {e: kg * part * draw(st.floats(0.8, 1.0)) / mass for e, kg in held.items()}
            form = draw(st.sampled_from(FORMS))
            outputs.append(new(f"T{n}-{k}", mass, comp, form))
            made.append((f"T{n}-{k}", comp, mass))
        events.append(transform(SEP, f"t{n}", at(10 + n, month=1), "other", inputs, *outputs))
    return events


class _Cut(InMemoryLotSource):
    """The lot graph with manufactured lots made origins: what descends from them is theirs."""

    def creations(self, lots):
        found = super().creations(lots)
        for lot, creation in found.items():
            out = creation.output(lot)
            if out.form in ("metal", "alloy", "magnet") or (creation.type == "import" and out.form == "scrap"):
                found[lot] = Creation(creation.ref, creation.reporter, "import", creation.time, outputs=(out,))
        return found


@settings(max_examples=60, deadline=None)
@given(lot_graphs())
def test_the_manufactured_share_carried_forward_is_the_backward_traces(events):
    records = [RecordedEvent(e, e.time, n) for n, e in enumerate(events)]
    thresholds = Thresholds()
    ledger = Ledger()
    rule = Descent(AuditContext(registry(), controls(), AS_OF, thresholds, ledger))
    for step in _steps(records, AS_OF, thresholds):
        step.introduced = ledger.admit(step.event)
        handler = getattr(rule, f"on_{step.event.type}", None)
        if handler is not None:
            handler(step)
        ledger.apply(step.event)
    cut = _Cut.from_events(events)
    whole = InMemoryLotSource.from_events(events)
    for lot, state in ledger.lots.items():
        trace = backward(lot, cut)
        own = sum(trace.elements_kg.values())
        if own <= 0:
            continue
        from_made = sum(sum(o.elements_kg.values()) for o in trace.origins if _is_manufactured(whole, o.lot))
        assert ree_share(rule.made(lot), state.composition) == pytest.approx(from_made / own, abs=1e-9)


def _is_manufactured(source: InMemoryLotSource, lot: str) -> bool:
    creation = source.creations([lot])[lot]
    out = creation.output(lot)
    return out.form in ("metal", "alloy", "magnet") or (creation.type == "import" and out.form == "scrap")


# -- layered circular trade ---------------------------------------------------------------------


def _away_and_back(*middle, back_day: int = 40, lot: str = "Y"):
    """SEP imports Nd oxide X and ships it to TRADER; `middle` happens; METAL ships `lot` to SEP."""
    return run(
        [
            import_(SEP, "i1", at(0), new("X", 1_000.0, ND_OXIDE, "oxide")),
            ship(SEP, "s1", at(1), ["X"], TRADER, "S1"),
            receive(TRADER, "r1", at(2), ["X"], SEP, "S1"),
            *middle,
            ship(METAL, "s-back", at(back_day - 1), [lot], SEP, "BACK"),
            receive(SEP, "r-back", at(back_day), [lot], METAL, "BACK"),
        ]
    )


def _via_trader(process: str = "repack", draws=(("X", 1_000.0),), *extra):
    return (
        ship(TRADER, "s2", at(5), ["X"], METAL, "S2"),
        receive(METAL, "r2", at(6), ["X"], TRADER, "S2"),
        *extra,
        transform(METAL, "t1", at(7), process, list(draws), new("Y", 1_000.0, ND_OXIDE, "oxide")),
    )


def test_through_two_traders_and_a_repack_within_180_days_is_a_finding():
    findings = _away_and_back(*_via_trader())
    f = one(findings, "LAYERED_CIRCULAR_TRADE")
    assert (f.severity, f.enterprise, f.event, f.lot) == ("high", SEP, f"{SEP}:r-back", "Y")
    assert f.evidence["earlier_lot"] == "X"
    assert f.evidence["path"] == [TRADER, METAL]
    assert f.evidence["days"] == 39
    assert f.evidence["share"] == pytest.approx(1.0)
    assert "CIRCULAR_TRADE" not in codes(findings)  # not the same lot


def test_toll_processing_sent_straight_back_is_no_finding():
    findings = run(
        [
            import_(SEP, "i1", at(0), new("X", 1_000.0, ND_OXIDE, "oxide")),
            ship(SEP, "s1", at(1), ["X"], METAL, "S1"),
            receive(METAL, "r1", at(2), ["X"], SEP, "S1"),
            transform(METAL, "t1", at(3), "metal", [("X", 1_000.0)], new("Y", 840.0, {"Nd": 1.0}, "metal")),
            ship(METAL, "s2", at(4), ["Y"], SEP, "S2"),
            receive(SEP, "r2", at(5), ["Y"], METAL, "S2"),
        ]
    )
    assert "LAYERED_CIRCULAR_TRADE" not in codes(findings)


@pytest.mark.parametrize(("back_day", "finding"), [(181, True), (182, False), (201, False)])
def test_beyond_180_days_from_the_shipment_away_is_no_finding(back_day, finding):
    findings = _away_and_back(*_via_trader(), back_day=back_day)  # shipped away on day 1
    assert ("LAYERED_CIRCULAR_TRADE" in codes(findings)) is finding


def test_through_a_recycling_run_is_no_finding():
    findings = _away_and_back(*_via_trader("recycling"))
    assert "LAYERED_CIRCULAR_TRADE" not in codes(findings)


def test_the_same_lot_back_is_circular_trade_only():
    findings = _away_and_back(
        ship(TRADER, "s2", at(5), ["X"], METAL, "S2"), receive(METAL, "r2", at(6), ["X"], TRADER, "S2"), lot="X"
    )
    assert "CIRCULAR_TRADE" in codes(findings)
    assert "LAYERED_CIRCULAR_TRADE" not in codes(findings)


@pytest.mark.parametrize(("x_kg", "finding"), [(100.0, True), (95.0, False)])
def test_at_least_a_tenth_of_the_rare_earths_must_come_back(x_kg, finding):
    # METAL blends what it got from SEP with its own oxide: X supplies x_kg of 1000 kg of oxide.
    own = import_(METAL, "i-own", at(3), new("OWN", 1_000.0, ND_OXIDE, "oxide"))
    findings = _away_and_back(*_via_trader("other", (("X", x_kg), ("OWN", 1_000.0 - x_kg)), own))
    assert ("LAYERED_CIRCULAR_TRADE" in codes(findings)) is finding
    if finding:
        assert one(findings, "LAYERED_CIRCULAR_TRADE").evidence["share"] == pytest.approx(0.1)


def test_the_layered_thresholds_are_configuration():
    events = _events_of_two_traders()
    assert "LAYERED_CIRCULAR_TRADE" in codes(run(events))
    assert "LAYERED_CIRCULAR_TRADE" not in codes(run(events, thresholds=Thresholds(layered_enterprises=3)))
    assert "LAYERED_CIRCULAR_TRADE" not in codes(run(events, thresholds=Thresholds(layered_days=30)))
    assert "LAYERED_CIRCULAR_TRADE" not in codes(run(events, thresholds=Thresholds(layered_transforms=2)))


def _events_of_two_traders():
    return [
        import_(SEP, "i1", at(0), new("X", 1_000.0, ND_OXIDE, "oxide")),
        ship(SEP, "s1", at(1), ["X"], TRADER, "S1"),
        receive(TRADER, "r1", at(2), ["X"], SEP, "S1"),
        *_via_trader(),
        ship(METAL, "s-back", at(39), ["Y"], SEP, "BACK"),
        receive(SEP, "r-back", at(40), ["Y"], METAL, "BACK"),
    ]


def test_the_findings_do_not_depend_on_the_order_events_are_given_in():
    events = _events_of_two_traders()
    assert of(run(events), "LAYERED_CIRCULAR_TRADE") == of(run(list(reversed(events))), "LAYERED_CIRCULAR_TRADE")


def evasions():
    """Events raising each lineage code once (for the words test, tests/unit/web)."""
    scrap = [
        extract(MAGNET, "x-ore", at(0), new("CONC-S", 1_000.0)),
        transform(
            MAGNET, "relabel", at(1), "repack", [("CONC-S", 1_000.0)], new("FAKE", 1_000.0, CONCENTRATE, "scrap")
        ),
        transform(MAGNET, "rec", at(2), "recycling", [("FAKE", 1_000.0)], new("REC", 300.0, ND_OXIDE, "oxide")),
        import_(MAGNET, "i-dy", at(0), new("DY-OX", 100.0, {"Dy": 0.8713}, "oxide")),
        transform(MAGNET, "div", at(3), "metal", [("DY-OX", 100.0)], new("DY-M", 70.0, {"Dy": 1.0}, "metal")),
    ]
    return [*_events_of_two_traders(), *scrap]


def test_the_evasions_raise_each_code():
    found = [f.code for f in run(evasions()) if f.code.startswith(("ELEMENT", "RECYCLING", "LAYERED"))]
    assert sorted(found) == ["ELEMENT_DIVERTED", "LAYERED_CIRCULAR_TRADE", "RECYCLING_IMPLAUSIBLE"]


# -- the pre-review ------------------------------------------------------------------------------


def _upstream(lot: str, events):
    """What the pre-review takes as a lot's history (reetrace.services.prereview.provenance):
    its ancestors, the events that created them and those that moved them."""
    source = InMemoryLotSource.from_events(events)
    creations = ancestry(lot, source)
    refs = {c.ref for c in creations.values() if c is not None}
    refs |= {e.ref for e in events if isinstance(e, (Ship, Receive)) and set(e.lots) & set(creations)}
    return frozenset(creations), frozenset(refs)


def test_the_pre_review_blocks_a_lot_made_from_laundered_scrap_or_material_traded_round():
    events = [
        *evasions(),
        transform(SEP, "from-y", at(45), "metal", [("Y", 1_000.0)], new("Y-METAL", 800.0, {"Nd": 1.0}, "metal")),
        transform(MAGNET, "from-rec", at(5), "metal", [("REC", 300.0)], new("REC-METAL", 220.0, {"Nd": 1.0}, "metal")),
        transform(MAGNET, "from-dy", at(5), "other", [("DY-M", 70.0)], new("DY-MAG", 70.0, {"Dy": 1.0}, "magnet")),
    ]
    findings = run(events)
    blocked = {}
    for lot in ("Y-METAL", "REC-METAL", "DY-MAG"):
        lots, refs = _upstream(lot, events)
        blocked[lot] = {f.code for f in blocking_findings(findings, lots, refs, frozenset())}
    assert "LAYERED_CIRCULAR_TRADE" in blocked["Y-METAL"]
    assert "RECYCLING_IMPLAUSIBLE" in blocked["REC-METAL"]
    assert "ELEMENT_DIVERTED" in codes(findings)
    assert "ELEMENT_DIVERTED" not in blocked["DY-MAG"]  # a loss off the books: shown, not blocking


def test_the_look_ahead_on_who_reaches_whom_carries_less_and_changes_no_finding():
    """The audit knows ahead whose material can come to whom (`ShipmentIndex.reach`): what an
    enterprise ships that can never come back to it carries no holding, and a holding is dropped
    once the lot is with an enterprise from which nothing comes back; the findings are the same."""
    from dataclasses import replace

    from reetrace.domain.audit import _replay
    from reetrace.domain.rules.base import ShipmentIndex

    events = [
        extract(MINE, "m1", at(0), new("C", 5_000.0, CONCENTRATE)),  # the mine never receives
        ship(MINE, "m2", at(1), ["C"], SEP, "SC"),
        receive(SEP, "r0", at(2), ["C"], MINE, "SC"),
        import_(SEP, "i1", at(3), new("X", 1_000.0, ND_OXIDE, "oxide")),
        ship(SEP, "s1", at(4), ["X"], TRADER, "S1"),
        receive(TRADER, "r1", at(5), ["X"], SEP, "S1"),
        ship(TRADER, "s2", at(6), ["X"], METAL, "S2"),
        receive(METAL, "r2", at(7), ["X"], TRADER, "S2"),
        transform(METAL, "t1", at(8), "repack", [("X", 1_000.0)], new("Y", 1_000.0, ND_OXIDE, "oxide")),
        ship(METAL, "s3", at(9), ["Y"], SEP, "BACK"),
        receive(SEP, "r3", at(10), ["Y"], METAL, "BACK"),
        import_(METAL, "i2", at(11), new("Z", 500.0, ND_OXIDE, "oxide")),
        ship(METAL, "s4", at(12), ["Z"], MAGNET, "ON"),  # the magnet maker ships nothing back
        receive(MAGNET, "r4", at(13), ["Z"], METAL, "ON"),
    ]
    records = [recorded(e) for e in events]
    thresholds = Thresholds()
    steps = _steps(records, AS_OF, thresholds)
    known = ShipmentIndex.of(steps, thresholds)
    assert known.reach is not None
    assert known.reach[MINE] == frozenset({SEP, TRADER, METAL, MAGNET})
    assert known.may_reach(METAL, METAL) and not known.may_reach(MINE, MINE)
    assert not known.may_reach(MAGNET, METAL)
    blind = replace(known, reach=None)
    found = {}
    for name, index in (("known", known), ("blind", blind)):
        found[name] = [f for _, f in _replay(steps, registry(), controls(), AS_OF, thresholds, None, index)]
    assert found["known"] == found["blind"]
    assert codes(of(found["blind"], "LAYERED_CIRCULAR_TRADE")) == ["LAYERED_CIRCULAR_TRADE"]
    carried = {}
    for name, index in (("known", known), ("blind", blind)):
        ctx = AuditContext(registry(), controls(), AS_OF, thresholds, Ledger(), None, index)
        rule = Descent(ctx)
        for step in steps:
            getattr(rule, f"on_{step.event.type}", lambda s: None)(step)
            ctx.ledger.apply(step.event)
            if step.event.event_id in ("m2", "s4"):  # the mine's shipment; the one to the magnet maker
                carried[name, step.event.event_id] = bool(rule._held.get(step.event.lots[0]))
        carried[name, "Z"] = "Z" in rule._held  # at the magnet maker, which returns nothing
    assert carried == {
        ("known", "m2"): False,
        ("blind", "m2"): True,
        ("known", "s4"): False,  # the metal works is on a cycle, but not through the magnet maker
        ("blind", "s4"): True,
        ("known", "Z"): False,
        ("blind", "Z"): True,
    }


@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=40))
def test_who_reaches_whom_is_every_chain_of_received_shipments(pairs):
    """`reachable` (one pass over the strongly connected groups) agrees with following every
    chain of received shipments from each sender."""
    from reetrace.domain.rules.base import reachable

    keys = [f"S|E{a}|E{b}|{i}" for i, (a, b) in enumerate(pairs)]
    onward: dict[str, set[str]] = {}
    for a, b in pairs:
        onward.setdefault(f"E{a}", set()).add(f"E{b}")
    expected = {}
    for start in onward:
        seen, todo = set(), [start]
        while todo:
            for nxt in onward.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        expected[start] = frozenset(seen)
    assert reachable(keys) == expected
