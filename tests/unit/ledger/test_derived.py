"""The rows derived from an event's body (reetrace.ledger.derived), against hand-worked rows and
against ingest's own reading of the same events (the contract's validators)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factory import export, extract, lot, make_uscc, receive, ship, transform
from reetrace.contract.event_facts import validate_event_facts
from reetrace.domain.event_keys import event_keys
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.derived import Underivable, derive, stored_composition, utc_text

MINE, PLANT = make_uscc(1), make_uscc(2)


def body(event: dict) -> str:
    return canonical_bytes(event).decode("utf-8")


def test_a_transform_derives_its_outputs_and_its_draws():
    event = transform(
        "t1",
        "separation",
        [("C1", 1000), ("C2", 250.5)],
        [lot("DY-1", "oxide", 18.3, {"Dy": 0.86, "Tb": 0.01}), lot("ND-1", "oxide", 400, {"Nd": 0.857})],
        time="2026-01-10T08:00:00+08:00",
    )
    derived = derive(41, MINE, body(event))
    assert derived.type == "transform"
    assert derived.time == "2026-01-10T00:00:00.000000+00:00"  # 08:00 in UTC+8
    assert derived.lots == (
        (41, 0, "DY-1", "oxide", 18.3, (("Dy", 0.86), ("Tb", 0.01)), None),
        (41, 1, "ND-1", "oxide", 400.0, (("Nd", 0.857),), None),
    )
    assert derived.draws == ((41, 0, "C1", 1000.0), (41, 1, "C2", 250.5))
    assert derived.keys == ()
    assert derived.digest == hashlib.sha256(body(event).encode()).hexdigest()


def test_moves_derive_their_keys_and_no_lot_rows():
    sent = derive(7, MINE, body(ship("s1", ["C1", "C2"], PLANT, "S9")))
    assert sent.keys == (("L|C1", 7), ("L|C2", 7), (f"S|{MINE}|{PLANT}|S9", 7))
    assert sent.lots == sent.draws == ()
    got = derive(8, PLANT, body(receive("r1", ["C1"], MINE, "S9")))
    assert got.keys == (("L|C1", 8), (f"S|{MINE}|{PLANT}|S9", 8))
    out = derive(9, MINE, body(export("x1", ["DY-1"])))
    assert out.keys == (("L|DY-1", 9), ("X|RE-2026-000001", 9), ("D|CD-x1", 9))


def test_a_consumption_derives_draws():
    event = {
        "event_id": "c1",
        "type": "consume",
        "time": "2026-03-01T00:00:00Z",
        "lots": [{"lot": "M-1", "mass_kg": 2}],
        "purpose": "motors",
    }
    derived = derive(3, MINE, body(event))
    assert derived.draws == ((3, 0, "M-1", 2.0),)
    assert derived.time == "2026-03-01T00:00:00.000000+00:00"


def test_times_keep_microseconds_and_drop_what_is_finer():
    assert utc_text("2026-01-01T00:00:00.1234567-05:30") == "2026-01-01T05:30:00.123456+00:00"
    assert utc_text("2026-01-01t23:59:59.5z") == "2026-01-01T23:59:59.500000+00:00"


def test_stored_compositions_compare_by_value_not_text():
    assert stored_composition('{"Nd":0.25,"Dy":1}') == (("Dy", 1.0), ("Nd", 0.25))
    assert stored_composition("not json")[0][0] == "<unreadable>"


def test_a_body_that_is_not_an_event_is_underivable():
    with pytest.raises(Underivable):
        derive(1, MINE, '{"type":"extract"}')
    with pytest.raises(Underivable):
        derive(1, MINE, "[")


offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2090, 1, 1), timezones=offsets)
fractions = st.sampled_from(["", ".5", ".000001", ".1234567", ".999999999"])
masses = st.floats(min_value=0.001, max_value=1e9, allow_nan=False) | st.integers(min_value=1, max_value=10**6)
shares = st.floats(min_value=0.0001, max_value=0.3, allow_nan=False) | st.just(0) | st.just(0.3)


@settings(max_examples=200, deadline=None)
@given(moment=moments, fraction=fractions, mass=masses, share=shares, kind=st.sampled_from(["extract", "ship", "tf"]))
def test_derived_rows_are_what_ingest_reads_from_the_same_event(moment, fraction, mass, share, kind):
    """Differential: the rows derived from the stored body equal those ingest worked out from
    the submitted event through the contract's validators."""
    text = moment.replace(microsecond=0).isoformat()
    time = text[:19] + fraction + text[19:]
    if kind == "extract":
        event = extract("e1", "C1", mass, time=time, composition={"Ce": share, "Dy": 0.01})
    elif kind == "ship":
        event = ship("s1", ["C1", "C2", "C1x"], PLANT, "S1", time=time)
    else:
        event = transform("t1", "separation", [("C1", mass)], [lot("O1", "oxide", mass, {"Nd": share})], time=time)
    (facts,) = validate_event_facts([event], datetime(2091, 1, 1, tzinfo=UTC))
    derived = derive(5, MINE, body(event))
    assert derived.time == facts.time
    assert derived.lots == tuple(
        (5, i, o[0], o[1], o[2], tuple(sorted((e, float(v)) for e, v in o[3].items())), o[4])
        for i, o in enumerate(facts.outputs)
    )
    assert derived.draws == tuple((5, i, d[0], d[1]) for i, d in enumerate(facts.draws))
    assert derived.keys == tuple((k, 5) for k in event_keys(MINE, facts.type, event))
    assert datetime.fromisoformat(derived.time).tzinfo == UTC
