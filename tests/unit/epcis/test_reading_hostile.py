"""Whatever an EPCIS event holds, reading it ends in a §4 event or a refusal with its place:
never another exception. And the standard's own examples are valid, and read or refused cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from epcis_events import events
from reetrace.epcis import vocabulary as v
from reetrace.epcis.document import UnreadableDocument, read_document
from reetrace.epcis.schema import schema_errors
from reetrace.epcis.translate import Untranslatable, from_epcis, to_epcis

EXAMPLES = sorted(p for p in (Path(__file__).parents[2] / "data" / "epcis-examples").rglob("*.json*"))

leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
anything = st.recursive(
    leaves, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=12), c, max_size=3), max_leaves=12
)


def _read(event) -> None:
    try:
        from_epcis(event, {"rt": v.NS})
    except Untranslatable as refused:
        assert isinstance(refused.at, list)
        assert refused.problem.id.startswith("epcis_")


@settings(max_examples=300, deadline=None)
@given(anything)
def test_any_json_value_is_read_or_refused(value):
    _read(value)


@settings(max_examples=300, deadline=None)
@given(events(), st.data())
def test_a_written_event_with_any_member_changed_is_read_or_refused(drawn, data):
    written = json.loads(json.dumps(to_epcis(*drawn)))
    paths = list(_paths(written))
    path = data.draw(st.sampled_from(paths))
    _set(written, path, data.draw(anything))
    _read(written)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _set(value, path, new):
    if not path:
        return
    for step in path[:-1]:
        value = value[step]
    value[path[-1]] = new


def test_the_standards_examples_are_found():
    assert len(EXAMPLES) >= 40


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_of_the_standard_is_valid_and_read_or_refused_cleanly(path):
    document = json.loads(path.read_text("utf-8"))
    if document.get("type") != "EPCISDocument":
        return  # query documents and the like: only their validity is in question
    assert schema_errors(document) == []
    try:
        read_document(document)
    except UnreadableDocument as refused:
        assert refused.at[:2] == ["epcisBody", "eventList"]


def test_schema_errors_say_where():
    document = json.loads(EXAMPLES[0].read_text("utf-8"))
    document["creationDate"] = "yesterday"
    [error] = schema_errors(document)
    assert error.where() == "/creationDate"


@pytest.mark.parametrize("text", ['{"a": 1, "a": 2}', '{"a": NaN}', "[" * 5000 + "]" * 5000, "{not json"])
def test_an_extension_that_is_not_plain_json_text_is_refused(text):
    written = to_epcis(
        "91350100M000100Y43",
        {"event_id": "e", "type": "adjust", "time": "2026-01-01T00:00:00Z", "lot": "L", "delta_kg": 1.0, "reason": "r"},
    )
    written["rt:ext"] = text
    with pytest.raises(Untranslatable) as refused:
        from_epcis(written, {})
    assert refused.value.at == ["rt:ext"]
