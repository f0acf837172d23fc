"""The fast checks of ingest agree with the contract's Pydantic models: they never vouch for an
event the models refuse, they give the very facts the models give, and the verdicts and
messages of a whole submission's events are the models' own, the bounds included (event times
from 1990 to 24 hours after receipt, masses up to 10^9 kg, `ext` within 16 KiB and 32 levels,
no U+0000 in text)."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factory import CONCENTRATE, export, extract, lot, make_uscc, receive, ship, transform
from reetrace.contract import event_facts, submission
from reetrace.contract.event_facts import _shape, facts_of, utc_text
from reetrace.contract.submission import ExtractIn, InvalidDocument, ShipIn
from reetrace.domain.elements import ELEMENTS
from reetrace.ledger.canonical import NotJson, OutOfBounds, ParsedJson
from reetrace.store.timefmt import to_utc_text

USCCS = [make_uscc(n) for n in (1, 2, 3)]
RECEIVED = datetime(2026, 12, 1, 8, 0, 0, 250_000, tzinfo=timezone(timedelta(hours=8)))  # the submissions' receipt
LATEST = utc_text(RECEIVED + timedelta(hours=24))


def fast_facts(event):
    return event_facts.fast_facts(event, LATEST)


def validate_model(event):
    return submission.validate_model(event, RECEIVED)


def validate_event_facts(raw_events):
    return event_facts.validate_event_facts(raw_events, RECEIVED)


def validate_event_models(raw_events):
    return submission.validate_event_models(raw_events, RECEIVED)


DEEP: object = "x"
for _ in range(33):
    DEEP = [DEEP]
NOT_USCC = USCCS[0][:-1] + ("0" if USCCS[0][-1] != "0" else "1")

# values on the edge of some check: any member may get one
EDGES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2**53,
    2**53 + 1,
    10**400,
    0.0,
    -0.0,
    1.0,
    1.0000001,
    0.5,
    1e-5,
    -1e-9,
    1e300,
    10**9,
    10**9 + 1,
    1e9,
    1000000000.0000001,
    -1e9,
    -1000000000.0000001,
    float("nan"),
    float("inf"),
    float("-inf"),
    "",
    " ",
    "x",
    "a" * 81,
    "a" * 129,
    "a" * 501,
    "é",
    "a\ud800",
    "\udc00",
    "a\x00",
    "\x00",
    "L1\n",
    "bad lot!",
    "L1",
    "O1",
    "\uff21\uff22",
    "١٢",
    "DE",
    "de",
    "DE\n",
    "rock",
    "Rock",
    "oxide",
    "separation",
    "2805",
    "28461\n",
    "P 1",
    "e1",
    [],
    ["L1"],
    ["L1", "L1"],
    [1],
    [{}],
    {},
    {"La": 0.5},
    {"La": 1.5},
    {"Xx": 0.1},
    {"lot": "L9", "mass_kg": 1.0},
    "2026-01-01T00:00:00+08:00",
    "2026-01-01T00:00:00",
    "2026-02-30T00:00:00Z",
    "2026-01-01T24:00:00Z",
    "2026-01-01T00:00:60+08:00",
    "2026-01-01T00:00:00+24:00",
    "2026-01-01T00:00:00+08:00\n",
    "2026-01-05T08:00:00+05:30",
    "2026-12-31T23:59:59-00:30",
    "2026-01-01T00:00:00-09:00",
    "2024-02-29T23:00:00Z",
    "1990-01-01T00:00:00+08:00",
    "1989-12-31T15:59:59.999999Z",
    "1989-12-31T16:00:00Z",
    "0001-01-01T00:00:00+08:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-08:00",
    "9999-12-31T23:59:59+08:00",
    "2026-12-02T08:00:00.25+08:00",
    "2026-12-02T08:00:00.250001+08:00",
    "2026-12-02T00:00:00.250000Z",
    "2026-12-02T00:00:00.250001Z",
    {"note": "x" * (16 << 10)},
    {"note": "x" * ((16 << 10) - 11)},
    DEEP,
    [DEEP],
    {"n": 2**60},
    {"n": float("inf")},
    USCCS[1],
    NOT_USCC,
    USCCS[0].lower(),
    f"{USCCS[0]}/P1",
    f"{USCCS[0]}/P 1",
    f"{USCCS[0]}/P\x1c",
]
TRICKY = st.sampled_from(EDGES)


def either(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly `valid`, now and then any edge value."""
    return st.integers(0, 24).flatmap(lambda i: TRICKY if i == 13 else valid)


