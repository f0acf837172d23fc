"""Years that close (reetrace.domain.closing): replaying from a closed year's opening finds what
a replay of the whole ledger finds, and an opening says when it no longer holds."""

from datetime import date, datetime, timedelta

import pytest
from builders import (
    CST,
    EVERYONE,
    MINE,
    consume,
    controls,
    export,
    extract,
    license_,
    new,
    receive,
    recorded,
    registry,
    ship,
    transform,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.domain import closing
from reetrace.domain.audit import _steps, audit_stream, close_stream
from reetrace.domain.event_keys import shipment_key
from reetrace.domain.events import Receive
from reetrace.domain.findings import Thresholds
from reetrace.domain.registry import Quota
from reetrace.domain.rules.base import ShipmentIndex, reachable

CONTROLS = controls()
THRESHOLDS = Thresholds()
AS_OF = date(2026, 12, 31)
# Moments on both sides of two year ends (China time), ties included.
_TIMES = [
    datetime(2024, 12, 20, 9, tzinfo=CST),
    datetime(2024, 12, 31, 23, 30, tzinfo=CST),
    datetime(2025, 1, 1, 0, 0, tzinfo=CST),
    datetime(2025, 6, 1, 9, tzinfo=CST),
    datetime(2025, 12, 31, 23, 59, tzinfo=CST),
    datetime(2026, 1, 1, 0, 0, tzinfo=CST),
    datetime(2026, 2, 1, 9, tzinfo=CST),
]
_LOTS = [f"L{i}" for i in range(5)]


@st.composite
def _years(draw):
    events = []
    for i in range(draw(st.integers(1, 30))):
        who = draw(st.sampled_from(EVERYONE[:3]))
        other = draw(st.sampled_from(EVERYONE[:3]))
        when = draw(st.sampled_from(_TIMES))
        lot = draw(st.sampled_from(_LOTS))
        mass = float(draw(st.integers(0, 3)) * 50)
        kind = draw(st.integers(0, 5))
        eid = f"ev{i}"
        if kind == 0:
            events.append(extract(who, eid, when, new(lot, mass or 10.0, {"Nd": 0.5, "Dy": 0.01}, "oxide")))
        elif kind == 1:
            events.append(ship(who, eid, when, [lot], other, f"S{i % 3}"))
        elif kind == 2:
            events.append(receive(who, eid, when, [lot], other, f"S{i % 3}", mass_kg=mass or None))
        elif kind == 3:
            output = new(draw(st.sampled_from(_LOTS)), 20.0, {"Nd": 0.6}, "oxide")
            events.append(transform(who, eid, when, "separation", [(lot, mass)], output))
        elif kind == 4:
            events.append(consume(who, eid, when, [(lot, mass)]))
        else:
            events.append(export(who, eid, when, [lot], draw(st.sampled_from([None, "RE-2026-000123"]))))
    late = datetime(2026, 5, 1, tzinfo=CST)
    return [recorded(e, received_at=late if n % 4 == 0 else None, seq=n + 1) for n, e in enumerate(events)]


def _registry():
    return registry(
        licenses=[license_(exporter=MINE, items=[("Dy", "oxide", 60.0)])],
        quotas=[Quota(2025, MINE, "mining", "rock", 0.05), Quota(2026, MINE, "mining", "rock", 0.05)],
    )


def _sources(records, reg, as_of=AS_OF):
    steps = _steps(records, as_of, THRESHOLDS)
    shipments = ShipmentIndex.of(steps, THRESHOLDS)

    def reach_before(limit):
        received = [s.event for s in steps if isinstance(s.event, Receive) and s.time < limit]
        return reachable(shipment_key(r.sender, r.reporter, r.shipment) for r in received)

    return closing.Sources(reg, CONTROLS, THRESHOLDS, closing.CustomsRecords(), shipments, reach_before)


def _in_time_order(records, since=None, before=None):
    chosen = [
        r for r in records if (since is None or r.event.time >= since) and (before is None or r.event.time < before)
    ]
    return sorted(chosen, key=lambda r: (r.event.time, r.event.reporter, r.event.event_id))


def _contract(keyed):
    return [(key, finding.as_contract()) for key, finding in keyed]


def _close_two_years(records, sources, as_of=AS_OF):
    b2025, b2026 = closing.boundary(2025, THRESHOLDS), closing.boundary(2026, THRESHOLDS)
    first = close_stream(_in_time_order(records, before=b2025), 2024, as_of, sources)
    first = closing.load(closing.dump(first))  # as a later audit has it: stored and read back
    second = close_stream(_in_time_order(records, b2025, b2026), 2025, as_of, sources, first)
    return first, closing.load(closing.dump(second))


@settings(max_examples=150, deadline=None)
@given(_years())
def test_an_audit_from_closed_years_finds_what_the_whole_replay_finds(records):
    sources = _sources(records, _registry())
    expected = audit_stream(_in_time_order(records), *sources[:2], AS_OF, THRESHOLDS, None, sources.shipments)
    _, opening = _close_two_years(records, sources)
    later = _in_time_order(records, since=opening.boundary)
    resumed = audit_stream(later, *sources[:2], AS_OF, THRESHOLDS, None, sources.shipments, opening)
    assert _contract(resumed) == _contract(expected)
    assert closing.changed(opening.journal, sources) == []


@settings(max_examples=60, deadline=None)
@given(_years())
def test_the_state_digest_is_the_same_however_the_state_was_reached(records):
    sources = _sources(records, _registry())
    _, by_steps = _close_two_years(records, sources)
    at_once = close_stream(_in_time_order(records, before=by_steps.boundary), 2025, AS_OF, sources)
    assert at_once.digest() == by_steps.digest()
    assert closing.load(closing.dump(at_once)).digest() == at_once.digest()


def test_a_different_state_has_a_different_digest():
    records = [recorded(extract(MINE, "e1", _TIMES[0], new("L1", 10.0, {"Nd": 0.5}, "oxide")), seq=1)]
    sources = _sources(records, _registry())
    one = close_stream(_in_time_order(records), 2024, AS_OF, sources)
    heavier = [recorded(extract(MINE, "e1", _TIMES[0], new("L1", 10.5, {"Nd": 0.5}, "oxide")), seq=1)]
    other = close_stream(_in_time_order(heavier), 2024, AS_OF, _sources(heavier, _registry()))
    assert one.digest() != other.digest()


def test_a_changed_answer_is_named():
    # 2025's shipment was received in time when the year was closed; a later receipt record
    # moves its first receipt, and the journal says which question no longer has its answer.
    shipped = recorded(ship(MINE, "s1", _TIMES[3], ["L1"], EVERYONE[1], "S1"), seq=2)
    records = [
        recorded(extract(MINE, "e1", _TIMES[0], new("L1", 10.0, {"Nd": 0.5}, "oxide")), seq=1),
        shipped,
    ]
    sources = _sources(records, _registry())
    opening = close_stream(_in_time_order(records, before=closing.boundary(2026, THRESHOLDS)), 2025, AS_OF, sources)
    received = recorded(receive(EVERYONE[1], "r1", _TIMES[6], ["L1"], MINE, "S1"), seq=3)
    now = _sources([*records, received], _registry())
    assert [q[0] for q in closing.changed(opening.journal, now)] == ["first_receipt"]
    assert closing.changed(opening.journal, sources._replace(registry=registry(qualified=[])))[:1] == [
        ("qualified", MINE, "mining", _TIMES[0].date())
    ]


def test_a_year_closes_only_after_its_deadlines():
    with pytest.raises(ValueError, match="at the earliest"):
        close_stream([], 2025, date(2026, 1, 5), _sources([], _registry()))
    assert closing.earliest_close(2025, THRESHOLDS) >= date(2025, 12, 31) + timedelta(days=1)


def test_a_stored_opening_names_only_the_domains_classes():
    import gzip
    import pickle

    with pytest.raises(pickle.UnpicklingError, match="may not"):
        closing.load(gzip.compress(pickle.dumps(pickle.Pickler)))


def test_every_evasion_is_found_whichever_instant_the_year_ends_at():
    # The lineage evasions (layered circular trade, diverted elements, implausible recycling) and
    # the two traders' chain, moved so that 2025 ends between each pair of their instants in turn.
    from dataclasses import replace

    from test_rules_descent import evasions

    events = evasions()
    instants = sorted({e.time for e in events})
    for before, after in zip(instants, instants[1:], strict=False):
        shift = datetime(2026, 1, 1, tzinfo=CST) - after
        moved = [replace(e, time=e.time + shift) for e in events]
        records = [recorded(e, seq=n + 1) for n, e in enumerate(moved)]
        reg = registry()
        sources = _sources(records, reg)
        whole = audit_stream(_in_time_order(records), *sources[:2], AS_OF, THRESHOLDS, None, sources.shipments)
        end = closing.boundary(2026, THRESHOLDS)
        opening = closing.load(closing.dump(close_stream(_in_time_order(records, before=end), 2025, AS_OF, sources)))
        later = _in_time_order(records, since=end)
        resumed = audit_stream(later, *sources[:2], AS_OF, THRESHOLDS, None, sources.shipments, opening)
        assert _contract(resumed) == _contract(whole), f"the year ending between {before} and {after}"
        assert {"ELEMENT_DIVERTED", "LAYERED_CIRCULAR_TRADE"} <= {f.code for _, f in resumed}


def _one_shipment_closed():
    """One shipment of 2025, shipped and received in time, and 2025 closed (stored and read back)."""
    ship_day = datetime(2025, 6, 1, 9, tzinfo=CST)
    records = [
        recorded(extract(MINE, "e1", _TIMES[0], new("L1", 10.0, {"Nd": 0.5}, "oxide")), seq=1),
        recorded(ship(MINE, "s1", ship_day, ["L1"], EVERYONE[1], "S1"), seq=2),
        recorded(receive(EVERYONE[1], "r1", ship_day + timedelta(days=3), ["L1"], MINE, "S1"), seq=3),
    ]
    sources = _sources(records, _registry())
    end = closing.boundary(2026, THRESHOLDS)
    opening = closing.load(closing.dump(close_stream(_in_time_order(records, before=end), 2025, AS_OF, sources)))
    return ship_day, records, sources, opening


def test_a_shipment_asked_about_with_the_usual_answer_is_named_when_its_answer_changes():
    # Received in time when the year closed; a ship of the same shipment recorded afterwards,
    # dated two months earlier, makes the receipt late. The opening keeps only a hash of the
    # shipments asked about with the usual answer, and still names this one.
    ship_day, records, sources, opening = _one_shipment_closed()
    assert closing.changed(opening.journal, sources) == []
    earlier = recorded(ship(MINE, "s0", ship_day - timedelta(days=60), ["L1"], EVERYONE[1], "S1"), seq=4)
    now = _sources([*records, earlier], _registry())
    assert closing.changed(opening.journal, now) == [("first_receipt", shipment_key(MINE, EVERYONE[1], "S1"))]


def test_a_receipt_shipped_again_in_a_later_year_reopens_the_year_that_forgot_it():
    # The ledger forgets a receipt no later ship asks about. A ship of the same shipment recorded
    # in the next year asks about it: the closed year's answer has changed.
    key = shipment_key(MINE, EVERYONE[1], "S1")
    _, records, sources, opening = _one_shipment_closed()
    assert opening.ledger._received == set() and closing.changed(opening.journal, sources) == []
    again = recorded(ship(EVERYONE[1], "s9", datetime(2026, 2, 1, 9, tzinfo=CST), ["L1"], MINE, "S1"), seq=4)
    assert closing.changed(opening.journal, _sources([*records, again], _registry())) == []  # another shipment
    again = recorded(ship(MINE, "s2", datetime(2026, 2, 1, 9, tzinfo=CST), ["L1"], EVERYONE[1], "S1"), seq=4)
    assert closing.changed(opening.journal, _sources([*records, again], _registry())) == [("reshipped", key)]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.one_of(st.text(max_size=12), st.text(alphabet="AB09-:", max_size=30)), st.integers()))
def test_a_mapping_is_walked_in_the_order_of_its_keys_encodings_however_it_is_sorted(mapping):
    expected = sorted((closing._encode(k), k) for k in mapping)
    assert list(closing._in_order(mapping)) == expected
