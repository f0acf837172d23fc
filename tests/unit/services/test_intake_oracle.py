"""Authentication writes what the transparency log was always made of: every event's body,
digest and leaf, its time and lot indexes, and the submission's digest are what the contract's
Pydantic models and the RFC 8785 reference implementation give, for real submissions (a demo
year) and for edge cases of numbers and text. Submissions also cross process boundaries intact."""

from __future__ import annotations

import base64
import hashlib
import json
import pickle
from datetime import datetime

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from factory import World, export, extract, lot, receive, ship, transform
from reetrace.contract.submission import validate_event_models
from reetrace.demo import generate
from reetrace.domain.elements import ELEMENTS
from reetrace.domain.event_keys import event_keys
from reetrace.domain.registry import SigningKey
from reetrace.domain.submissions import Authenticated, PreparedEvent, Rejection
from reetrace.ledger.merkle import leaf_data, leaf_hash
from reetrace.services.intake import _composition_json, authenticate
from reetrace.store.timefmt import to_utc_text


def keys_of(registry: dict) -> tuple[dict[str, SigningKey], set[str]]:
    keys = {}
    for enterprise in registry["enterprises"]:
        for k in enterprise["keys"]:
            keys[k["key_id"]] = SigningKey(
                k["key_id"],
                enterprise["uscc"],
                base64.b64decode(k["public_key"]),
                datetime.fromisoformat(k["valid_from"]),
                datetime.fromisoformat(k["revoked_at"]) if k.get("revoked_at") else None,
            )
    return keys, {e["uscc"] for e in registry["enterprises"]}


def reference(doc: dict) -> tuple[str, list[PreparedEvent]]:
    """The submission digest and prepared events, from the models and the reference encoder."""
    reporter = doc["reporter"]
    signed = rfc8785.dumps({k: v for k, v in doc.items() if k != "signature"})
    events = []
    for raw, m in zip(doc["events"], validate_event_models(doc["events"]), strict=True):
        body = rfc8785.dumps(raw)
        text = body.decode("utf-8")
        outputs: tuple = ()
        draws: tuple = ()
        if m.type in ("extract", "import", "transform"):
            outputs = tuple(
                (o.lot, o.form, o.mass_kg, json.dumps(o.composition, sort_keys=True, separators=(",", ":")), o.hs_code)
                for o in m.outputs
            )
        if m.type == "transform":
            draws = tuple((d.lot, d.mass_kg) for d in m.inputs)
        elif m.type == "consume":
            draws = tuple((d.lot, d.mass_kg) for d in m.lots)
        events.append(
            PreparedEvent(
                m.event_id,
                m.type,
                to_utc_text(m.time),
                text,
                hashlib.sha256(body).hexdigest(),
                outputs,
                draws,
                leaf_hash(leaf_data(reporter, text)),
                event_keys(reporter, m.type, json.loads(text)),
            )
        )  # as read from the body
    return hashlib.sha256(signed).hexdigest(), events


def assert_matches_reference(raw: bytes, keys, enterprises) -> Authenticated:
    result = authenticate(raw, "doc.json", keys, enterprises, None)
    assert isinstance(result, Authenticated), result
    digest, events = reference(json.loads(raw))
    assert result.digest == digest
    assert result.events == events
    assert repr(result.events) == repr(events)  # floats stay floats, texts stay texts
    return result


@pytest.fixture(scope="module")
def demo():
    return generate(seed=3, scale=0.3, year=2025)


def test_a_demo_year_is_recorded_as_the_reference_writes_it(demo):
    keys, enterprises = keys_of(demo.registry)
    kinds = set()
    for doc in demo.submissions:
        pretty = json.dumps(doc, ensure_ascii=False, indent=1).encode()  # as the demo writes its files
        result = assert_matches_reference(pretty, keys, enterprises)
        kinds.update(e.type for e in result.events)
    assert len(kinds) == 8


def test_edge_cases_of_numbers_and_text():
    world = World()
    keys, enterprises = keys_of(world.registry())
    plant = world.plant.uscc
    events = [
        extract("e1", "L1", mass_kg=1000, composition={"La": 1, "Ce": 0}),
        extract("e2", "L2", mass_kg=0.1 + 0.2, composition={"Dy": 1e-5, "Tb": 0.00010, "Nd": 0.333333333333333314}),
        {
            **extract("e3", "L3", mass_kg=123456789.67),
            "ext": {
                "note": 'ünïcödé \u2028 \x1f "q" \\',
                "n": [1e-7, 1e21, -0.0, 2.5e-4, 1e15, 123456789012345.67, 2**53 - 1],
            },
        },
        {**ship("e4", ["L1", "L2"], plant, "S-\u6c5f\u897f"), "site": f"{world.mine.uscc}/P1"},
        transform(
            "e5",
            "separation",
            [("L1", 10), ("L2", 0.25)],
            [{**lot("O1", "oxide", 1.5, {"Y": 0.9}), "hs_code": "28469019"}],
        ),
        {**export("e6", ["O1"], consignee="Ex \U0001f600 GmbH"), "ext": {"\U0001f600": 1, "\uffff": 2}},
        {
            "event_id": "e7",
            "type": "consume",
            "time": "2026-01-07T08:00:00.5Z",
            "lots": [{"lot": "O1", "mass_kg": 0}],
            "purpose": "magnets",
        },
        {
            "event_id": "e8",
            "type": "adjust",
            "time": "2026-01-07t08:00:00.123456789-05:30",
            "lot": "O1",
            "delta_kg": -1e-3,
            "reason": "stock-take",
        },
        receive("e9", ["L9"], plant, "S2", mass_kg=10**9),  # the most a mass may be
    ]
    doc = world.mine.submit(events)
    for raw in (json.dumps(doc).encode(), json.dumps(doc, ensure_ascii=False, indent=2).encode()):
        assert_matches_reference(raw, keys, enterprises)


def test_a_refused_event_keeps_the_models_message():
    world = World()
    keys, enterprises = keys_of(world.registry())
    doc = world.mine.submit([extract("e1", "L1"), extract("e2", "L2", mass_kg=-1)])
    result = authenticate(json.dumps(doc).encode(), "doc.json", keys, enterprises, None)
    assert isinstance(result, Rejection) and result.reason_class == "schema"
    assert result.detail == "events[1]: outputs[0].mass_kg: Input should be greater than 0"
    assert result.event == f"{world.mine.uscc}:e2"


def test_submissions_cross_process_boundaries_intact(demo):
    keys, enterprises = keys_of(demo.registry)
    result = authenticate(json.dumps(demo.submissions[0]).encode(), "a.json", keys, enterprises, None)
    for item in (result, result.without_raw()):
        back = pickle.loads(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == item
        assert all(type(e) is PreparedEvent for e in back.events)
        assert back.events[0].leaf == item.events[0].leaf and back.events[0]._fields == PreparedEvent._fields


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(ELEMENTS), st.floats(0, 1) | st.sampled_from([0.0, 1.0, 1e-4, 9.99e-5, 5e-7])))
def test_composition_text_is_the_standard_librarys(composition):
    assert _composition_json(composition) == json.dumps(composition, sort_keys=True, separators=(",", ":"))