def valid_or(valid: st.SearchStrategy, *values: object) -> st.SearchStrategy:
    """`valid` nine times in ten, else one of `values` (on the edge of this member's check)."""
    return st.integers(0, 9).flatmap(lambda i: st.sampled_from(values) if i == 5 else valid)


one_of = st.sampled_from
fraction = either(valid_or(st.floats(0, 0.3) | st.integers(0, 1), 1e-5, 0.0001, 1 / 3, 1.0000001, -0.0, True, "0.1"))
kg = either(
    valid_or(
        st.floats(0, 1e7) | st.integers(0, 10**6),
        True,
        False,
        -0.0,
        0,
        2**53,
        2**53 + 1,
        -1e-9,
        float("nan"),
        float("inf"),
        "5",
        None,
        10**9,
        10**9 + 1,
        1e9,
        1000000000.0000001,
    )
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.floats(9.99e8, 1.001e9)
    | st.integers(-10, 2**54)
)
lot_id = either(
    valid_or(
        st.from_regex(r"[A-Za-z0-9._:/-]{1,80}", fullmatch=True) | one_of(["L1", "L2", "L3"]),
        "L1\n",
        "bad lot!",
        "é",
        "a" * 81,
        "a\ud800",
        7,
    )
)
text = either(
    valid_or(
        st.text(min_size=1, max_size=8) | one_of(["a" * 500, "\U0001f600", " "]),
        "a" * 501,
        "",
        "a\ud800",
        "\udc00",
        0,
        ["a"],
    )
)
country = either(valid_or(st.from_regex(r"[A-Z]{2}", fullmatch=True), "de", "DEU", "DE\n", "ＤＥ"))
uscc = either(valid_or(one_of(USCCS), NOT_USCC, USCCS[0].lower(), USCCS[0] + "\n", " " + USCCS[0]))
ZONES = [
    UTC,
    timezone(timedelta(hours=8)),
    timezone(-timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=23)),
    timezone(-timedelta(hours=12)),
]
# mostly around the bounds (1990, and a day after receipt); now and then any year but 1 and
# 9999, where some times with an offset have no UTC text at all
rfc3339 = st.builds(
    lambda moment, spec, zone: moment.replace(tzinfo=zone).isoformat(timespec=spec),
    st.datetimes(datetime(1989, 12, 30), datetime(1990, 1, 2))
    | st.datetimes(datetime(1990, 1, 1), datetime(2026, 12, 3))
    | st.datetimes(datetime(2026, 11, 30), datetime(2026, 12, 3))
    | st.datetimes(datetime(2, 1, 1), datetime(9998, 12, 31)),
    one_of(["seconds", "milliseconds", "microseconds", "auto"]),
    one_of(ZONES),
)
time = either(
    valid_or(
        rfc3339 | one_of(["2026-01-01t00:00:00z", "2026-01-01T00:00:00.123456789Z"]),
        "2026-01-01T00:00:00",
        "2026-02-30T00:00:00Z",
        "2026-01-01T00:00:00+08:00\n",
        "２０２６-01-01T00:00:00Z",
        1.5,
    )
)
site = either(
    st.builds(
        lambda u, code: f"{u}/{code}",
        one_of(USCCS),
        valid_or(
            st.text(string.ascii_letters + string.digits + "-._", min_size=1, max_size=64),
            "P 1",
            "P/1",
            "P1\n",
            "é",
            "\x1c",
            "\x7f",
            "\u3000",
            "a" * 65,
        ),
    )
)
composition = either(st.dictionaries(one_of(ELEMENTS + ("Xx",)), fraction, max_size=4))
form = either(valid_or(one_of(["oxide", "metal", "concentrate"]), "Oxide", "oxide\n"))
hs_code = either(valid_or(st.none() | st.from_regex(r"[0-9]{4,10}", fullmatch=True), "284", "28461\n", 2846))
output = st.fixed_dictionaries(
    {"lot": lot_id, "form": form, "mass_kg": kg, "composition": composition}, optional={"hs_code": hs_code}
)
draw = st.fixed_dictionaries({"lot": lot_id, "mass_kg": kg})
outputs = either(st.lists(either(output), min_size=1, max_size=3))
draws = either(st.lists(either(draw), min_size=1, max_size=3))
lot_ids = either(st.lists(lot_id, min_size=1, max_size=3))
event_id = either(valid_or(st.text(min_size=1, max_size=6) | st.just("e" * 128), "e" * 129, "a\ud800", ""))
COMMON = {"event_id": event_id, "time": time}
ext = st.none() | st.integers() | st.text(max_size=3) | one_of([DEEP, {"n": 2**60}, {"big": "x" * (16 << 10)}])
OPTIONAL_COMMON = {"site": either(st.none() | site), "ext": ext}

