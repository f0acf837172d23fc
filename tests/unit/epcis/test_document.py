"""Documents written from recorded events: valid against the schema, every event with one
eventID and always the same, even the few the reference hash cannot give one."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings

from epcis_events import events
from factory import make_uscc
from reetrace.epcis.document import Recorded, epcis_document, epcis_id, read_document
from reetrace.epcis.hashing import event_hash
from reetrace.epcis.schema import schema_errors

CREATED = datetime(2026, 11, 5, 10, tzinfo=UTC)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_a_written_document_is_valid_and_reads_back_with_the_same_ids(drawn):
    reporter, event = drawn
    document = epcis_document([Recorded(reporter, event)], CREATED)
    assert schema_errors(document) == []
    [read] = read_document(document)
    assert (read.reporter, read.event) == (reporter, event)
    assert read.event_id == document["epcisBody"]["eventList"][0]["eventID"] == epcis_id(reporter, event)


def _adjust(event_id: str, time: str = "2026-01-01T08:00:00+08:00") -> dict:
    return {"event_id": event_id, "type": "adjust", "time": time, "lot": "L", "delta_kg": -2.0, "reason": "loss"}


def test_an_event_the_reference_cannot_hash_is_named_by_its_identity():
    reporter = make_uscc(3)
    for event in (_adjust("inf"), _adjust("e", "2026-01-01T08:00:00.9999+08:00")):
        document = epcis_document([Recorded(reporter, event)], CREATED)
        eventid = document["epcisBody"]["eventList"][0]["eventID"]
        assert eventid.startswith("urn:uuid:")
        assert eventid == epcis_id(reporter, event) != epcis_id(make_uscc(4), event)
        assert schema_errors(document) == []


def test_a_hashable_event_is_named_by_its_hash():
    reporter = make_uscc(3)
    document = epcis_document([Recorded(reporter, _adjust("e-1"))], CREATED)
    written = document["epcisBody"]["eventList"][0]
    body = {k: x for k, x in written.items() if k != "eventID"}
    assert written["eventID"] == event_hash(body, {"rt": "https://ns.reetrace.org/epcis/"})
    assert written["eventID"].startswith("ni:///sha-256;")


def test_an_event_keeps_the_id_it_was_captured_with():
    document = epcis_document([Recorded(make_uscc(3), _adjust("e-1"), "urn:uuid:1-2")], CREATED)
    assert document["epcisBody"]["eventList"][0]["eventID"] == "urn:uuid:1-2"