SHAPES = {
    "extract": {"deposit": either(valid_or(one_of(["rock", "ion_adsorption"]), "Rock")), "outputs": outputs},
    "import": {"origin_country": country, "customs_declaration": text, "outputs": outputs},
    "transform": {
        "process": either(valid_or(one_of(["separation", "metal"]), "smelting")),
        "inputs": draws,
        "outputs": outputs,
    },
    "ship": {"lots": lot_ids, "to": uscc, "shipment": text},
    "receive": {"lots": lot_ids, "from": uscc, "shipment": text},
    "export": {"lots": lot_ids, "consignee": text, "destination": country, "customs_declaration": text},
    "consume": {"lots": draws, "purpose": text},
    "adjust": {"lot": lot_id, "delta_kg": kg, "reason": text},
}
OPTIONAL = {"receive": {"mass_kg": either(st.none() | kg)}, "export": {"license_no": either(st.none() | text)}}


@st.composite
def events(draw_from):
    kind = draw_from(one_of(sorted(SHAPES)))
    members = st.fixed_dictionaries({**COMMON, **SHAPES[kind]}, optional={**OPTIONAL_COMMON, **OPTIONAL.get(kind, {})})
    event = draw_from(members)
    event["type"] = draw_from(either(st.just(kind)))
    mutation = draw_from(one_of(["none"] * 12 + ["drop", "extra", "from_"]))
    if mutation == "drop":
        event.pop(draw_from(one_of(sorted(event))))
    elif mutation == "extra":
        event[draw_from(one_of(["extra", "mass_kg", "lots", "outputs", "site"]))] = draw_from(TRICKY)
    elif mutation == "from_" and "from" in event:
        event["from_"] = event.pop("from")
    return event


def verdict(validate, raw_events):
    try:
        return "ok", validate(raw_events)
    except InvalidDocument as exc:
        return str(exc), exc.event


def assert_same_facts(fast, model):
    expected = facts_of(model)
    assert fast == expected
    assert repr(fast) == repr(expected)  # types too: floats, never ints or -0.0 for 0.0
    assert fast.time == to_utc_text(model.time)  # the ledger's own form of the model's time


@settings(max_examples=400, deadline=None)
@given(events())
def test_fast_checks_vouch_only_for_what_the_models_accept(event):
    fast = fast_facts(event)
    try:
        model = validate_model(event)
    except InvalidDocument:
        assert fast is None
        return
    if fast is not None:
        assert_same_facts(fast, model)


def assert_same_verdict(raw_events):
    expected = verdict(validate_event_models, raw_events)
    got = verdict(validate_event_facts, raw_events)
    if expected[0] == "ok":
        assert got[0] == "ok"
        for facts, model in zip(got[1], expected[1], strict=True):
            assert_same_facts(facts, model)
    else:
        assert got == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(events(), min_size=1, max_size=3), st.booleans())
def test_a_submissions_events_get_the_models_verdicts_and_messages(raw_events, clash):
    if clash and len(raw_events) > 1 and isinstance(raw_events[0], dict):
        raw_events[-1] = {**raw_events[-1], "event_id": raw_events[0].get("event_id")}
    assert_same_verdict(raw_events)


@settings(max_examples=100, deadline=None)
@given(events())
def test_parsed_json_gets_the_same_verdict(event):
    """As ingest sees events: parsed by ParsedJson (integral numbers as ints, lone surrogates
    from escapes), which refuses the constants NaN and Infinity that json.dumps writes and
    JSON has not, and nesting deeper than 32 levels (with the list of events, the event is one)."""
    text = json.dumps(event)
    try:
        parsed = ParsedJson(text.encode())
    except NotJson:
        assert "NaN" in text or "Infinity" in text
        return
    except OutOfBounds:
        assert depth([event]) > 32
        return
    assert_same_verdict([parsed.value])


def depth(value) -> int:
    """Levels of nesting, the plain recursive way."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


def test_the_fast_checks_vouch_for_valid_events_of_every_shape():
    mine, plant = USCCS[0], USCCS[1]
    valid = [
        extract("e1", "L1"),
        extract("e2", "L2", mass_kg=5, composition={"La": 1}),
        {**extract("e3", "L3"), "site": f"{mine}/P1", "ext": {"note": [1, 2.5, None]}},
        {
            "event_id": "e4",
            "type": "import",
            "time": "2026-01-05T08:00:00Z",
            "origin_country": "MM",
            "customs_declaration": "CD-1",
            "outputs": [{**lot("I1", "oxide", 10.5, {"Dy": 0.8}), "hs_code": "2846901"}],
        },
        transform("e5", "separation", [("L1", 600.0), ("L2", 5)], [lot("O1", "oxide", 100.0, {"Nd": 0.7, "Pr": 0.2})]),
        ship("e6", ["L1", "L2"], plant, "S1"),
        receive("e7", ["L1"], mine, "S1", mass_kg=999.5),
        receive("e8", ["L1"], mine, "S1"),
        export("e9", ["O1"]),
        export("e10", ["O1"], license_no=None, consignee="德国某公司"),
        {
            "event_id": "e11",
            "type": "consume",
            "time": "2026-01-05T08:00:00.123+08:00",
            "lots": [{"lot": "O1", "mass_kg": 1}],
            "purpose": "magnets",
        },
        {
            "event_id": "e12",
            "type": "adjust",
            "time": "2026-01-05t08:00:00z",
            "lot": "O1",
            "delta_kg": -0.5,
            "reason": "stock-take",
        },
    ]
    for event in valid:
        fast = fast_facts(event)
        assert fast is not None, event
        assert_same_facts(fast, validate_model(event))
    [facts] = validate_event_facts([valid[4]])
    assert facts.draws == (("L1", 600.0), ("L2", 5.0)) and type(facts.draws[1][1]) is float
    assert facts.outputs == (("O1", "oxide", 100.0, {"Nd": 0.7, "Pr": 0.2}, None),)


def valid_events() -> list[dict]:
    mine, plant = USCCS[0], USCCS[1]
    return [
        {**extract("e1", "L1"), "site": f"{mine}/P1", "ext": {"note": 1}},
        {
            "event_id": "e4",
            "type": "import",
            "time": "2026-01-05T08:00:00Z",
            "origin_country": "MM",
            "customs_declaration": "CD-1",
            "outputs": [{**lot("I1", "oxide", 10.5, {"Dy": 0.8}), "hs_code": "2846901"}],
        },
        transform("e5", "separation", [("L1", 600.0), ("L2", 5)], [lot("O1", "oxide", 100.0, {"Nd": 0.7, "Pr": 0.2})]),
        ship("e6", ["L1", "L2"], plant, "S1"),
        receive("e7", ["L1"], mine, "S1", mass_kg=999.5),
        export("e9", ["O1"]),
        {
            "event_id": "e11",
            "type": "consume",
            "time": "2026-01-05T08:00:00.123+08:00",
            "lots": [{"lot": "O1", "mass_kg": 1}],
            "purpose": "magnets",
        },
        {
            "event_id": "e12",
            "type": "adjust",
            "time": "2026-01-05T08:00:00+08:00",
            "lot": "O1",
            "delta_kg": -0.5,
            "reason": "stock-take",
        },
    ]


def with_one_edge(value, edge):
    """Copies of `value` with one member, item or the whole replaced by `edge` (or a member
    dropped, or one added), at every depth."""
    yield edge
    if isinstance(value, dict):
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
            for changed in with_one_edge(value[key], edge):
                yield {**value, key: changed}
        yield {**value, "extra": edge}
    elif isinstance(value, list):
        for i, item in enumerate(value):
            for changed in with_one_edge(item, edge):
                yield value[:i] + [changed] + value[i + 1 :]
        yield value + [edge]


def test_every_single_edge_gets_the_models_verdict():
    vouched = refused = 0
    for event in valid_events():
        for edge in EDGES:
            for changed in with_one_edge(event, edge):
                fast = fast_facts(changed)
                try:
                    model = validate_model(changed)
                except InvalidDocument:
                    assert fast is None, changed
                    refused += 1
                    continue
                if fast is not None:
                    assert_same_facts(fast, model)
                    vouched += 1
    assert vouched > 1000 and refused > 10_000  # both sides exercised


def test_the_fast_checks_vouch_for_the_demo_year():
    from reetrace.demo import generate

    demo = generate(seed=3, scale=0.3, year=2025)
    raw = [e for doc in demo.submissions for e in ParsedJson(json.dumps(doc).encode()).value["events"]]
    assert len({e["type"] for e in raw}) == 8
    for event in raw:
        fast = fast_facts(event)
        assert fast is not None, event
        assert_same_facts(fast, validate_model(event))


@pytest.mark.parametrize(
    "event, words",
    [
        (extract("e1", "L1", mass_kg=0), "outputs[0].mass_kg: Input should be greater than 0"),
        ({**extract("e1", "L1"), "extra": 1}, "extra: unknown member"),
        (extract("e1", "L1", composition={**CONCENTRATE, "La": 0.9}), "more than 1"),
        (ship("e1", ["L1", "L1"], USCCS[1], "S1"), "lot L1 is named twice"),
        (transform("e1", "separation", [("L1", 1.0)], [lot("L1", "oxide", 1.0, {})]), "both an input and an output"),
        ({**ship("e1", ["L1"], USCCS[1], "S1"), "shipment": "a\ud800"}, "valid string"),
    ],
)
def test_refusals_keep_the_models_messages(event, words):
    with pytest.raises(InvalidDocument) as caught:
        validate_event_facts([extract("e0", "L0"), event])
    assert str(caught.value).startswith("events[1]: ") and words in str(caught.value)
    assert caught.value.event == "e1"
    assert verdict(validate_event_facts, [event]) == verdict(validate_event_models, [event])


def test_a_model_and_its_fast_checks_cannot_drift_apart():
    _shape(ShipIn, lambda e: ((), ()), ("lots", "to", "shipment"))
    with pytest.raises(AssertionError, match="out of step"):
        _shape(ShipIn, lambda e: ((), ()), ("lots", "to"))
    with pytest.raises(AssertionError, match="out of step"):
        _shape(ExtractIn, lambda e: ((), ()), ("deposit", "outputs", "hs_code"))
